import assert from "node:assert/strict";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import {
  compareBytes,
  makeSatisfaction,
  readSatisfaction,
  type Satisfaction,
  writeSatisfaction,
} from "./satisfaction.ts";
import { preimage, testKey } from "./_fixtures.ts";
import { DecodeError } from "../errors.ts";

const decode = (b: Uint8Array) => {
  const r = new ByteReader(b);
  const s = readSatisfaction(r);
  r.expectEnd();
  return s;
};
const encode = (s: Satisfaction) => {
  const w = new ByteWriter();
  writeSatisfaction(w, s);
  return w.finish();
};
const entry = (i: number) => ({
  publicKey: testKey(i).publicKey,
  signature: new Uint8Array(64).fill(i),
});
const sample = makeSatisfaction([entry(3), entry(1), entry(2)], [preimage, new Uint8Array(32)]);

Deno.test("makeSatisfaction() sorts signatures by key and preimages by bytes", () => {
  for (let i = 1; i < sample.signatures.length; i++) {
    assert.ok(
      compareBytes(sample.signatures[i - 1]!.publicKey, sample.signatures[i]!.publicKey) < 0,
    );
  }
  assert.deepEqual(sample.preimages[0], new Uint8Array(32));
  assert.throws(() => makeSatisfaction([entry(1), entry(1)]), /strictly ascending/);
});

Deno.test("readSatisfaction() round-trips, rejects truncations and survives random bytes", () => {
  const bytes = encode(sample);
  assert.deepEqual(decode(bytes), sample);
  assert.deepEqual(encode(decode(bytes)), bytes);
  checkTruncations(decode, bytes);
  checkRandomInputs(decode, bytes, 2000, 4242);
});

Deno.test("readSatisfaction() rejects unsorted signatures", () => {
  const w = new ByteWriter().writeCompactSize(2);
  for (const e of [sample.signatures[1]!, sample.signatures[0]!]) {
    w.writeBytes(e.publicKey).writeBytes(e.signature);
  }
  w.writeCompactSize(0);
  assert.throws(() => decode(w.finish()), DecodeError);
});

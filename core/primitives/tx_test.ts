import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { decodeTx, encodeTx, isCoinbase, NULL_OUTPOINT, type Tx, txSize } from "./tx.ts";
import { sampleSpend } from "./_fixtures.ts";

const magic = new Uint8Array([0xd9, 0x52, 0x4e, 0x03]);
const { tx } = sampleSpend(magic);
const coinbase: Tx = {
  version: 1,
  inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
  outputs: [{ value: 5_000_000_000n, address: { kind: 1, hash: new Uint8Array(32).fill(1) } }],
  locktime: 12,
  witnesses: [],
};

Deno.test("decodeTx() round-trips a signed spend and a coinbase byte for byte", () => {
  for (const t of [tx, coinbase]) {
    const bytes = encodeTx(t);
    assert.deepEqual(decodeTx(bytes), t);
    assert.deepEqual(encodeTx(decodeTx(bytes)), bytes);
    assert.equal(txSize(t), bytes.length);
  }
});

Deno.test("encodeTx() without witness is a strict prefix ending before the witness count", () => {
  const full = encodeTx(tx);
  const bare = encodeTx(tx, { witness: false });
  assert.deepEqual(full.subarray(0, bare.length), bare);
  assert.equal(full[bare.length], 2); // CompactSize witness count = input count
});

Deno.test("decodeTx() rejects truncation at every offset and trailing bytes", () => {
  checkTruncations((b) => decodeTx(b), encodeTx(tx));
});

Deno.test("decodeTx() only ever throws DecodeError on random bytes", () => {
  checkRandomInputs((b) => decodeTx(b), encodeTx(tx), 1500, 31337);
});

Deno.test("decodeTx() rejects a transaction above maxTxBytes before parsing", () => {
  const bytes = encodeTx(tx);
  assert.throws(() => decodeTx(bytes, bytes.length - 1), /exceeds/);
  assert.deepEqual(decodeTx(bytes, bytes.length), tx);
});

Deno.test("decodeTx() rejects no inputs, no outputs and a witness count other than 0 or nIn", () => {
  const bare = encodeTx(coinbase, { witness: false });
  // witness count 1 on a 1-input tx with no witness bytes: truncated; count 2 > nIn: rejected.
  assert.throws(() => decodeTx(new Uint8Array([...bare, 2])), DecodeError);
  const noIn = new Uint8Array([1, 0, 0, 0, 0]);
  assert.throws(() => decodeTx(noIn), /no inputs/);
  const twoWit = encodeTx(tx);
  const oneWitTx = { ...tx, witnesses: tx.witnesses.slice(0, 1) };
  assert.throws(() => encodeTx(oneWitTx), /Witness count must be 0 or 2/);
  const bad = twoWit.slice();
  bad[encodeTx(tx, { witness: false }).length] = 1; // claims 1 witness for 2 inputs
  assert.throws(() => decodeTx(bad), DecodeError);
});

Deno.test("isCoinbase() recognises only one input spending the null outpoint", () => {
  assert.equal(isCoinbase(coinbase), true);
  assert.equal(isCoinbase(tx), false);
  const two = { ...coinbase, inputs: [...coinbase.inputs, ...coinbase.inputs] };
  assert.equal(isCoinbase(two), false);
});

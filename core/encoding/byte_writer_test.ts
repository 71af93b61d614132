import assert from "node:assert/strict";
import { ByteWriter } from "./byte_writer.ts";
import { compactSizeLength } from "./compact_size.ts";

Deno.test("ByteWriter writes integers little-endian and grows past its initial capacity", () => {
  const w = new ByteWriter(1);
  for (let i = 0; i < 100; i++) w.writeU32(0x04030201);
  const out = w.finish();
  assert.equal(out.length, 400);
  assert.deepEqual([...out.subarray(396)], [1, 2, 3, 4]);
  assert.equal(w.length, 400);
});

Deno.test("writeCompactSize() uses the shortest encoding", () => {
  const enc = (v: number | bigint) => [...new ByteWriter().writeCompactSize(v).finish()];
  assert.deepEqual(enc(0xfc), [0xfc]);
  assert.deepEqual(enc(0xfd), [0xfd, 0xfd, 0x00]);
  assert.deepEqual(enc(0x1_0000), [0xfe, 0x00, 0x00, 0x01, 0x00]);
  assert.deepEqual(enc(0x1_0000_0000n), [0xff, 0, 0, 0, 0, 1, 0, 0, 0]);
  assert.equal(compactSizeLength(2n ** 64n - 1n), 9);
});

Deno.test("ByteWriter rejects out-of-range values with RangeError", () => {
  const w = new ByteWriter();
  assert.throws(() => w.writeU8(256), RangeError);
  assert.throws(() => w.writeU16(-1), RangeError);
  assert.throws(() => w.writeU32(2 ** 32), RangeError);
  assert.throws(() => w.writeU32(1.5), RangeError);
  assert.throws(() => w.writeU64(2n ** 64n), RangeError);
  assert.throws(() => w.writeU64(2 ** 53), RangeError);
  assert.throws(() => w.writeCompactSize(-1), RangeError);
  assert.throws(() => compactSizeLength(2n ** 64n), RangeError);
  assert.equal(w.length, 0);
});

Deno.test("finish() returns a copy unaffected by later writes", () => {
  const w = new ByteWriter().writeU8(1);
  const first = w.finish();
  w.writeU8(2);
  assert.deepEqual([...first], [1]);
  assert.deepEqual([...w.finish()], [1, 2]);
});

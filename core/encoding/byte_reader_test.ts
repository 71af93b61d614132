import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { ByteReader } from "./byte_reader.ts";
import { ByteWriter } from "./byte_writer.ts";
import { compactSizeLength } from "./compact_size.ts";
import { checkRandomInputs, checkTruncations, seededBytes } from "./_testing.ts";

/** A small record exercising every read, for the round-trip/truncation/random tests. */
interface Rec {
  a: number;
  b: number;
  c: number;
  d: bigint;
  e: number;
  fixed: Uint8Array;
  items: Uint8Array[];
}

function encodeRec(r: Rec): Uint8Array {
  const w = new ByteWriter(1).writeU8(r.a).writeU16(r.b).writeU32(r.c).writeU64(r.d);
  w.writeU64(r.e).writeBytes(r.fixed).writeCompactSize(r.items.length);
  for (const it of r.items) w.writeVarBytes(it);
  return w.finish();
}

function decodeRec(bytes: Uint8Array): Rec {
  const rd = new ByteReader(bytes);
  const rec: Rec = {
    a: rd.readU8(),
    b: rd.readU16(),
    c: rd.readU32(),
    d: rd.readU64(),
    e: rd.readU64Number(),
    fixed: rd.readBytes(4),
    items: [],
  };
  const n = rd.readCount(100, 1);
  for (let i = 0; i < n; i++) rec.items.push(rd.readVarBytes(300));
  rd.expectEnd();
  return rec;
}

const sample: Rec = {
  a: 0xfe,
  b: 0xbeef,
  c: 0xdeadbeef,
  d: 0xffff_ffff_ffff_fffen,
  e: Number.MAX_SAFE_INTEGER,
  fixed: new Uint8Array([1, 2, 3, 4]),
  items: [new Uint8Array(0), new Uint8Array(252).fill(9), new Uint8Array(253).fill(7)],
};

Deno.test("ByteReader round-trips everything ByteWriter writes, little-endian", () => {
  const bytes = encodeRec(sample);
  assert.deepEqual(decodeRec(bytes), sample);
  assert.deepEqual([...bytes.subarray(0, 7)], [0xfe, 0xef, 0xbe, 0xef, 0xbe, 0xad, 0xde]);
});

Deno.test("ByteReader decoder rejects a truncation at every offset and trailing bytes", () => {
  checkTruncations(decodeRec, encodeRec(sample));
});

Deno.test("ByteReader decoder only ever throws DecodeError on random bytes", () => {
  checkRandomInputs(decodeRec, encodeRec(sample), 3000, 12345);
});

Deno.test("readCompactSize() round-trips boundary values with the canonical width", () => {
  const values = [0, 1, 0xfc, 0xfd, 0xffff, 0x1_0000, 0xffff_ffff, 0x1_0000_0000, 2 ** 53 - 1];
  for (const v of values) {
    const bytes = new ByteWriter().writeCompactSize(v).finish();
    assert.equal(bytes.length, compactSizeLength(v), `width of ${v}`);
    const r = new ByteReader(bytes);
    assert.equal(r.readCompactSize(), v);
    r.expectEnd();
  }
});

Deno.test("readCompactSize() rejects non-minimal encodings", () => {
  const cases = [
    [0xfd, 0xfc, 0x00], // 252 in 3 bytes
    [0xfd, 0x00, 0x00],
    [0xfe, 0xff, 0xff, 0x00, 0x00], // 0xffff in 5 bytes
    [0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00], // 0xffffffff in 9 bytes
  ];
  for (const c of cases) {
    assert.throws(() => new ByteReader(new Uint8Array(c)).readCompactSize(), DecodeError);
  }
});

Deno.test("readCompactSize() rejects a value above its maximum", () => {
  const bytes = new ByteWriter().writeCompactSize(1001).finish();
  assert.throws(() => new ByteReader(bytes).readCompactSize(1000), /exceeds maximum 1000/);
  assert.equal(new ByteReader(bytes).readCompactSize(1001), 1001);
  const huge = new ByteWriter().writeCompactSize(2n ** 64n - 1n).finish();
  assert.throws(() => new ByteReader(huge).readCompactSize(), DecodeError);
});

Deno.test("readVarBytes() rejects a length above max or beyond the input before allocating", () => {
  // Claims 2^32 - 1 bytes but holds 3: must fail on the bound, not try to allocate 4 GiB.
  const lying = new Uint8Array([0xfe, 0xff, 0xff, 0xff, 0xff, 1, 2, 3]);
  assert.throws(() => new ByteReader(lying).readVarBytes(2 ** 40), /needs at least/);
  const ok = new ByteWriter().writeVarBytes(new Uint8Array(10)).finish();
  assert.throws(() => new ByteReader(ok).readVarBytes(9), /exceeds maximum 9/);
  assert.equal(new ByteReader(ok).readVarBytes(10).length, 10);
});

Deno.test("readCount() checks count times the smallest item size against the remaining input", () => {
  const bytes = new Uint8Array([3, 0, 0, 0, 0, 0, 0, 0, 0]); // 3 items, 8 bytes left
  assert.throws(() => new ByteReader(bytes).readCount(10, 3), /needs at least 9 bytes/);
  assert.equal(new ByteReader(bytes).readCount(10, 2), 3);
});

Deno.test("readU64Number() rejects values above 2^53 - 1", () => {
  const bytes = new ByteWriter().writeU64(2n ** 53n).finish();
  assert.throws(() => new ByteReader(bytes).readU64Number(), DecodeError);
});

Deno.test("expectEnd() rejects trailing bytes", () => {
  const r = new ByteReader(new Uint8Array([1, 2]));
  r.readU8();
  assert.throws(() => r.expectEnd(), /1 trailing bytes/);
});

Deno.test("readBytes() returns a copy that does not alias the input", () => {
  const input = new Uint8Array([1, 2, 3]);
  const out = new ByteReader(input).readBytes(3);
  input[0] = 99;
  assert.equal(out[0], 1);
});

Deno.test("ByteReader works on a subarray view with a non-zero byteOffset", () => {
  const rnd = seededBytes(7);
  const backing = rnd(64);
  const view = backing.subarray(5, 13);
  const r = new ByteReader(view);
  assert.equal(r.readU64(), new DataView(backing.buffer, 5, 8).getBigUint64(0, true));
});

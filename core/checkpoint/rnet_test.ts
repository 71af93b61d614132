import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { allocateCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { decodeCheckpoint, encodeCheckpoint, encodedCheckpointSize } from "./rnet.ts";
import type { ModelConfig } from "./model_config.ts";

const TINY: ModelConfig = { dModel: 2, nLayers: 1 };

/** A checkpoint whose every value is distinct and seeded (not all zero). */
function seededCheckpoint(config: ModelConfig, seed: number): Checkpoint {
  const { checkpoint, flat } = allocateCheckpoint(config);
  let s = seed >>> 0;
  for (let i = 0; i < flat.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    flat[i] = s / 2 ** 31 - 1;
  }
  return checkpoint;
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

Deno.test("decodeCheckpoint() round-trips to identical bytes and values", () => {
  for (const config of [TINY, { dModel: 16, nLayers: 2 }]) {
    const ckpt = seededCheckpoint(config, 7);
    const bytes = encodeCheckpoint(ckpt);
    assert.equal(bytes.length, encodedCheckpointSize(config));
    const back = decodeCheckpoint(bytes, config);
    assert.deepEqual(back.config, config);
    for (const [name, t] of ckpt.tensors) assert.deepEqual(back.tensors.get(name), t, name);
    assert.deepEqual(encodeCheckpoint(back), bytes);
  }
});

Deno.test("encodeCheckpoint() writes the documented header and first tensor", () => {
  const bytes = encodeCheckpoint(seededCheckpoint(TINY, 1));
  const view = new DataView(bytes.buffer);
  assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), "RNET");
  assert.equal(view.getUint32(4, true), 1);
  assert.equal(view.getUint32(8, true), 2);
  assert.equal(view.getUint32(12, true), 1);
  assert.equal(view.getUint32(16, true), 21);
  assert.equal(bytes[20], 5);
  assert.equal(new TextDecoder().decode(bytes.subarray(21, 26)), "embed");
  assert.equal(bytes[26], 2);
  assert.equal(view.getUint32(27, true), 256);
  assert.equal(view.getUint32(31, true), 2);
});

Deno.test("decodeCheckpoint() throws DecodeError when truncated at every offset", () => {
  const bytes = encodeCheckpoint(seededCheckpoint(TINY, 2));
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => decodeCheckpoint(bytes.subarray(0, n)), DecodeError, `length ${n}`);
  }
});

Deno.test("decodeCheckpoint() rejects trailing bytes", () => {
  const bytes = encodeCheckpoint(seededCheckpoint(TINY, 3));
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => decodeCheckpoint(longer), /trailing/);
});

Deno.test("decodeCheckpoint() rejects wrong magic, version, config and count", () => {
  const good = encodeCheckpoint(seededCheckpoint(TINY, 4));
  const cases: [string, (b: Uint8Array, v: DataView) => void, RegExp][] = [
    ["magic", (b) => (b[0] = 0x58), /magic/],
    ["version", (_, v) => v.setUint32(4, 2, true), /version/],
    ["odd width", (_, v) => v.setUint32(8, 3, true), /out of bounds/],
    ["zero layers", (_, v) => v.setUint32(12, 0, true), /out of bounds/],
    ["huge width", (_, v) => v.setUint32(8, 0xfffffffe, true), /out of bounds/],
    ["count", (_, v) => v.setUint32(16, 20, true), /21 tensors/],
    // A valid but larger config: the length check fires before any allocation.
    ["larger config", (_, v) => v.setUint32(8, 4096, true), /truncated/],
  ];
  for (const [what, mutate, re] of cases) {
    const b = good.slice();
    mutate(b, new DataView(b.buffer));
    assert.throws(
      () => decodeCheckpoint(b),
      (e) => e instanceof DecodeError && re.test(e.message),
      what,
    );
  }
  assert.throws(
    () => decodeCheckpoint(good, { dModel: 4, nLayers: 1 }),
    /must be dModel 4, nLayers 1/,
  );
});

Deno.test("decodeCheckpoint() rejects a wrong tensor name or shape", () => {
  const good = encodeCheckpoint(seededCheckpoint(TINY, 5));
  const name = good.slice();
  name[21] = "E".charCodeAt(0); // "Embed"
  assert.throws(() => decodeCheckpoint(name), /must be embed, got "Embed"/);
  // Swap the two dims of embed ([256, 2] → [2, 256]): same size, different shape.
  const shape = good.slice();
  const v = new DataView(shape.buffer);
  v.setUint32(27, 2, true);
  v.setUint32(31, 256, true);
  assert.throws(() => decodeCheckpoint(shape), /embed dim 0 must be 256, got 2/);
  const ndims = good.slice();
  ndims[26] = 3;
  assert.throws(() => decodeCheckpoint(ndims), /must have 2 dims, got 3/);
});

Deno.test("decodeCheckpoint() rejects NaN and infinities; encodeCheckpoint() refuses them", () => {
  for (const bad of [NaN, Infinity, -Infinity]) {
    const ckpt = seededCheckpoint(TINY, 6);
    const good = encodeCheckpoint(ckpt);
    const last = ckpt.tensors.get("final_norm")!;
    last[1] = bad;
    assert.throws(() => encodeCheckpoint(ckpt), RangeError);
    const b = good.slice();
    new DataView(b.buffer).setFloat32(b.length - 4, bad, true);
    assert.throws(() => decodeCheckpoint(b), /final_norm\[1\] is not finite/);
  }
});

Deno.test("decodeCheckpoint() only ever throws DecodeError on seeded random garbage", () => {
  const good = encodeCheckpoint(seededCheckpoint(TINY, 8));
  const next = rng(99);
  for (let iter = 0; iter < 300; iter++) {
    let b: Uint8Array;
    if (iter % 3 === 0) {
      b = new Uint8Array(next() % 200);
      for (let i = 0; i < b.length; i++) b[i] = next() & 0xff;
      if (iter % 2 === 0 && b.length >= 4) b.set([0x52, 0x4e, 0x45, 0x54]);
    } else {
      // Flip a few random bytes of a valid encoding (header bytes more often).
      b = good.slice();
      const flips = 1 + (next() % 4);
      for (let f = 0; f < flips; f++) {
        const at = iter % 3 === 1 ? next() % 40 : next() % b.length;
        b[at] = next() & 0xff;
      }
    }
    try {
      decodeCheckpoint(b);
    } catch (e) {
      assert.ok(e instanceof DecodeError, `iteration ${iter}: ${e}`);
    }
  }
});

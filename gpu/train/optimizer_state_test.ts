import assert from "node:assert/strict";
import { shapeSize, tensorSpecs } from "../../core/checkpoint/model_config.ts";
import {
  decodeOptimizerState,
  encodeOptimizerState,
  type OptimizerState,
  writeFileAtomic,
} from "./optimizer_state.ts";

function sampleState(): OptimizerState {
  const config = { dModel: 8, nLayers: 1 };
  const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
  let x = 0;
  for (const s of tensorSpecs(config)) {
    const n = shapeSize(s.shape);
    m.set(s.name, Float32Array.from({ length: n }, () => (x++ % 97) / 97));
    v.set(s.name, Float32Array.from({ length: n }, () => (x++ % 89) / 89));
  }
  return { config, step: 123, rngState: 0xdeadbeef, m, v };
}

Deno.test("encodeOptimizerState() refuses moments that are missing or the wrong size", () => {
  const missing = sampleState();
  missing.m.delete("embed");
  assert.throws(() => encodeOptimizerState(missing), RangeError);
  const short = sampleState();
  short.v.set("final_norm", new Float32Array(3));
  assert.throws(() => encodeOptimizerState(short), /final_norm does not match the model/);
});

Deno.test("optimizer state round-trips moments, step and RNG state", () => {
  const s = sampleState();
  const back = decodeOptimizerState(encodeOptimizerState(s), s.config);
  assert.equal(back.step, 123);
  assert.equal(back.rngState, 0xdeadbeef);
  for (const [name, m] of s.m) {
    assert.deepEqual(back.m.get(name), m);
    assert.deepEqual(back.v.get(name), s.v.get(name));
  }
});

Deno.test("decodeOptimizerState() refuses another model's state, truncation and garbage", () => {
  const bytes = encodeOptimizerState(sampleState());
  assert.throws(() => decodeOptimizerState(bytes, { dModel: 16, nLayers: 1 }), /not d=16/);
  assert.throws(() => decodeOptimizerState(bytes.subarray(0, bytes.length - 1)), /wrong size/);
  assert.throws(() => decodeOptimizerState(new Uint8Array(40)), /not an rnt optimizer state/);
});

Deno.test("writeFileAtomic() replaces the file whole and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/x.opt`;
    await writeFileAtomic(path, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(path, new Uint8Array([4, 5]));
    assert.deepEqual(await Deno.readFile(path), new Uint8Array([4, 5]));
    const names = [];
    for await (const e of Deno.readDir(dir)) names.push(e.name);
    assert.deepEqual(names, ["x.opt"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { assertClose, seededRandom } from "../testing.ts";
import {
  createState,
  generateBytes,
  sampleByte,
  seededUniform,
  stateBytes,
  stepLogits,
} from "./generate.ts";
import { createAdamState, forwardLogits, trainStepCpu } from "./model.ts";

/** A (16, 2) model trained a few steps, so its memory, conv and gates are not at init. */
function model() {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 2 }, 5);
  const text = new TextEncoder().encode("recurrent state, constant size. ".repeat(3));
  const tokens = Uint32Array.from(text.subarray(0, 64));
  const state = createAdamState(ckpt);
  const opts = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0, maxGradNorm: 1 };
  for (let i = 0; i < 3; i++) trainStepCpu(ckpt, state, tokens, 2, 32, opts);
  return ckpt;
}

Deno.test("stepLogits() equals the parallel forward at every position", () => {
  const ckpt = model();
  const rand = seededRandom(3);
  const n = 100; // longer than the 63-tap conv, so the ring buffer wraps
  const tokens = Uint32Array.from({ length: n }, () => Math.floor(rand() * 256));
  const parallel = forwardLogits(ckpt, tokens, 1, n);
  const state = createState(ckpt.config);
  for (let t = 0; t < n; t++) {
    const logits = stepLogits(ckpt, state, tokens[t]!);
    assertClose(logits, parallel.subarray(t * 256, (t + 1) * 256), 1e-5, 1e-5, `position ${t}`);
  }
  assert.equal(state.position, n);
});

Deno.test("stateBytes() is the same after 10 and 1000 tokens", () => {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 2);
  const state = createState(ckpt.config);
  const initial = stateBytes(state);
  assert.equal(initial, 1 * (62 + 1) * 16 * 4);
  for (let t = 0; t < 10; t++) stepLogits(ckpt, state, (t * 7) & 255);
  const after10 = stateBytes(state);
  for (let t = 10; t < 1000; t++) stepLogits(ckpt, state, (t * 7) & 255);
  assert.equal(after10, initial);
  assert.equal(stateBytes(state), after10);
});

Deno.test("sampleByte() honours temperature 0, top-k and the seed", () => {
  const logits = new Float32Array(256);
  for (let i = 0; i < 256; i++) logits[i] = -i / 10;
  logits[200] = 5;
  assert.equal(sampleByte(logits, { temperature: 0, topK: 0 }, seededUniform(1)), 200);
  const draw = (seed: number, topK: number, temperature = 1) => {
    const u = seededUniform(seed);
    return Array.from({ length: 300 }, () => sampleByte(logits, { temperature, topK }, u));
  };
  assert.deepEqual(draw(9, 3), draw(9, 3));
  assert.notDeepEqual(draw(9, 3), draw(10, 3));
  assert.ok(draw(9, 3).every((b) => b === 200 || b === 0 || b === 1));
  // High temperature, no top-k: many distinct bytes.
  assert.ok(new Set(draw(9, 0, 100)).size > 100);
  // Empirical frequency of the top byte matches its softmax probability over the top 3.
  const p = Math.exp(5) / (Math.exp(5) + 1 + Math.exp(-0.1));
  const freq = draw(11, 3).filter((b) => b === 200).length / 300;
  assert.ok(Math.abs(freq - p) < 0.05, `freq ${freq} vs ${p}`);
});

Deno.test("generateBytes() is reproducible for a seed", () => {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const opts = { temperature: 0.8, topK: 20, seed: 4 };
  const a = generateBytes(ckpt, new Uint8Array([84, 104]), 12, opts);
  assert.deepEqual(a, generateBytes(ckpt, new Uint8Array([84, 104]), 12, opts));
  assert.equal(a.length, 12);
});

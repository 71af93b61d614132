import assert from "node:assert/strict";
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { seededRandom } from "../testing.ts";
import {
  createAdamState,
  evaluateLossCpu,
  forwardLogits,
  forwardLoss,
  lossAndGradients,
  nextByteTargets,
  trainStepCpu,
} from "./model.ts";

const TINY = { dModel: 8, nLayers: 2 };

/** A tiny checkpoint away from genesis symmetries: norms and gains jittered, memory louder. */
function testCheckpoint(seed: number): Checkpoint {
  const ckpt = genesisCheckpoint(TINY, seed);
  const rand = seededRandom(seed);
  for (const [name, t] of ckpt.tensors) {
    const jitter = name.endsWith("norm") || name.endsWith("gain");
    const gain = name.endsWith("mem.values") ? 4 : 1;
    for (let i = 0; i < t.length; i++) t[i] = t[i]! * gain * (jitter ? 0.7 + 0.6 * rand() : 1);
  }
  return ckpt;
}

function randomTokens(n: number, seed: number): Uint32Array {
  const rand = seededRandom(seed);
  return Uint32Array.from({ length: n }, () => Math.floor(rand() * 256));
}

/**
 * Checks `grads` against central differences of `loss`: per tensor a directional derivative
 * along a random ±1 direction (catches errors spread over a tensor) and single entries at the
 * largest |gradient| and two random positions. Throws on the first mismatch. The noise term
 * is the loss's f32 resolution (≈2e-8) over the step; every checked directional derivative
 * must be at least 3× above it, so a zero or scaled gradient cannot pass.
 */
function checkGradients(
  ckpt: Checkpoint,
  grads: Map<string, Float32Array>,
  loss: () => number,
  seed: number,
): void {
  const rand = seededRandom(seed);
  const central = (w: Float32Array, dir: (i: number) => number, h: number) => {
    const orig = w.slice();
    for (let i = 0; i < w.length; i++) w[i] = orig[i]! + h * dir(i);
    const up = loss();
    for (let i = 0; i < w.length; i++) w[i] = orig[i]! - h * dir(i);
    const down = loss();
    w.set(orig);
    return (up - down) / (2 * h);
  };
  const close = (fd: number, an: number, h: number) =>
    Math.abs(fd - an) <= 3e-7 / h + 0.03 * Math.abs(an);
  for (const [name, g] of grads) {
    const w = ckpt.tensors.get(name)!;
    const v = Float32Array.from(w, () => (rand() < 0.5 ? -1 : 1));
    let gv = 0;
    for (let i = 0; i < v.length; i++) gv += g[i]! * v[i]!;
    // Two step sizes: the large one beats rounding noise, the small one stays clear of the
    // kink of g(u) at 0 (minGRU); the gradient must match at one of them.
    const ok = [1e-2, 1e-3].some((h) => close(central(w, (i) => v[i]!, h), gv, h));
    if (!ok) {
      throw new Error(`${name}: directional ${gv} vs FD ${central(w, (i) => v[i]!, 1e-2)}`);
    }
    if (Math.abs(gv) < 3 * 3e-7 / 1e-2) throw new Error(`${name}: gradient too small to test`);
    let big = 0;
    for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
    for (const i of [big, Math.floor(rand() * g.length), Math.floor(rand() * g.length)]) {
      const one = (j: number) => (j === i ? 1 : 0);
      const fine = [1e-2, 1e-3].some((h) => close(central(w, one, h), g[i]!, h));
      if (!fine) throw new Error(`${name}[${i}]: ${g[i]} vs FD ${central(w, one, 1e-2)}`);
    }
  }
}

Deno.test("lossAndGradients() matches finite differences for every tensor", () => {
  const ckpt = testCheckpoint(11);
  const tokens = randomTokens(2 * 12, 12);
  const { loss, grads } = lossAndGradients(ckpt, tokens, 2, 12);
  assert.equal(loss, forwardLoss(ckpt, tokens, 2, 12));
  assert.deepEqual([...grads.keys()], [...ckpt.tensors.keys()]);
  checkGradients(ckpt, grads, () => forwardLoss(ckpt, tokens, 2, 12), 13);
});

Deno.test("the gradient check fails for a wrong gradient", () => {
  const ckpt = testCheckpoint(21);
  const tokens = randomTokens(2 * 6, 22);
  const loss = () => forwardLoss(ckpt, tokens, 2, 6);
  const { grads } = lossAndGradients(ckpt, tokens, 2, 6);
  const only = (name: string, g: Float32Array) => new Map([[name, g]]);
  // Dropping one of the two paths into the embedding (input vs tied head).
  const headOnly = grads.get("embed")!.map((x) => x * 0.8);
  assert.throws(() => checkGradients(ckpt, only("embed", headOnly), loss, 1), /^Error: embed/);
  // A zero gradient for a tensor that matters.
  const zero = new Float32Array(grads.get("layers.1.mem.wq")!.length);
  assert.throws(
    () => checkGradients(ckpt, only("layers.1.mem.wq", zero), loss, 1),
    /layers.1.mem.wq: directional/,
  );
  // One wrong entry.
  const g = grads.get("layers.0.gru.wz")!.slice();
  let big = 0;
  for (let i = 1; i < g.length; i++) if (Math.abs(g[i]!) > Math.abs(g[big]!)) big = i;
  g[big] = g[big]! * 1.2;
  assert.throws(() => checkGradients(ckpt, only("layers.0.gru.wz", g), loss, 1), /gru.wz/);
});

Deno.test("forwardLogits() is causal and windows are independent", () => {
  const ckpt = testCheckpoint(31);
  const tokens = randomTokens(2 * 10, 32);
  const logits = forwardLogits(ckpt, tokens, 2, 10);
  const changed = tokens.slice();
  changed[6] = (changed[6]! + 1) % 256; // window 0, position 6
  const after = forwardLogits(ckpt, changed, 2, 10);
  // Positions 0..5 of window 0 and all of window 1 are unchanged; position 6 changes.
  assert.deepEqual(after.subarray(0, 6 * 256), logits.subarray(0, 6 * 256));
  assert.deepEqual(after.subarray(10 * 256), logits.subarray(10 * 256));
  assert.notDeepEqual(after.subarray(6 * 256, 7 * 256), logits.subarray(6 * 256, 7 * 256));
  // A window alone gives the same logits as inside a batch.
  const second = forwardLogits(ckpt, tokens.slice(10), 1, 10);
  assert.deepEqual(second, logits.subarray(10 * 256));
});

Deno.test("nextByteTargets() predicts the next byte inside each window only", () => {
  const t = nextByteTargets(new Uint32Array([1, 2, 3, 4, 5, 6]), 2, 3);
  assert.deepEqual([...t], [2, 3, -1, 5, 6, -1]);
});

Deno.test("evaluateLossCpu() is the mean over ⌊len/W⌋ windows of W−1 predictions", () => {
  const ckpt = testCheckpoint(41);
  const bytes = Uint8Array.from(randomTokens(5 * 8 + 3, 42));
  const whole = evaluateLossCpu(ckpt, bytes, 8);
  const tokens = Uint32Array.from(bytes.subarray(0, 40));
  assert.ok(Math.abs(whole - forwardLoss(ckpt, tokens, 5, 8)) < 1e-12);
  assert.ok(Math.abs(evaluateLossCpu(ckpt, bytes, 8, 2) - whole) < 1e-12);
  // Genesis predicts nearly uniformly: loss ≈ ln 256.
  const fresh = evaluateLossCpu(genesisCheckpoint(TINY, 1), bytes, 8);
  assert.ok(Math.abs(fresh - Math.log(256)) < 0.5, `genesis loss ${fresh}`);
  assert.throws(() => evaluateLossCpu(ckpt, bytes.subarray(0, 7), 8), RangeError);
});

Deno.test("trainStepCpu() lowers the loss of a repeated batch", () => {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const text = new TextEncoder().encode("the cat sat on the mat. the cat sat on the mat. ");
  const tokens = Uint32Array.from(text.subarray(0, 2 * 24));
  const state = createAdamState(ckpt);
  const opts = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 };
  const first = trainStepCpu(ckpt, state, tokens, 2, 24, opts);
  let last = first;
  for (let i = 0; i < 30; i++) last = trainStepCpu(ckpt, state, tokens, 2, 24, opts);
  const final = forwardLoss(ckpt, tokens, 2, 24);
  assert.equal(state.step, 31);
  assert.ok(final < first.loss - 2, `loss ${first.loss} → ${final}`);
  assert.ok(last.gradNorm > 0 && Number.isFinite(last.gradNorm));
});

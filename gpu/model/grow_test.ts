import assert from "node:assert/strict";
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { type ModelConfig, tensorSpecs } from "../../core/checkpoint/model_config.ts";
import { createAdamState, forwardLoss, lossAndGradients, trainStepCpu } from "../ref/model.ts";
import { growCheckpoint } from "./grow.ts";

const OPTS = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1, maxGradNorm: 1 };
const text = new TextEncoder().encode(
  "In the beginning was the byte, and the byte was with the model. Growth keeps it so. ",
);
const B = 2, T = 32;
const tokens = Uint32Array.from(text.subarray(0, B * T));

/**
 * A small model trained a few steps so that no tensor is at its genesis symmetry. With
 * `streamScale` the embedding is multiplied and the final norm divided by it (same logits
 * head, larger residual stream), so preservation is checked at two residual scales.
 */
function trainedSmall(config: ModelConfig, streamScale = 16): Checkpoint {
  const ckpt = genesisCheckpoint(config, 3);
  const state = createAdamState(ckpt);
  for (let i = 0; i < 5; i++) trainStepCpu(ckpt, state, tokens, B, T, OPTS);
  const embed = ckpt.tensors.get("embed")!, fin = ckpt.tensors.get("final_norm")!;
  for (let i = 0; i < embed.length; i++) embed[i] = embed[i]! * streamScale;
  for (let i = 0; i < fin.length; i++) fin[i] = fin[i]! / streamScale;
  return ckpt;
}

/**
 * The new regions of every tensor of `next` relative to `old`: for a new layer, the whole
 * tensor; for an old 1-D tensor the new dims; for an old 2-D tensor the new rows and the new
 * columns of old rows (each a list of flat indices, when non-empty).
 */
function newRegions(old: ModelConfig, next: ModelConfig): { name: string; idx: number[] }[] {
  const oldShapes = new Map(tensorSpecs(old).map((s) => [s.name, s.shape]));
  const out: { name: string; idx: number[] }[] = [];
  for (const spec of tensorSpecs(next)) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const prev = oldShapes.get(spec.name);
    if (!prev) {
      out.push({ name: spec.name, idx: Array.from({ length: n }, (_, i) => i) });
      continue;
    }
    if (spec.shape.length === 1) {
      const idx = [];
      for (let i = prev[0]!; i < spec.shape[0]!; i++) idx.push(i);
      if (idx.length) out.push({ name: spec.name, idx });
      continue;
    }
    const [rows, cols] = spec.shape as [number, number];
    const [oRows, oCols] = prev as [number, number];
    const newRows = [], newCols = [];
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        if (r >= oRows) newRows.push(r * cols + c);
        else if (c >= oCols) newCols.push(r * cols + c);
      }
    }
    if (newRows.length) out.push({ name: `${spec.name} (new rows)`, idx: newRows });
    if (newCols.length) out.push({ name: `${spec.name} (new columns)`, idx: newCols });
  }
  return out;
}

/** Names of new regions whose gradient is all zero after one AdamW step on the grown model. */
function deadRegions(old: ModelConfig, grown: Checkpoint): string[] {
  const state = createAdamState(grown);
  trainStepCpu(grown, state, tokens, B, T, OPTS);
  const { grads } = lossAndGradients(grown, tokens, B, T);
  return newRegions(old, grown.config)
    .filter(({ name, idx }) => {
      const g = grads.get(name.split(" ")[0]!)!;
      return idx.every((i) => g[i] === 0);
    })
    .map((r) => r.name);
}

const CASES: [string, ModelConfig, ModelConfig][] = [
  ["width-only", { dModel: 16, nLayers: 1 }, { dModel: 20, nLayers: 1 }],
  ["width+layer", { dModel: 16, nLayers: 1 }, { dModel: 18, nLayers: 2 }],
  ["layer-only", { dModel: 8, nLayers: 1 }, { dModel: 8, nLayers: 3 }],
];

for (const [what, from, to] of CASES) {
  Deno.test(`growCheckpoint() preserves the loss (${what})`, () => {
    const small = trainedSmall(from);
    const grown = growCheckpoint(small, to, 9);
    assert.deepEqual(grown.config, to);
    const before = forwardLoss(small, tokens, B, T);
    const after = forwardLoss(grown, tokens, B, T);
    assert.ok(Math.abs(after - before) <= 1e-6, `${what}: ${before} → ${after}`);
    // Genesis-scale residual stream (mean(h²) ≈ 1/(3d)): exact too, because RMSNorm's ε is
    // added to Σx², not to the mean (PROTOCOL.md §3.1).
    const raw = trainedSmall(from, 1);
    const drift = forwardLoss(growCheckpoint(raw, to, 9), tokens, B, T) -
      forwardLoss(raw, tokens, B, T);
    assert.ok(Math.abs(drift) <= 1e-6, `${what}: genesis-scale drift ${drift}`);
  });

  Deno.test(`growCheckpoint() leaves no dead new weights after one step (${what})`, () => {
    const grown = growCheckpoint(trainedSmall(from), to, 9);
    assert.deepEqual(deadRegions(from, grown), []);
  });
}

Deno.test("all-zero new weights preserve the loss but leave dead regions", () => {
  const from = { dModel: 16, nLayers: 1 }, to = { dModel: 18, nLayers: 2 };
  const small = trainedSmall(from);
  const zero = growCheckpoint(small, to, 9, { readScale: 0 });
  const before = forwardLoss(small, tokens, B, T);
  assert.ok(Math.abs(forwardLoss(zero, tokens, B, T) - before) <= 1e-6);
  const dead = deadRegions(from, zero);
  assert.ok(dead.includes("layers.0.gru.wz (new columns)"), dead.join(", "));
  assert.ok(dead.includes("embed (new columns)"), dead.join(", "));
});

Deno.test("growCheckpoint() copies old weights, zeroes writers, rescales norms", () => {
  const small = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 4);
  const grown = growCheckpoint(small, { dModel: 20, nLayers: 2 }, 5);
  const g = (n: string) => grown.tensors.get(n)!, s = (n: string) => small.tensors.get(n)!;
  // gru.wz [16,16] → [20,20]: old block at the top-left, new entries random.
  assert.deepEqual(g("layers.0.gru.wz").subarray(20, 36), s("layers.0.gru.wz").subarray(16, 32));
  assert.ok(g("layers.0.gru.wz").subarray(16, 20).every((x) => x !== 0));
  // ffn.w2 [16,64] → [20,80]: new columns and rows zero.
  const w2 = g("layers.0.ffn.w2");
  assert.deepEqual(w2.subarray(0, 64), s("layers.0.ffn.w2").subarray(0, 64));
  assert.ok(w2.subarray(64, 80).every((x) => x === 0));
  assert.ok(w2.subarray(16 * 80).every((x) => x === 0));
  assert.deepEqual(g("layers.0.mem.keys"), s("layers.0.mem.keys"));
  const scale = Math.sqrt(16 / 20);
  assert.equal(g("final_norm")[0], Math.fround(s("final_norm")[0]! * scale));
  assert.equal(g("final_norm")[19], Math.fround(scale));
  for (const w of ["conv.gain", "gru.wo", "mem.values", "ffn.w2"]) {
    assert.ok(g(`layers.1.${w}`).every((x) => x === 0), w);
  }
  assert.ok(g("layers.1.gru.norm").every((x) => x === 1));
  assert.ok(g("layers.1.mem.keys").some((x) => x !== 0));
  assert.throws(() => growCheckpoint(grown, { dModel: 16, nLayers: 2 }, 1), RangeError);
  // Deterministic.
  assert.deepEqual(growCheckpoint(small, { dModel: 20, nLayers: 2 }, 5).tensors, grown.tensors);
});

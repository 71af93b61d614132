/**
 * The full ResonanceNet V5 CPU reference model (PROTOCOL.md §3.1), composed from the per-op
 * references in this folder: forward, mean next-byte loss, backward for every tensor, the
 * consensus validation loss (§3.3) and one AdamW training step with gradient clipping.
 *
 * Activations are `[rows, dim]` with rows = batch·time, window after window; every window
 * starts from zero state. Intermediate values are f32 (as the ops store them); sums of
 * per-row losses are taken in doubles in row order.
 *
 * @module
 */
import { type Checkpoint, getTensor } from "../../core/checkpoint/checkpoint.ts";
import {
  CONV_KERNELS,
  FFN_MULT,
  SLOT_KEY,
  SLOTS,
  tensorSpecs,
  VOCAB,
} from "../../core/checkpoint/model_config.ts";
import { type AdamwOptions, adamwUpdate } from "./adamw.ts";
import { convBackward, convForward } from "./conv.ts";
import { crossEntropy } from "./cross_entropy.ts";
import { addInPlace } from "./elementwise.ts";
import { embeddingBackward, embeddingForward } from "./embedding.ts";
import { matmulBackward, matmulForward } from "./matmul.ts";
import { minGruScanBackward, minGruScanForward } from "./mingru.ts";
import { rmsnormBackward, rmsnormForward } from "./rmsnorm.ts";
import { softmaxBackward, softmaxForward } from "./softmax.ts";
import { swigluBackward, swigluForward } from "./swiglu.ts";

/** Softmax temperature of the slot memory scores: 1/√32. */
export const SLOT_SCALE = 1 / Math.sqrt(SLOT_KEY);

/** What one layer's backward needs from its forward. */
interface LayerCache {
  h0: Float32Array; // layer input
  n1: Float32Array;
  r1: Float32Array;
  h1: Float32Array; // after conv
  n2: Float32Array;
  r2: Float32Array;
  k: Float32Array;
  u: Float32Array;
  s: Float32Array;
  h2: Float32Array; // after minGRU
  n3: Float32Array;
  r3: Float32Array;
  q: Float32Array;
  p: Float32Array;
  h3: Float32Array; // after slot memory
  n4: Float32Array;
  r4: Float32Array;
  a: Float32Array;
  b: Float32Array;
  m: Float32Array;
}

/** Forward activations kept for {@link backward}. */
interface ForwardCache {
  layers: LayerCache[];
  hL: Float32Array;
  y: Float32Array;
  rstd: Float32Array;
}

function plus(x: Float32Array, delta: Float32Array): Float32Array {
  const out = x.slice();
  addInPlace(out, delta);
  return out;
}

/** The five conv branch weights of layer `l`, in CONV_KERNELS order. */
function convWeights(ckpt: Checkpoint, l: number): Float32Array[] {
  return CONV_KERNELS.map((k) => getTensor(ckpt, `layers.${l}.conv.w${k}`));
}

function checkTokens(tokens: Uint32Array, batch: number, time: number): void {
  if (!Number.isInteger(batch) || !Number.isInteger(time) || batch < 1 || time < 1) {
    throw new RangeError(`batch and time must be positive integers, got ${batch}, ${time}`);
  }
  if (tokens.length !== batch * time) {
    throw new RangeError(`tokens must have ${batch * time} elements, got ${tokens.length}`);
  }
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]! >= VOCAB) throw new RangeError(`tokens[${i}] must be < 256, got ${tokens[i]}`);
  }
}

function forward(
  ckpt: Checkpoint,
  tokens: Uint32Array,
  batch: number,
  time: number,
  keep: boolean,
): { logits: Float32Array; cache: ForwardCache | null } {
  checkTokens(tokens, batch, time);
  const d = ckpt.config.dModel, f = FFN_MULT * d, rows = batch * time;
  const t = (name: string) => getTensor(ckpt, name);
  let h = embeddingForward(tokens, t("embed"), d);
  const layers: LayerCache[] = [];
  for (let l = 0; l < ckpt.config.nLayers; l++) {
    const p = `layers.${l}.`;
    const h0 = h;
    // (a) multi-scale causal depthwise convolution
    const { y: n1, rstd: r1 } = rmsnormForward(h0, t(p + "conv.norm"), rows, d);
    const h1 = plus(
      h0,
      convForward(n1, convWeights(ckpt, l), t(p + "conv.gain"), batch, time, d),
    );
    // (b) minGRU
    const { y: n2, rstd: r2 } = rmsnormForward(h1, t(p + "gru.norm"), rows, d);
    const k = matmulForward(n2, t(p + "gru.wz"), rows, d, d);
    const u = matmulForward(n2, t(p + "gru.wh"), rows, d, d);
    const s = minGruScanForward(k, u, batch, time, d);
    const h2 = plus(h1, matmulForward(s, t(p + "gru.wo"), rows, d, d));
    // (c) slot memory
    const { y: n3, rstd: r3 } = rmsnormForward(h2, t(p + "mem.norm"), rows, d);
    const q = matmulForward(n3, t(p + "mem.wq"), rows, d, SLOT_KEY);
    const scores = matmulForward(q, t(p + "mem.keys"), rows, SLOT_KEY, SLOTS);
    const pr = softmaxForward(scores, rows, SLOTS, SLOT_SCALE);
    const h3 = plus(h2, matmulForward(pr, t(p + "mem.values"), rows, SLOTS, d));
    // (d) SwiGLU feed-forward
    const { y: n4, rstd: r4 } = rmsnormForward(h3, t(p + "ffn.norm"), rows, d);
    const a = matmulForward(n4, t(p + "ffn.w1"), rows, d, f);
    const b = matmulForward(n4, t(p + "ffn.w3"), rows, d, f);
    const m = swigluForward(a, b);
    h = plus(h3, matmulForward(m, t(p + "ffn.w2"), rows, f, d));
    if (keep) {
      layers.push({ h0, n1, r1, h1, n2, r2, k, u, s, h2, n3, r3, q, p: pr, h3, n4, r4, a, b, m });
    }
  }
  const { y, rstd } = rmsnormForward(h, t("final_norm"), rows, d);
  const logits = matmulForward(y, t("embed"), rows, d, VOCAB);
  return { logits, cache: keep ? { layers, hL: h, y, rstd } : null };
}

/**
 * Logits `[batch·time, 256]` of the parallel forward pass (each window from zero state).
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { forwardLogits } from "./model.ts";
 * const ckpt = genesisCheckpoint({ dModel: 8, nLayers: 1 }, 1);
 * forwardLogits(ckpt, new Uint32Array([104, 105]), 1, 2).length; // 512
 * ```
 */
export function forwardLogits(
  checkpoint: Checkpoint,
  tokens: Uint32Array,
  batch: number,
  time: number,
): Float32Array {
  return forward(checkpoint, tokens, batch, time, false).logits;
}

/**
 * Next-byte targets: row r predicts tokens[r + 1] inside its window; the last row of every
 * window has no target (−1).
 */
export function nextByteTargets(tokens: Uint32Array, batch: number, time: number): Int32Array {
  const targets = new Int32Array(batch * time);
  for (let r = 0; r < targets.length; r++) {
    targets[r] = r % time === time - 1 ? -1 : tokens[r + 1]!;
  }
  return targets;
}

function meanLoss(losses: Float32Array, targets: Int32Array): { sum: number; count: number } {
  let sum = 0, count = 0;
  for (let r = 0; r < losses.length; r++) {
    if (targets[r] === -1) continue;
    sum += losses[r]!;
    count++;
  }
  return { sum, count };
}

/**
 * Mean next-byte cross-entropy (nats) over the `batch·(time − 1)` predictions of `tokens`
 * (`batch` windows of `time` bytes, row-major).
 */
export function forwardLoss(
  checkpoint: Checkpoint,
  tokens: Uint32Array,
  batch: number,
  time: number,
): number {
  if (time < 2) throw new RangeError(`time must be at least 2 to predict anything, got ${time}`);
  const logits = forwardLogits(checkpoint, tokens, batch, time);
  const targets = nextByteTargets(tokens, batch, time);
  const { losses } = crossEntropy(logits, targets, batch * time, VOCAB);
  const { sum, count } = meanLoss(losses, targets);
  return sum / count;
}

/** Loss and the gradient of every tensor (canonical names). */
export interface LossAndGradients {
  /** Mean next-byte loss in nats. */
  loss: number;
  /** d loss / d tensor, same shapes as the checkpoint's. */
  grads: Map<string, Float32Array>;
}

/**
 * Mean next-byte loss (as {@link forwardLoss}) and its gradient with respect to every tensor.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { lossAndGradients } from "./model.ts";
 * const ckpt = genesisCheckpoint({ dModel: 8, nLayers: 1 }, 1);
 * const { loss, grads } = lossAndGradients(ckpt, new Uint32Array([104, 105, 33]), 1, 3);
 * grads.get("embed")!.length; // 2048
 * ```
 */
export function lossAndGradients(
  checkpoint: Checkpoint,
  tokens: Uint32Array,
  batch: number,
  time: number,
): LossAndGradients {
  if (time < 2) throw new RangeError(`time must be at least 2 to predict anything, got ${time}`);
  const { logits, cache } = forward(checkpoint, tokens, batch, time, true);
  const targets = nextByteTargets(tokens, batch, time);
  const rows = batch * time;
  const { losses, dlogits } = crossEntropy(logits, targets, rows, VOCAB);
  const { sum, count } = meanLoss(losses, targets);
  const inv = 1 / count;
  for (let i = 0; i < dlogits.length; i++) dlogits[i] = dlogits[i]! * inv;
  return { loss: sum / count, grads: backward(checkpoint, tokens, batch, time, cache!, dlogits) };
}

function backward(
  ckpt: Checkpoint,
  tokens: Uint32Array,
  batch: number,
  time: number,
  cache: ForwardCache,
  dlogits: Float32Array,
): Map<string, Float32Array> {
  const d = ckpt.config.dModel, f = FFN_MULT * d, rows = batch * time;
  const t = (name: string) => getTensor(ckpt, name);
  const grads = new Map<string, Float32Array>();
  // Tied head and final norm.
  const head = matmulBackward(dlogits, cache.y, t("embed"), rows, d, VOCAB);
  const fin = rmsnormBackward(head.dx, cache.hL, t("final_norm"), cache.rstd, rows, d);
  grads.set("final_norm", fin.dgain);
  const dh = fin.dx; // running d loss / d residual stream
  for (let l = ckpt.config.nLayers - 1; l >= 0; l--) {
    const p = `layers.${l}.`;
    const c = cache.layers[l]!;
    // (d) SwiGLU: h4 = h3 + w2·swiglu(w1·n4, w3·n4)
    const w2 = matmulBackward(dh, c.m, t(p + "ffn.w2"), rows, f, d);
    const sw = swigluBackward(w2.dx, c.a, c.b);
    const w1 = matmulBackward(sw.da, c.n4, t(p + "ffn.w1"), rows, d, f);
    const w3 = matmulBackward(sw.db, c.n4, t(p + "ffn.w3"), rows, d, f);
    addInPlace(w1.dx, w3.dx);
    const nf = rmsnormBackward(w1.dx, c.h3, t(p + "ffn.norm"), c.r4, rows, d);
    addInPlace(dh, nf.dx);
    // (c) slot memory: h3 = h2 + values·softmax(keys·(wq·n3)/√32)
    const vals = matmulBackward(dh, c.p, t(p + "mem.values"), rows, SLOTS, d);
    const dscores = softmaxBackward(vals.dx, c.p, rows, SLOTS, SLOT_SCALE);
    const keys = matmulBackward(dscores, c.q, t(p + "mem.keys"), rows, SLOT_KEY, SLOTS);
    const wq = matmulBackward(keys.dx, c.n3, t(p + "mem.wq"), rows, d, SLOT_KEY);
    const nm = rmsnormBackward(wq.dx, c.h2, t(p + "mem.norm"), c.r3, rows, d);
    addInPlace(dh, nm.dx);
    // (b) minGRU: h2 = h1 + wo·scan(wz·n2, wh·n2)
    const wo = matmulBackward(dh, c.s, t(p + "gru.wo"), rows, d, d);
    const scan = minGruScanBackward(wo.dx, c.k, c.u, c.s, batch, time, d);
    const wz = matmulBackward(scan.dk, c.n2, t(p + "gru.wz"), rows, d, d);
    const wh = matmulBackward(scan.du, c.n2, t(p + "gru.wh"), rows, d, d);
    addInPlace(wz.dx, wh.dx);
    const ng = rmsnormBackward(wz.dx, c.h1, t(p + "gru.norm"), c.r2, rows, d);
    addInPlace(dh, ng.dx);
    // (a) conv: h1 = h0 + conv(n1)
    const cv = convBackward(
      dh,
      c.n1,
      convWeights(ckpt, l),
      t(p + "conv.gain"),
      batch,
      time,
      d,
    );
    const nc = rmsnormBackward(cv.dx, c.h0, t(p + "conv.norm"), c.r1, rows, d);
    addInPlace(dh, nc.dx);
    const layerGrads: [string, Float32Array][] = [
      ["conv.norm", nc.dgain],
      ...CONV_KERNELS.map((k, i) => [`conv.w${k}`, cv.dweights[i]!] as [string, Float32Array]),
      ["conv.gain", cv.dgains],
      ["gru.norm", ng.dgain],
      ["gru.wz", wz.dw],
      ["gru.wh", wh.dw],
      ["gru.wo", wo.dw],
      ["mem.norm", nm.dgain],
      ["mem.wq", wq.dw],
      ["mem.keys", keys.dw],
      ["mem.values", vals.dw],
      ["ffn.norm", nf.dgain],
      ["ffn.w1", w1.dw],
      ["ffn.w3", w3.dw],
      ["ffn.w2", w2.dw],
    ];
    for (const [name, g] of layerGrads) grads.set(p + name, g);
  }
  const dEmbed = embeddingBackward(dh, tokens, VOCAB, d);
  addInPlace(dEmbed, head.dw);
  grads.set("embed", dEmbed);
  // Canonical order.
  return new Map(tensorSpecs(ckpt.config).map((s) => [s.name, grads.get(s.name)!]));
}

/**
 * The consensus validation loss (PROTOCOL.md §3.3) on the CPU: `bytes` cut into ⌊len/W⌋
 * windows of `windowLen` bytes, each from zero state, bytes 1..W−1 of each predicted; the mean
 * cross-entropy in nats over all (W−1)·⌊len/W⌋ predictions, summed in row order. Windows are
 * processed `windowsPerBatch` at a time to bound memory (the result does not depend on it).
 */
export function evaluateLossCpu(
  checkpoint: Checkpoint,
  bytes: Uint8Array,
  windowLen: number,
  windowsPerBatch = 16,
): number {
  if (!Number.isInteger(windowLen) || windowLen < 2) {
    throw new RangeError(`windowLen must be an integer >= 2, got ${windowLen}`);
  }
  const windows = Math.floor(bytes.length / windowLen);
  if (windows < 1) {
    throw new RangeError(`Need at least one window of ${windowLen} bytes, got ${bytes.length}`);
  }
  let sum = 0, count = 0;
  for (let w0 = 0; w0 < windows; w0 += windowsPerBatch) {
    const batch = Math.min(windowsPerBatch, windows - w0);
    const tokens = Uint32Array.from(
      bytes.subarray(w0 * windowLen, (w0 + batch) * windowLen),
    );
    const logits = forwardLogits(checkpoint, tokens, batch, windowLen);
    const targets = nextByteTargets(tokens, batch, windowLen);
    const { losses } = crossEntropy(logits, targets, batch * windowLen, VOCAB);
    const part = meanLoss(losses, targets);
    sum += part.sum;
    count += part.count;
  }
  return sum / count;
}

/** AdamW moments and step counter for every tensor. */
export interface AdamState {
  /** Steps taken so far (the next update uses step + 1). */
  step: number;
  /** First moments by tensor name. */
  m: Map<string, Float32Array>;
  /** Second moments by tensor name. */
  v: Map<string, Float32Array>;
}

/** Zero AdamW state for `checkpoint`. */
export function createAdamState(checkpoint: Checkpoint): AdamState {
  const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
  for (const [name, t] of checkpoint.tensors) {
    m.set(name, new Float32Array(t.length));
    v.set(name, new Float32Array(t.length));
  }
  return { step: 0, m, v };
}

/** Training hyper-parameters for one step. */
export interface TrainStepOptions extends AdamwOptions {
  /** Clip the global gradient L2 norm to this (scale = min(1, max/‖g‖)). */
  maxGradNorm: number;
}

/**
 * Whether AdamW's decoupled weight decay applies to tensor `name`: every matrix and the
 * embedding; not norms and not conv branch gains.
 */
export function decaysWeight(name: string): boolean {
  return !name.endsWith("norm") && !name.endsWith("conv.gain");
}

/**
 * One CPU training step in place: loss and gradients, global-norm clipping, AdamW on every
 * tensor (weight decay per {@link decaysWeight}). Returns the loss before the update and the
 * unclipped gradient norm.
 */
export function trainStepCpu(
  checkpoint: Checkpoint,
  state: AdamState,
  tokens: Uint32Array,
  batch: number,
  time: number,
  opts: TrainStepOptions,
): { loss: number; gradNorm: number } {
  const { loss, grads } = lossAndGradients(checkpoint, tokens, batch, time);
  const gradNorm = globalGradNorm(grads);
  const clip = gradNorm > opts.maxGradNorm ? opts.maxGradNorm / gradNorm : 1;
  state.step++;
  for (const [name, g] of grads) {
    adamwUpdate(
      getTensor(checkpoint, name),
      g,
      state.m.get(name)!,
      state.v.get(name)!,
      state.step,
      { ...opts, weightDecay: decaysWeight(name) ? opts.weightDecay : 0 },
      clip,
    );
  }
  return { loss, gradNorm };
}

/** √(Σ g²) over all tensors, summed in doubles in canonical order. */
export function globalGradNorm(grads: Map<string, Float32Array>): number {
  let ss = 0;
  for (const g of grads.values()) for (let i = 0; i < g.length; i++) ss += g[i]! * g[i]!;
  return Math.sqrt(ss);
}

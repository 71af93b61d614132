/**
 * WGSL AdamW step with global-norm gradient clipping, and the fixed-order sum of squares that
 * produces the norm².
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { fixedOrderSumWgsl, SUM_THREADS } from "./cross_entropy.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";

/** Fixed-order Σ v² kernel (see `fixedOrderSumWgsl`). */
export const SUM_SQUARES_WGSL = fixedOrderSumWgsl("v * v");

/**
 * Σ v² of many ranges of one buffer in one dispatch: workgroup w sums the `segments[2w + 1]`
 * values from `segments[2w]` on into out[w], in the same fixed order as {@link SUM_SQUARES_WGSL}
 * (so each sum is bit-identical to a separate dispatch over that range).
 */
export const SEGMENTED_SUM_SQUARES_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
@group(0) @binding(2) var<storage, read> segments: array<u32>;
var<workgroup> partial: array<f32, ${SUM_THREADS}>;
@compute @workgroup_size(${SUM_THREADS})
fn main(@builtin(local_invocation_index) li: u32, @builtin(workgroup_id) wg: vec3<u32>) {
  let first = segments[2u * wg.x];
  let n = segments[2u * wg.x + 1u];
  var s = 0.0;
  for (var i = li; i < n; i += ${SUM_THREADS}u) { let v = input[first + i]; s += v * v; }
  partial[li] = s;
  workgroupBarrier();
  if (li == 0u) {
    var total = 0.0;
    for (var j = 0u; j < ${SUM_THREADS}u; j++) { total += partial[j]; }
    out[wg.x] = total;
  }
}
`;

/**
 * One thread per parameter: clip scale from normSq[0], then PyTorch AdamW (decoupled decay
 * first, bias-corrected moments).
 */
export const ADAMW_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> param: array<f32>;
@group(0) @binding(1) var<storage, read_write> m: array<f32>;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read> grad: array<f32>;
@group(0) @binding(4) var<storage, read> normSq: array<f32>;
struct Params {
  n: u32, lr: f32, beta1: f32, beta2: f32, eps: f32, decay: f32, bc1: f32, bc2: f32, maxNorm: f32,
}
@group(0) @binding(5) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let ns = normSq[0];
  var scale = 1.0;
  if (p.maxNorm > 0.0 && ns > p.maxNorm * p.maxNorm) { scale = p.maxNorm / sqrt(ns); }
  let g = grad[i] * scale;
  let mi = p.beta1 * m[i] + (1.0 - p.beta1) * g;
  let vi = p.beta2 * v[i] + (1.0 - p.beta2) * g * g;
  m[i] = mi;
  v[i] = vi;
  let w = param[i] * (1.0 - p.lr * p.decay);
  param[i] = w - p.lr * (mi / p.bc1) / (sqrt(vi / p.bc2) + p.eps);
}
`;

/** AdamW hyper-parameters for one step. */
export interface AdamwStepOptions {
  /** Learning rate for this step. */
  lr: number;
  /** First-moment decay. */
  beta1: number;
  /** Second-moment decay. */
  beta2: number;
  /** Denominator ε. */
  eps: number;
  /** Decoupled weight decay λ. */
  weightDecay: number;
  /** Step number t, counted from 1 (bias correction). */
  step: number;
  /** Clip the global gradient norm to this; 0 or Infinity disables clipping. */
  maxGradNorm: number;
}

/**
 * Records out[outIndex] = Σ input[i]² over n values, in a fixed order.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSumSquares } from "./adamw.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const grad = createStorage(gpu, new Float32Array([3, 4]));
 *   const parts = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSumSquares(batch, parts, grad, 2, 1); // into parts[1]
 *   batch.submit();
 *   console.log(await readF32(gpu, parts, 2)); // Float32Array(2) [ 0, 25 ]
 * }
 * ```
 */
export function recordSumSquares(
  b: CommandBatch,
  out: StorageBinding,
  input: StorageBinding,
  n: number,
  outIndex: number,
): void {
  b.dispatch(SUM_SQUARES_WGSL, [out, input], [1], [n, outIndex]);
}

/**
 * Records out[w] = Σ input[i]² over each range w of `segments` (u32 pairs: first float, count),
 * `count` ranges in one dispatch, each summed in the fixed order of {@link recordSumSquares}.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSegmentedSumSquares } from "./adamw.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const grads = createStorage(gpu, new Float32Array([3, 4, 0, 1, 2]));
 *   const segments = createStorage(gpu, new Uint32Array([0, 2, 3, 2])); // [0, 2) and [3, 5)
 *   const out = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSegmentedSumSquares(batch, out, grads, segments, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, out, 2)); // Float32Array(2) [ 25, 5 ]
 * }
 * ```
 */
export function recordSegmentedSumSquares(
  b: CommandBatch,
  out: StorageBinding,
  input: StorageBinding,
  segments: StorageBinding,
  count: number,
): void {
  b.dispatch(SEGMENTED_SUM_SQUARES_WGSL, [out, input, segments], [count]);
}

/**
 * Records one AdamW update of n parameters, with the gradient scaled by
 * min(1, maxGradNorm/√normSq[0]) first.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordAdamw } from "./adamw.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const w = createStorage(gpu, new Float32Array([1]));
 *   const dw = createStorage(gpu, new Float32Array([0.5]));
 *   const normSq = createStorage(gpu, new Float32Array([0.25])); // Σ grad² of the whole model
 *   const m = createStorage(gpu, 4), v = createStorage(gpu, 4);
 *   const batch = new CommandBatch(gpu);
 *   recordAdamw(batch, w, dw, m, v, normSq, 1, {
 *     lr: 0.1,
 *     beta1: 0.9,
 *     beta2: 0.95,
 *     eps: 1e-8,
 *     weightDecay: 0,
 *     step: 1,
 *     maxGradNorm: 1,
 *   });
 *   batch.submit();
 *   console.log(await readF32(gpu, w, 1)); // ≈ [ 0.9 ]: the first step moves by lr
 * }
 * ```
 */
export function recordAdamw(
  b: CommandBatch,
  param: StorageBinding,
  grad: StorageBinding,
  m: StorageBinding,
  v: StorageBinding,
  normSq: StorageBinding,
  n: number,
  opts: AdamwStepOptions,
): void {
  if (!(opts.step >= 1)) throw new RangeError(`step must be >= 1, got ${opts.step}`);
  const maxNorm = Number.isFinite(opts.maxGradNorm) ? opts.maxGradNorm : 0;
  b.dispatch(ADAMW_WGSL, [param, m, v, grad, normSq], grid1d(n), [
    n,
    { f32: opts.lr },
    { f32: opts.beta1 },
    { f32: opts.beta2 },
    { f32: opts.eps },
    { f32: opts.weightDecay },
    { f32: 1 - Math.pow(opts.beta1, opts.step) },
    { f32: 1 - Math.pow(opts.beta2, opts.step) },
    { f32: maxNorm },
  ]);
}

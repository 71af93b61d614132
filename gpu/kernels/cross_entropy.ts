/**
 * WGSL softmax cross-entropy (one thread per row) and a deterministic fixed-order sum.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";

/**
 * losses[r] = −log softmax(logits[r])[t], dlogits[r] = (softmax − onehot(t))·gradScale; rows with
 * target −1 get loss 0 and gradient 0.
 */
export const CROSS_ENTROPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> losses: array<f32>;
@group(0) @binding(1) var<storage, read_write> dlogits: array<f32>;
@group(0) @binding(2) var<storage, read> logits: array<f32>;
@group(0) @binding(3) var<storage, read> targets: array<i32>;
struct Params { rows: u32, vocab: u32, gradScale: f32 }
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let off = r * p.vocab;
  let t = targets[r];
  if (t < 0) {
    losses[r] = 0.0;
    for (var v = 0u; v < p.vocab; v++) { dlogits[off + v] = 0.0; }
    return;
  }
  var mx = logits[off];
  for (var v = 1u; v < p.vocab; v++) { mx = max(mx, logits[off + v]); }
  var sum = 0.0;
  for (var v = 0u; v < p.vocab; v++) { sum += exp(logits[off + v] - mx); }
  losses[r] = log(sum) + mx - logits[off + u32(t)];
  let inv = 1.0 / sum;
  for (var v = 0u; v < p.vocab; v++) {
    var g = exp(logits[off + v] - mx) * inv;
    if (v == u32(t)) { g -= 1.0; }
    dlogits[off + v] = g * p.gradScale;
  }
}
`;

/** Threads in the one workgroup of the sum kernels. */
export const SUM_THREADS = 256;

/**
 * WGSL for a deterministic sum of n values, each mapped by `term` (e.g. `v` or `v * v`), into
 * out[outIndex]: thread i sums elements i, i+256, … in order, then thread 0 adds the 256 partials
 * in order. One workgroup, so the order never depends on scheduling.
 */
export function fixedOrderSumWgsl(term: string): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<storage, read> input: array<f32>;
struct Params { n: u32, outIndex: u32 }
@group(0) @binding(2) var<uniform> p: Params;
var<workgroup> partial: array<f32, ${SUM_THREADS}>;
@compute @workgroup_size(${SUM_THREADS})
fn main(@builtin(local_invocation_index) li: u32) {
  var s = 0.0;
  for (var i = li; i < p.n; i += ${SUM_THREADS}u) { let v = input[i]; s += ${term}; }
  partial[li] = s;
  workgroupBarrier();
  if (li == 0u) {
    var total = 0.0;
    for (var j = 0u; j < ${SUM_THREADS}u; j++) { total += partial[j]; }
    out[p.outIndex] = total;
  }
}
`;
}

/** Fixed-order sum of n f32 values. */
export const SUM_WGSL = fixedOrderSumWgsl("v");

/**
 * Records losses and dlogits (already multiplied by `gradScale`) for `[rows, vocab]` logits and
 * i32 targets (−1 = no prediction).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordCrossEntropy } from "./cross_entropy.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const logits = createStorage(gpu, new Float32Array([0, 0]));
 *   const targets = createStorage(gpu, new Int32Array([1]));
 *   const losses = createStorage(gpu, 4), dlogits = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordCrossEntropy(batch, losses, dlogits, logits, targets, 1, 2, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, losses, 1)); // ≈ [ 0.6931 ] (ln 2)
 *   console.log(await readF32(gpu, dlogits, 2)); // Float32Array(2) [ 0.5, -0.5 ]
 * }
 * ```
 */
export function recordCrossEntropy(
  b: CommandBatch,
  losses: StorageBinding,
  dlogits: StorageBinding,
  logits: StorageBinding,
  targets: StorageBinding,
  rows: number,
  vocab: number,
  gradScale: number,
): void {
  b.dispatch(CROSS_ENTROPY_WGSL, [losses, dlogits, logits, targets], grid1d(rows), [
    rows,
    vocab,
    { f32: gradScale },
  ]);
}

/**
 * Records out[outOffset] = Σ input[0..n) in a fixed order (bit-identical run to run).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSum } from "./cross_entropy.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const input = createStorage(gpu, new Float32Array([1, 2, 3]));
 *   const out = createStorage(gpu, 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSum(batch, out, input, 3);
 *   batch.submit();
 *   console.log(await readF32(gpu, out, 1)); // Float32Array(1) [ 6 ]
 * }
 * ```
 */
export function recordSum(
  b: CommandBatch,
  out: StorageBinding,
  input: StorageBinding,
  n: number,
  outOffset = 0,
): void {
  b.dispatch(SUM_WGSL, [out, input], [1], [n, outOffset]);
}

/**
 * WGSL kernels for the scaled row softmax `p = softmax(scale·x)` of the slot memory
 * (reference: `gpu/ref/softmax.ts`). One thread per row loops over the columns (64 slots in
 * the model), so there is no workgroup memory and no barrier, and every row sums in a fixed
 * order.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE as WG } from "./elementwise.ts";

/** p[r, :] = softmax(scale·x[r, :]), max-subtracted. */
export const SOFTMAX_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> p: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
struct Params { rows: u32, cols: u32, scale: f32 }
@group(0) @binding(2) var<uniform> u: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= u.rows) { return; }
  let o = r * u.cols;
  var mx = u.scale * x[o];
  for (var c = 1u; c < u.cols; c++) { mx = max(mx, u.scale * x[o + c]); }
  var sum = 0.0;
  for (var c = 0u; c < u.cols; c++) {
    let e = exp(u.scale * x[o + c] - mx);
    p[o + c] = e;
    sum += e;
  }
  let inv = 1.0 / sum;
  for (var c = 0u; c < u.cols; c++) { p[o + c] = p[o + c] * inv; }
}
`;

/** dx = scale·p ⊙ (dp − Σ p·dp) per row. */
export const SOFTMAX_BACKWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dp: array<f32>;
@group(0) @binding(2) var<storage, read> p: array<f32>;
struct Params { rows: u32, cols: u32, scale: f32 }
@group(0) @binding(3) var<uniform> u: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= u.rows) { return; }
  let o = r * u.cols;
  var dot = 0.0;
  for (var c = 0u; c < u.cols; c++) { dot += p[o + c] * dp[o + c]; }
  for (var c = 0u; c < u.cols; c++) { dx[o + c] = u.scale * p[o + c] * (dp[o + c] - dot); }
}
`;

/**
 * Records `p = softmax(scale·x)` for each of `rows` rows of `cols` values (cols ≥ 1).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSoftmaxForward } from "./softmax.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const scores = createStorage(gpu, new Float32Array([0, Math.log(3)]));
 *   const p = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSoftmaxForward(batch, p, scores, 1, 2, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, p, 2)); // ≈ [ 0.25, 0.75 ]
 * }
 * ```
 */
export function recordSoftmaxForward(
  b: CommandBatch,
  p: StorageBinding,
  x: StorageBinding,
  rows: number,
  cols: number,
  scale: number,
): void {
  b.dispatch(SOFTMAX_FORWARD_WGSL, [p, x], grid1d(rows), [rows, cols, { f32: scale }]);
}

/**
 * Records the softmax backward `dx = scale·p ⊙ (dp − Σ_c p·dp)` for `rows` rows.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSoftmaxBackward } from "./softmax.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const p = createStorage(gpu, new Float32Array([0.25, 0.75]));
 *   const dp = createStorage(gpu, new Float32Array([1, 0]));
 *   const dscores = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSoftmaxBackward(batch, dscores, dp, p, 1, 2, 1); // p·(dp − Σ p·dp)
 *   batch.submit();
 *   console.log(await readF32(gpu, dscores, 2)); // Float32Array(2) [ 0.1875, -0.1875 ]
 * }
 * ```
 */
export function recordSoftmaxBackward(
  b: CommandBatch,
  dx: StorageBinding,
  dp: StorageBinding,
  p: StorageBinding,
  rows: number,
  cols: number,
  scale: number,
): void {
  b.dispatch(SOFTMAX_BACKWARD_WGSL, [dx, dp, p], grid1d(rows), [rows, cols, { f32: scale }]);
}

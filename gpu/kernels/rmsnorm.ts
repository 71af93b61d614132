/**
 * WGSL RMSNorm (y = x/√((Σx²+ε)/dim)⊙gain) forward and backward over `[rows, dim]`.
 * One thread per row for the row-wise parts; dgain has one thread per channel that sums over
 * rows in order (no atomics), so results are bit-identical run to run.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { RMSNORM_EPS } from "../ref/rmsnorm.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";

/** Forward: one thread per row writes y and rstd. */
export const RMSNORM_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read_write> rstd: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gain: array<f32>;
struct Params { rows: u32, dim: u32 }
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let off = r * p.dim;
  var ss = 0.0;
  for (var c = 0u; c < p.dim; c++) { let v = x[off + c]; ss += v * v; }
  let rs = inverseSqrt((ss + ${RMSNORM_EPS}) / f32(p.dim));
  rstd[r] = rs;
  for (var c = 0u; c < p.dim; c++) { y[off + c] = x[off + c] * rs * gain[c]; }
}
`;

/** Backward dx: one thread per row. dx = rstd·(dy⊙g − n·mean(dy⊙g⊙n)), n = x·rstd. */
export const RMSNORM_BACKWARD_DX_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> gain: array<f32>;
@group(0) @binding(4) var<storage, read> rstd: array<f32>;
struct Params { rows: u32, dim: u32, acc: u32 }
@group(0) @binding(5) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = flatIndex(gid, nwg);
  if (r >= p.rows) { return; }
  let off = r * p.dim;
  let rs = rstd[r];
  var dot = 0.0;
  for (var c = 0u; c < p.dim; c++) { dot += dy[off + c] * gain[c] * x[off + c] * rs; }
  let mean = dot / f32(p.dim);
  for (var c = 0u; c < p.dim; c++) {
    let v = rs * (dy[off + c] * gain[c] - x[off + c] * rs * mean);
    if (p.acc != 0u) { dx[off + c] = dx[off + c] + v; } else { dx[off + c] = v; }
  }
}
`;

/** Backward dgain: one thread per channel, rows summed in order. */
export const RMSNORM_BACKWARD_DGAIN_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dgain: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read> rstd: array<f32>;
struct Params { rows: u32, dim: u32 }
@group(0) @binding(4) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = flatIndex(gid, nwg);
  if (c >= p.dim) { return; }
  var s = 0.0;
  for (var r = 0u; r < p.rows; r++) { s += dy[r * p.dim + c] * x[r * p.dim + c] * rstd[r]; }
  dgain[c] = s;
}
`;

/**
 * Records y = rmsnorm(x)⊙gain and rstd[r] = 1/√((Σx²+ε)/dim).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordRmsnormForward } from "./rmsnorm.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const x = createStorage(gpu, new Float32Array([3, 4]));
 *   const gain = createStorage(gpu, new Float32Array([1, 2]));
 *   const y = createStorage(gpu, 2 * 4), rstd = createStorage(gpu, 4);
 *   const batch = new CommandBatch(gpu);
 *   recordRmsnormForward(batch, y, rstd, x, gain, 1, 2); // one row of 2: rms = √12.5
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 2)); // ≈ [ 0.8485, 2.2627 ]
 * }
 * ```
 */
export function recordRmsnormForward(
  b: CommandBatch,
  y: StorageBinding,
  rstd: StorageBinding,
  x: StorageBinding,
  gain: StorageBinding,
  rows: number,
  dim: number,
): void {
  b.dispatch(RMSNORM_FORWARD_WGSL, [y, rstd, x, gain], grid1d(rows), [rows, dim]);
}

/**
 * Records dx (overwritten, or added to when `accDx`) and dgain (overwritten) of RMSNorm.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordRmsnormBackward } from "./rmsnorm.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const x = createStorage(gpu, new Float32Array([3, 4]));
 *   const gain = createStorage(gpu, new Float32Array([1, 1]));
 *   const rstd = createStorage(gpu, new Float32Array([1 / Math.sqrt(12.5)]));
 *   const dy = createStorage(gpu, new Float32Array([1, 0]));
 *   const dx = createStorage(gpu, 2 * 4), dgain = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordRmsnormBackward(batch, dx, dgain, dy, x, gain, rstd, 1, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, dgain, 2)); // dgain = dy·x·rstd ≈ [ 0.8485, 0 ]
 * }
 * ```
 */
export function recordRmsnormBackward(
  b: CommandBatch,
  dx: StorageBinding,
  dgain: StorageBinding,
  dy: StorageBinding,
  x: StorageBinding,
  gain: StorageBinding,
  rstd: StorageBinding,
  rows: number,
  dim: number,
  accDx = false,
): void {
  b.dispatch(RMSNORM_BACKWARD_DX_WGSL, [dx, dy, x, gain, rstd], grid1d(rows), [
    rows,
    dim,
    accDx ? 1 : 0,
  ]);
  b.dispatch(RMSNORM_BACKWARD_DGAIN_WGSL, [dgain, dy, x, rstd], grid1d(dim), [rows, dim]);
}

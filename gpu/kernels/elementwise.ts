/**
 * Element-wise WGSL kernels (residual add, copy, in-place scale) and the 1-D launch helper the
 * other kernels in this folder share: one thread per element over a 2-D grid of 64-thread
 * workgroups, so more than 65535·64 elements can be covered.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";

/** Threads per workgroup for 1-D kernels. */
export const WORKGROUP_SIZE = 64;

/** Largest workgroup count allowed in one dispatch dimension. */
export const MAX_WORKGROUPS_PER_DIM = 65535;

/**
 * Workgroup counts (x, y) covering `threads` threads of a 64-wide 1-D kernel. Kernels recover
 * the flat index with {@link FLAT_INDEX_WGSL}'s `flatIndex(gid, nwg)`.
 *
 * @example
 * ```ts
 * grid1d(100); // [2, 1]
 * ```
 */
export function grid1d(threads: number): [number, number] {
  const groups = Math.ceil(threads / WORKGROUP_SIZE);
  if (groups <= MAX_WORKGROUPS_PER_DIM) return [groups, 1];
  const y = Math.ceil(groups / MAX_WORKGROUPS_PER_DIM);
  return [Math.ceil(groups / y), y];
}

/** WGSL helper turning the 2-D grid of {@link grid1d} back into a flat thread index. */
export const FLAT_INDEX_WGSL = /* wgsl */ `
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * (nwg.x * ${WORKGROUP_SIZE}u) + gid.x;
}
`;

/** y[i] += x[i] for i < n. */
export const ADD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
struct Params { n: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i < p.n) { y[i] = y[i] + x[i]; }
}
`;

/** dst[i] = src[i] for i < n. */
export const COPY_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
struct Params { n: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i < p.n) { dst[i] = src[i]; }
}
`;

/** y[i] *= s for i < n. */
export const SCALE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
struct Params { n: u32, s: f32 }
@group(0) @binding(1) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i < p.n) { y[i] = y[i] * p.s; }
}
`;

/**
 * Records y += x over the first `n` elements (the residual add).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordAdd } from "./elementwise.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const y = createStorage(gpu, new Float32Array([1, 2]));
 *   const x = createStorage(gpu, new Float32Array([10, 20]));
 *   const batch = new CommandBatch(gpu);
 *   recordAdd(batch, y, x, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 2)); // Float32Array(2) [ 11, 22 ]
 * }
 * ```
 */
export function recordAdd(b: CommandBatch, y: StorageBinding, x: StorageBinding, n: number): void {
  b.dispatch(ADD_WGSL, [y, x], grid1d(n), [n]);
}

/**
 * Records dst = src over the first `n` f32 elements, inside the current compute pass (unlike
 * `CommandBatch.copy`, which ends it).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordCopy } from "./elementwise.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const src = createStorage(gpu, new Float32Array([1, 2, 3]));
 *   const dst = createStorage(gpu, 3 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordCopy(batch, dst, src, 3);
 *   batch.submit();
 *   console.log(await readF32(gpu, dst, 3)); // Float32Array(3) [ 1, 2, 3 ]
 * }
 * ```
 */
export function recordCopy(
  b: CommandBatch,
  dst: StorageBinding,
  src: StorageBinding,
  n: number,
): void {
  b.dispatch(COPY_WGSL, [dst, src], grid1d(n), [n]);
}

/**
 * Records y *= s over the first `n` elements, in place.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordScale } from "./elementwise.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const y = createStorage(gpu, new Float32Array([2, 4]));
 *   const batch = new CommandBatch(gpu);
 *   recordScale(batch, y, 2, 0.5);
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 2)); // Float32Array(2) [ 1, 2 ]
 * }
 * ```
 */
export function recordScale(b: CommandBatch, y: StorageBinding, n: number, s: number): void {
  b.dispatch(SCALE_WGSL, [y], grid1d(n), [n, { f32: s }]);
}

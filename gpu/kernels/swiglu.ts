/**
 * WGSL kernels for the SwiGLU gate `m = silu(a) ⊙ c` (reference: `gpu/ref/swiglu.ts`), one
 * thread per element over a 2-D grid of 64-thread workgroups.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE as WG } from "./elementwise.ts";

const INDEX_WGSL = FLAT_INDEX_WGSL + /* wgsl */ `
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
`;

/** m[i] = a[i]·σ(a[i])·c[i]. */
export const SWIGLU_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> m: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> c: array<f32>;
struct Params { n: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let av = a[i];
  m[i] = av * sigmoid(av) * c[i];
}
`;

/** da = dm·c·σ(a)(1 + a(1 − σ(a))), dc = dm·silu(a). */
export const SWIGLU_BACKWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> da: array<f32>;
@group(0) @binding(1) var<storage, read_write> dc: array<f32>;
@group(0) @binding(2) var<storage, read> dm: array<f32>;
@group(0) @binding(3) var<storage, read> a: array<f32>;
@group(0) @binding(4) var<storage, read> c: array<f32>;
struct Params { n: u32 }
@group(0) @binding(5) var<uniform> p: Params;
${INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.n) { return; }
  let av = a[i];
  let s = sigmoid(av);
  let g = dm[i];
  da[i] = g * c[i] * s * (1.0 + av * (1.0 - s));
  dc[i] = g * av * s;
}
`;

/**
 * Records `m = silu(a) ⊙ c` over `n` elements.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSwigluForward } from "./swiglu.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const a = createStorage(gpu, new Float32Array([0, 1]));
 *   const c = createStorage(gpu, new Float32Array([2, 3]));
 *   const m = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSwigluForward(batch, m, a, c, 2); // m = a·σ(a)·c
 *   batch.submit();
 *   console.log(await readF32(gpu, m, 2)); // ≈ [ 0, 2.193 ]
 * }
 * ```
 */
export function recordSwigluForward(
  b: CommandBatch,
  m: StorageBinding,
  a: StorageBinding,
  c: StorageBinding,
  n: number,
): void {
  b.dispatch(SWIGLU_FORWARD_WGSL, [m, a, c], grid1d(n), [n]);
}

/**
 * Records the SwiGLU backward over `n` elements: writes `da` and `dc` from `dm`, `a`, `c`.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordSwigluBackward } from "./swiglu.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const a = createStorage(gpu, new Float32Array([0, 1]));
 *   const c = createStorage(gpu, new Float32Array([2, 3]));
 *   const dm = createStorage(gpu, new Float32Array([1, 1]));
 *   const da = createStorage(gpu, 2 * 4), dc = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordSwigluBackward(batch, da, dc, dm, a, c, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, dc, 2)); // dc = dm·a·σ(a) ≈ [ 0, 0.731 ]
 * }
 * ```
 */
export function recordSwigluBackward(
  b: CommandBatch,
  da: StorageBinding,
  dc: StorageBinding,
  dm: StorageBinding,
  a: StorageBinding,
  c: StorageBinding,
  n: number,
): void {
  b.dispatch(SWIGLU_BACKWARD_WGSL, [da, dc, dm, a, c], grid1d(n), [n]);
}

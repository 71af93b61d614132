/**
 * What the packed uniform-buffer path (`matmul.ts`) and the texture path (`matmul_texture.ts`)
 * share: the operand packing kernel (a strided operand rewritten as k-major panels of
 * {@link PACKED_BLOCK} rows, zero-padded to whole blocks) and one cache of the scratch buffers
 * and textures both allocate per size.
 *
 * @module
 */
import { FLAT_INDEX_WGSL, WORKGROUP_SIZE } from "./elementwise.ts";

/** Rows and columns of C per packed block (rows of one panel block). */
export const PACKED_BLOCK = 128;
/**
 * Packs an operand into block-panel layout: p[(blk·K + k)·B + i] = src[(blk·B + i)·si + k·sk]
 * for blk·B + i < n, zero beyond, B = {@link PACKED_BLOCK}. One chunk of PACKED_K values of k of
 * one block is then a contiguous 64 KiB range that can be copied into a uniform buffer.
 */
export const MATMUL_PACK_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dst: array<f32>;
@group(0) @binding(1) var<storage, read> src: array<f32>;
struct Params { n: u32, K: u32, si: u32, sk: u32, total: u32 }
@group(0) @binding(2) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  if (t >= p.total) { return; }
  let i = t % ${PACKED_BLOCK}u;
  let k = (t / ${PACKED_BLOCK}u) % p.K;
  let row = (t / ${PACKED_BLOCK}u / p.K) * ${PACKED_BLOCK}u + i;
  var v = 0.0;
  if (row < p.n) { v = src[row * p.si + k * p.sk]; }
  dst[t] = v;
}
`;

/** A cached scratch resource: a buffer, or a texture with its view. */
export type MatmulScratch = GPUBuffer | { texture: GPUTexture; view: GPUTextureView };
const scratch = new WeakMap<GPUDevice, Map<string, MatmulScratch>>();

/**
 * The scratch buffer or texture of this device under `key` (which names its role and size),
 * made by `make` on first use and reused after: commands run in recording order (within a batch
 * and across submits), so a later product's pack and copy run after an earlier product's kernel
 * has read the previous contents.
 *
 * @example
 * ```ts
 * import { requestGpu } from "../device.ts";
 * import { matmulScratch } from "./matmul_pack.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) {
 *   const make = () => gpu.device.createBuffer({ size: 64, usage: GPUBufferUsage.STORAGE });
 *   const first = matmulScratch(gpu.device, "example:64", make);
 *   if (matmulScratch(gpu.device, "example:64", make) !== first) throw new Error("not reused");
 * }
 * ```
 */
export function matmulScratch<T extends MatmulScratch>(
  device: GPUDevice,
  key: string,
  make: () => T,
): T {
  let byDevice = scratch.get(device);
  if (!byDevice) scratch.set(device, byDevice = new Map());
  let v = byDevice.get(key);
  if (!v) byDevice.set(key, v = make());
  return v as T;
}

/**
 * The operand packing kernel shared by the packed uniform-buffer path (`matmul.ts`) and the
 * texture path (`matmul_texture.ts`): a strided operand rewritten as k-major panels of
 * {@link PACKED_BLOCK} rows, zero-padded to whole blocks.
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

/**
 * WGSL token-embedding lookup and its deterministic backward: one thread per (vocab entry,
 * 4-channel chunk) scans the tokens in row order and sums the matching dy rows, so there are no
 * atomics and the sum order is fixed.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";

/** Forward: one thread per output element. */
export const EMBEDDING_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> tokens: array<u32>;
@group(0) @binding(2) var<storage, read> table: array<f32>;
struct Params { rows: u32, dim: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= p.rows * p.dim) { return; }
  let r = i / p.dim;
  y[i] = table[tokens[r] * p.dim + (i - r * p.dim)];
}
`;

const CHUNK = 4;

/** Backward: thread (v, chunk) sums dy[r, chunk] over rows r with tokens[r] = v, in order. */
export const EMBEDDING_BACKWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dtable: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
struct Params { rows: u32, vocab: u32, dim: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  let chunks = (p.dim + ${CHUNK - 1}u) / ${CHUNK}u;
  let v = t / chunks;
  if (v >= p.vocab) { return; }
  let c0 = (t - v * chunks) * ${CHUNK}u;
  let n = min(${CHUNK}u, p.dim - c0);
  var s = array<f32, ${CHUNK}>(${Array(CHUNK).fill("0.0").join(", ")});
  for (var r = 0u; r < p.rows; r++) {
    if (tokens[r] == v) {
      for (var j = 0u; j < n; j++) { s[j] += dy[r * p.dim + c0 + j]; }
    }
  }
  for (var j = 0u; j < n; j++) {
    let o = v * p.dim + c0 + j;
    if (p.acc != 0u) { dtable[o] = dtable[o] + s[j]; } else { dtable[o] = s[j]; }
  }
}
`;

/**
 * Records y[r] = table[tokens[r]] for `rows` tokens (u32 buffer).
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordEmbeddingForward } from "./embedding.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const table = createStorage(gpu, new Float32Array([0, 1, 2, 3, 4, 5])); // 3 tokens × 2
 *   const tokens = createStorage(gpu, new Uint32Array([2, 0]));
 *   const x = createStorage(gpu, 4 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordEmbeddingForward(batch, x, tokens, table, 2, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, x, 4)); // Float32Array(4) [ 4, 5, 0, 1 ]
 * }
 * ```
 */
export function recordEmbeddingForward(
  b: CommandBatch,
  y: StorageBinding,
  tokens: StorageBinding,
  table: StorageBinding,
  rows: number,
  dim: number,
): void {
  b.dispatch(EMBEDDING_FORWARD_WGSL, [y, tokens, table], grid1d(rows * dim), [rows, dim]);
}

/**
 * Records dtable (+)= Σ over rows of dy[r] into row tokens[r], deterministically.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordEmbeddingBackward } from "./embedding.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const dx = createStorage(gpu, new Float32Array([1, 1, 1, 1]));
 *   const tokens = createStorage(gpu, new Uint32Array([2, 2]));
 *   const dtable = createStorage(gpu, 6 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordEmbeddingBackward(batch, dtable, dx, tokens, 2, 3, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, dtable, 6)); // Float32Array(6) [ 0, 0, 0, 0, 2, 2 ]
 * }
 * ```
 */
export function recordEmbeddingBackward(
  b: CommandBatch,
  dtable: StorageBinding,
  dy: StorageBinding,
  tokens: StorageBinding,
  rows: number,
  vocab: number,
  dim: number,
  acc = false,
): void {
  const threads = vocab * Math.ceil(dim / CHUNK);
  b.dispatch(EMBEDDING_BACKWARD_WGSL, [dtable, dy, tokens], grid1d(threads), [
    rows,
    vocab,
    dim,
    acc ? 1 : 0,
  ]);
}

/**
 * WGSL matrix products for the bias-free linear layer y = x·Wᵀ (x `[rows, inDim]`, W
 * `[outDim, inDim]`) and its two gradients, as the model records them: {@link
 * recordMatmulForward}, {@link recordMatmulBackwardInput}, {@link recordMatmulBackwardWeight}.
 * Each picks one of three paths by the product's size:
 *
 * - at least {@link TEXTURE_MIN_WORK} multiply-adds, within `textureLimits`: the texture path
 *   (`matmul_texture.ts`), operands in `rgba32float` texture arrays, one dispatch over all of k;
 * - at least {@link PACKED_MIN_WORK} but beyond the texture limits (e.g. a backward-weight
 *   product over more rows than `maxTextureDimension2D`): the packed path, operands packed into
 *   k-major panels (`matmul_pack.ts`) and copied chunk by chunk into uniform buffers, one
 *   dispatch per output block and chunk of {@link PACKED_K} values of k;
 * - smaller products: register-blocked storage-buffer kernels (each thread keeps a tile of the
 *   output in registers and streams its operands with vec4 loads), or a strided scalar kernel
 *   when a size is not a multiple of 4 (`dModel` need only be even).
 *
 * Why three: on Mesa llvmpipe the loads, not the multiply-adds, bound these kernels. A
 * storage-buffer load whose address differs between invocations is a per-lane loop, a
 * uniform-buffer load a cheaper gather, a texture load cheaper still; the big paths pay for
 * packing and copies, which only larger products amortise. Measured figures are in
 * bench/README.md (`matmul_bench.ts`, `model_bench.ts`).
 *
 * Every output element sums over k in a fixed order (the packed path adds chunk sums in
 * increasing k), so results are bit-identical run to run.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";
import { MATMUL_PACK_WGSL, matmulScratch, PACKED_BLOCK } from "./matmul_pack.ts";
import { fitsTexture, recordMatmulTexture, type TextureOperand } from "./matmul_texture.ts";

export { MATMUL_PACK_WGSL, PACKED_BLOCK };

/** Output rows per thread in the fast backward kernels (a multiple of 4). */
export const TILE_M = 16;
/** Output columns per thread in the fast backward kernels (a multiple of 4). */
export const TILE_N = 16;
/**
 * Output tile of the forward kernel. Its accumulators are scalars (vec4 dot products), and
 * 16×16 takes llvmpipe ~15 s to compile against ~4 s for 16×8 at similar speed.
 */
export const FORWARD_TILE_M = 16;
/** See {@link FORWARD_TILE_M}. */
export const FORWARD_TILE_N = 8;
/** Workgroup shape of the strided kernel (threads along n, along m). */
const WG = 8;

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const lines = (n: number, f: (i: number) => string) => range(n).map(f).join("\n");
const grid = (n: number, f: (i: number, j: number) => string, m: number) =>
  range(n).flatMap((i) => range(m).map((j) => f(i, j))).join("\n");
const LANES = ["x", "y", "z", "w"] as const;

/** Forward kernel: y[r, o] (+)= Σ_k x[r, k]·w[o, k] with vec4 dot products along k. */
export function matmulForwardWgsl(tm = FORWARD_TILE_M, tn = FORWARD_TILE_N): string {
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
struct Params { rows: u32, inDim: u32, outDim: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;

${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  let tilesN = (p.outDim + ${tn - 1}u) / ${tn}u;
  let n0 = (t % tilesN) * ${tn}u;
  let m0 = (t / tilesN) * ${tm}u;
  if (m0 >= p.rows) { return; }
  let k4 = p.inDim / 4u;
${lines(tm, (i) => `  let xb${i} = min(m0 + ${i}u, p.rows - 1u) * k4;`)}
${lines(tn, (j) => `  let wb${j} = min(n0 + ${j}u, p.outDim - 1u) * k4;`)}
${grid(tm, (i, j) => `  var s${i}_${j} = 0.0;`, tn)}
  for (var k = 0u; k < k4; k++) {
${lines(tm, (i) => `    let a${i} = x[xb${i} + k];`)}
${lines(tn, (j) => `    let b${j} = w[wb${j} + k];`)}
${grid(tm, (i, j) => `    s${i}_${j} += dot(a${i}, b${j});`, tn)}
  }
${
    grid(
      tm,
      (i, j) =>
        `  if (m0 + ${i}u < p.rows && n0 + ${j}u < p.outDim) {
    let o = (m0 + ${i}u) * p.outDim + n0 + ${j}u;
    if (p.acc != 0u) { y[o] = y[o] + s${i}_${j}; } else { y[o] = s${i}_${j}; }
  }`,
      tn,
    )
  }
}
`;
}

/**
 * Backward-input kernel: dx[r, i] (+)= Σ_o dy[r, o]·w[o, i]. A thread owns tm rows × tn
 * columns; per 4 values of k it loads tm vec4 of dy and 4·tn/4 vec4 of w.
 */
export function matmulBackwardInputWgsl(tm = TILE_M, tn = TILE_N): string {
  const tj = tn / 4;
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dx: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> w: array<vec4<f32>>;
struct Params { rows: u32, inDim: u32, outDim: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;

${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  let n4 = p.inDim / 4u;
  let k4 = p.outDim / 4u;
  let tilesN = (n4 + ${tj - 1}u) / ${tj}u;
  let c0 = (t % tilesN) * ${tj}u;
  let m0 = (t / tilesN) * ${tm}u;
  if (m0 >= p.rows) { return; }
${lines(tm, (i) => `  let ab${i} = min(m0 + ${i}u, p.rows - 1u) * k4;`)}
${lines(tj, (j) => `  let bc${j} = min(c0 + ${j}u, n4 - 1u);`)}
${grid(tm, (i, j) => `  var c${i}_${j} = vec4<f32>(0.0);`, tj)}
  for (var k = 0u; k < k4; k++) {
${lines(tm, (i) => `    let a${i} = dy[ab${i} + k];`)}
${
    range(4).map((kk) =>
      `    let r${kk} = (k * 4u + ${kk}u) * n4;
${lines(tj, (j) => `    let b${kk}_${j} = w[r${kk} + bc${j}];`)}
${grid(tm, (i, j) => `    c${i}_${j} += a${i}.${LANES[kk]} * b${kk}_${j};`, tj)}`
    ).join("\n")
  }
  }
${
    grid(
      tm,
      (i, j) =>
        `  if (m0 + ${i}u < p.rows && c0 + ${j}u < n4) {
    let o = (m0 + ${i}u) * n4 + c0 + ${j}u;
    if (p.acc != 0u) { dx[o] = dx[o] + c${i}_${j}; } else { dx[o] = c${i}_${j}; }
  }`,
      tj,
    )
  }
}
`;
}

/**
 * Backward-weight kernel: dw[o, i] (+)= Σ_r dy[r, o]·x[r, i]. A thread owns tm output rows
 * (o) × tn columns (i); per row r it loads tm/4 vec4 of dy and tn/4 vec4 of x.
 */
export function matmulBackwardWeightWgsl(tm = TILE_M, tn = TILE_N): string {
  const tq = tm / 4, tj = tn / 4;
  const accs = (f: (q: number, l: number, j: number) => string) =>
    range(tq).flatMap((q) => range(4).flatMap((l) => range(tj).map((j) => f(q, l, j))))
      .join("\n");
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dw: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> dy: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
struct Params { rows: u32, inDim: u32, outDim: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;

${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let t = flatIndex(gid, nwg);
  let n4 = p.inDim / 4u;
  let m4 = p.outDim / 4u;
  let tilesN = (n4 + ${tj - 1}u) / ${tj}u;
  let c0 = (t % tilesN) * ${tj}u;
  let q0 = (t / tilesN) * ${tq}u;
  if (q0 >= m4) { return; }
${lines(tq, (q) => `  let aq${q} = min(q0 + ${q}u, m4 - 1u);`)}
${lines(tj, (j) => `  let bc${j} = min(c0 + ${j}u, n4 - 1u);`)}
${accs((q, l, j) => `  var c${q}_${l}_${j} = vec4<f32>(0.0);`)}
  for (var k = 0u; k < p.rows; k++) {
${lines(tq, (q) => `    let a${q} = dy[k * m4 + aq${q}];`)}
${lines(tj, (j) => `    let b${j} = x[k * n4 + bc${j}];`)}
${accs((q, l, j) => `    c${q}_${l}_${j} += a${q}.${LANES[l]} * b${j};`)}
  }
${
    accs((q, l, j) =>
      `  if (q0 + ${q}u < m4 && c0 + ${j}u < n4) {
    let o = ((q0 + ${q}u) * 4u + ${l}u) * n4 + c0 + ${j}u;
    if (p.acc != 0u) { dw[o] = dw[o] + c${q}_${l}_${j}; } else { dw[o] = c${q}_${l}_${j}; }
  }`
    )
  }
}
`;
}

const FB = 4;

/**
 * Strided scalar fallback for any shape: c[m, n] (+)= Σ_k a[m·sam + k·sak]·b[n·sbn + k·sbk],
 * c row-major `[M, N]`, 4×4 tile per thread.
 */
export const MATMUL_STRIDED_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
struct Params { M: u32, N: u32, K: u32, sam: u32, sak: u32, sbn: u32, sbk: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(${WG}, ${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let n0 = gid.x * ${FB}u;
  let m0 = gid.y * ${FB}u;
  if (n0 >= p.N || m0 >= p.M) { return; }
${lines(FB, (i) => `  let ar${i} = min(m0 + ${i}u, p.M - 1u) * p.sam;`)}
${lines(FB, (j) => `  let br${j} = min(n0 + ${j}u, p.N - 1u) * p.sbn;`)}
${grid(FB, (i, j) => `  var s${i}_${j} = 0.0;`, FB)}
  for (var k = 0u; k < p.K; k++) {
${lines(FB, (i) => `    let a${i} = a[ar${i} + k * p.sak];`)}
${lines(FB, (j) => `    let b${j} = b[br${j} + k * p.sbk];`)}
${grid(FB, (i, j) => `    s${i}_${j} += a${i} * b${j};`, FB)}
  }
${
  grid(FB, (i, j) =>
    `  if (m0 + ${i}u < p.M && n0 + ${j}u < p.N) {
    let o = (m0 + ${i}u) * p.N + n0 + ${j}u;
    if (p.acc != 0u) { c[o] = c[o] + s${i}_${j}; } else { c[o] = s${i}_${j}; }
  }`, FB)
}
}
`;

const FORWARD_WGSL = matmulForwardWgsl();
const BACKWARD_INPUT_WGSL = matmulBackwardInputWgsl();
const BACKWARD_WEIGHT_WGSL = matmulBackwardWeightWgsl();

/** Values of k per packed chunk: PACKED_BLOCK·PACKED_K floats = 64 KiB, one uniform binding. */
export const PACKED_K = 128;
/** Output tile per thread of the packed kernel (PACKED_TILE × PACKED_TILE). */
export const PACKED_TILE = 8;
/**
 * Products with rows·inDim·outDim at or above this take the packed uniform-buffer path; smaller
 * ones do not amortise its extra dispatches and copies.
 */
export const PACKED_MIN_WORK = 1 << 20;
/**
 * Products with rows·inDim·outDim at or above this (and within `textureLimits`) take the texture
 * path of `matmul_texture.ts` instead of the packed one. Chosen by measurement (bench/README.md):
 * at 2^20 the testnet model ran faster in 13 of 15 interleaved pairs, at 2^23 in 9 of 15.
 */
export const TEXTURE_MIN_WORK = PACKED_MIN_WORK;

/**
 * Packed block kernel: c[m0 + i, n0 + j] (+)= Σ_{k < kLen} a[k, i]·b[k, j] over one chunk,
 * with a and b `[PACKED_K, PACKED_BLOCK]` k-major in uniform buffers.
 *
 * Why uniform buffers: llvmpipe (Mesa 22.3) loads a storage-buffer value lane by lane in a
 * branchy loop, while a uniform-buffer gather is straight-line code, about 3× cheaper per
 * value; the loads, not the multiply-adds, bound these kernels.
 */
export function matmulPackedWgsl(tm = PACKED_TILE, tn = PACKED_TILE): string {
  const vm = tm / 4, vn = tn / 4, row4 = PACKED_BLOCK / 4, per = PACKED_BLOCK / tn;
  const acc = (f: (i: number, j: number) => string) =>
    range(tm).flatMap((i) => range(vn).map((j) => f(i, j))).join("\n");
  return /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> c: array<f32>;
@group(0) @binding(1) var<uniform> a: array<vec4<f32>, ${PACKED_K * row4}>;
@group(0) @binding(2) var<uniform> b: array<vec4<f32>, ${PACKED_K * row4}>;
struct Params { M: u32, N: u32, kLen: u32, m0: u32, n0: u32, acc: u32 }
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(${WORKGROUP_SIZE})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let ai = (gid.x / ${per}u) * ${vm}u;
  let bj = (gid.x % ${per}u) * ${vn}u;
${acc((i, j) => `  var s${i}_${j} = vec4<f32>(0.0);`)}
  for (var k = 0u; k < p.kLen; k++) {
${lines(vm, (q) => `    let a${q} = a[k * ${row4}u + ai + ${q}u];`)}
${lines(vn, (j) => `    let b${j} = b[k * ${row4}u + bj + ${j}u];`)}
${acc((i, j) => `    s${i}_${j} += a${i >> 2}.${LANES[i & 3]} * b${j};`)}
  }
  let m = p.m0 + ai * 4u;
  let n = p.n0 + bj * 4u;
${
    acc((i, j) =>
      range(4).map((l) =>
        `  if (m + ${i}u < p.M && n + ${4 * j + l}u < p.N) {
    let o = (m + ${i}u) * p.N + n + ${4 * j + l}u;
    if (p.acc != 0u) { c[o] = c[o] + s${i}_${j}.${LANES[l]}; } else { c[o] = s${i}_${j}.${
          LANES[l]
        }; }
  }`
      ).join("\n")
    )
  }
}
`;
}

const PACKED_WGSL = matmulPackedWgsl();
const UNIFORM_BYTES = PACKED_K * PACKED_BLOCK * 4;

/**
 * Records c[M, N] (+)= Σ_k a(m, k)·b(n, k) for a product of at least {@link PACKED_MIN_WORK}:
 * through the texture path when it has at least {@link TEXTURE_MIN_WORK} and fits
 * `textureLimits`, else through {@link recordMatmulPacked}.
 */
function recordLarge(
  b: CommandBatch,
  c: StorageBinding,
  ops: { a: TextureOperand; b: TextureOperand; K: number },
  acc: boolean,
): void {
  const { K } = ops;
  if (ops.a.n * ops.b.n * K >= TEXTURE_MIN_WORK && fitsTexture(b.gpu, ops.a.n, ops.b.n, K)) {
    recordMatmulTexture(b, c, ops.a, ops.b, K, acc);
  } else {
    recordMatmulPacked(b, c, ops, acc);
  }
}

/**
 * Records c[M, N] (+)= Σ_k a(m, k)·b(n, k) (M = a.n, N = b.n) through packed panels and
 * uniform-buffer chunks: one pack dispatch per operand, then per output block and per chunk of
 * k two copies and one dispatch. Chunks add into c in increasing k, so the summation order is
 * fixed. The `recordMatmul*` functions take this path for large products beyond the texture
 * limits; it is exported for the tests and the bench.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMatmulPacked } from "./matmul.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) {
 *   // c = a·bᵀ for a = [[1, 2]], b = [[3, 4], [5, 6]]: c = [[11, 17]]
 *   const a = createStorage(gpu, new Float32Array([1, 2]));
 *   const b = createStorage(gpu, new Float32Array([3, 4, 5, 6]));
 *   const c = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   const ops = { a: { buf: a, n: 1, si: 2, sk: 1 }, b: { buf: b, n: 2, si: 2, sk: 1 }, K: 2 };
 *   recordMatmulPacked(batch, c, ops, false);
 *   batch.submit();
 *   console.log(await readF32(gpu, c, 2)); // Float32Array [ 11, 17 ]
 * }
 * ```
 */
export function recordMatmulPacked(
  b: CommandBatch,
  c: StorageBinding,
  ops: { a: TextureOperand; b: TextureOperand; K: number },
  acc: boolean,
): void {
  const { K } = ops;
  const device = b.gpu.device;
  const buffer = (key: string, size: number, usage: number) => () =>
    device.createBuffer({ size, usage, label: `matmul ${key}` });
  const STORAGE_COPY = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const UNIFORM = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
  const panels = (["a", "b"] as const).map((role) => {
    const op = ops[role];
    const blocks = Math.ceil(op.n / PACKED_BLOCK);
    const total = blocks * K * PACKED_BLOCK;
    const key = `pack-${role}:${total * 4}`;
    const buf = matmulScratch(device, key, buffer(key, total * 4, STORAGE_COPY));
    b.dispatch(MATMUL_PACK_WGSL, [buf, op.buf], grid1d(total), [op.n, K, op.si, op.sk, total]);
    return { buf, blocks };
  });
  const ua = matmulScratch(device, "uniform-a", buffer("uniform-a", UNIFORM_BYTES, UNIFORM));
  const ub = matmulScratch(device, "uniform-b", buffer("uniform-b", UNIFORM_BYTES, UNIFORM));
  const threads = (PACKED_BLOCK / PACKED_TILE) ** 2; // one thread per tile
  const [pa, pb] = panels as [typeof panels[0], typeof panels[0]];
  for (let mb = 0; mb < pa.blocks; mb++) {
    for (let nb = 0; nb < pb.blocks; nb++) {
      for (let k0 = 0; k0 < K; k0 += PACKED_K) {
        const kLen = Math.min(PACKED_K, K - k0);
        const bytes = kLen * PACKED_BLOCK * 4;
        b.copy(pa.buf, ua, bytes, (mb * K + k0) * PACKED_BLOCK * 4);
        b.copy(pb.buf, ub, bytes, (nb * K + k0) * PACKED_BLOCK * 4);
        b.dispatch(PACKED_WGSL, [c, ua, ub], grid1d(threads), [
          ops.a.n,
          ops.b.n,
          kLen,
          mb * PACKED_BLOCK,
          nb * PACKED_BLOCK,
          acc || k0 > 0 ? 1 : 0,
        ]);
      }
    }
  }
}

const groups = (n: number, perThread: number) => Math.ceil(Math.ceil(n / perThread) / WG);
/** Workgroups for one thread per TILE_M×TILE_N tile of an `[m, n]` output (1-D, flattened). */
const tileGrid = (m: number, n: number, tm = TILE_M, tn = TILE_N) =>
  grid1d(Math.ceil(m / tm) * Math.ceil(n / tn));

/** True when a product of this size takes the texture or packed path. */
const isLarge = (rows: number, inDim: number, outDim: number) =>
  rows * inDim * outDim >= PACKED_MIN_WORK;

function checkDims(rows: number, inDim: number, outDim: number): void {
  for (const [name, v] of [["rows", rows], ["inDim", inDim], ["outDim", outDim]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
    }
  }
}

function recordStrided(
  b: CommandBatch,
  c: StorageBinding,
  a: StorageBinding,
  bb: StorageBinding,
  dims: { M: number; N: number; K: number; sam: number; sak: number; sbn: number; sbk: number },
  acc: boolean,
): void {
  const { M, N, K, sam, sak, sbn, sbk } = dims;
  b.dispatch(MATMUL_STRIDED_WGSL, [c, a, bb], [groups(N, FB), groups(M, FB)], [
    M,
    N,
    K,
    sam,
    sak,
    sbn,
    sbk,
    acc ? 1 : 0,
  ]);
}

/**
 * Records y (+)= x·wᵀ: y `[rows, outDim]`, x `[rows, inDim]`, w `[outDim, inDim]`.
 *
 * @param acc add into y instead of overwriting it
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMatmulForward } from "./matmul.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const x = createStorage(gpu, new Float32Array([1, 2])); // [1 row, 2 in]
 *   const w = createStorage(gpu, new Float32Array([3, 4, 5, 6])); // [2 out, 2 in]
 *   const y = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordMatmulForward(batch, y, x, w, 1, 2, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 2)); // Float32Array(2) [ 11, 17 ]
 * }
 * ```
 */
export function recordMatmulForward(
  b: CommandBatch,
  y: StorageBinding,
  x: StorageBinding,
  w: StorageBinding,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (rows === 0 || outDim === 0) return;
  if (isLarge(rows, inDim, outDim)) {
    recordLarge(b, y, {
      a: { buf: x, n: rows, si: inDim, sk: 1 },
      b: { buf: w, n: outDim, si: inDim, sk: 1 },
      K: inDim,
    }, acc);
  } else if (inDim % 4 === 0) {
    b.dispatch(FORWARD_WGSL, [y, x, w], tileGrid(rows, outDim, FORWARD_TILE_M, FORWARD_TILE_N), [
      rows,
      inDim,
      outDim,
      acc ? 1 : 0,
    ]);
  } else {
    recordStrided(b, y, x, w, {
      M: rows,
      N: outDim,
      K: inDim,
      sam: inDim,
      sak: 1,
      sbn: inDim,
      sbk: 1,
    }, acc);
  }
}

/**
 * Records dx (+)= dy·w: dx `[rows, inDim]`, dy `[rows, outDim]`, w `[outDim, inDim]`.
 *
 * @param acc add into dx instead of overwriting it (e.g. a residual branch's gradient)
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMatmulBackwardInput } from "./matmul.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const dy = createStorage(gpu, new Float32Array([1, 1])); // [1 row, 2 out]
 *   const w = createStorage(gpu, new Float32Array([3, 4, 5, 6])); // [2 out, 2 in]
 *   const dx = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordMatmulBackwardInput(batch, dx, dy, w, 1, 2, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, dx, 2)); // Float32Array(2) [ 8, 10 ]
 * }
 * ```
 */
export function recordMatmulBackwardInput(
  b: CommandBatch,
  dx: StorageBinding,
  dy: StorageBinding,
  w: StorageBinding,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (rows === 0 || inDim === 0) return;
  if (isLarge(rows, inDim, outDim)) {
    recordLarge(b, dx, {
      a: { buf: dy, n: rows, si: outDim, sk: 1 },
      b: { buf: w, n: inDim, si: 1, sk: inDim },
      K: outDim,
    }, acc);
  } else if (inDim % 4 === 0 && outDim % 4 === 0) {
    b.dispatch(
      BACKWARD_INPUT_WGSL,
      [dx, dy, w],
      tileGrid(rows, inDim),
      [rows, inDim, outDim, acc ? 1 : 0],
    );
  } else {
    recordStrided(b, dx, dy, w, {
      M: rows,
      N: inDim,
      K: outDim,
      sam: outDim,
      sak: 1,
      sbn: 1,
      sbk: inDim,
    }, acc);
  }
}

/**
 * Records dw (+)= dyᵀ·x: dw `[outDim, inDim]`, dy `[rows, outDim]`, x `[rows, inDim]`; each
 * element sums over rows in order.
 *
 * @param acc add into dw instead of overwriting it (gradient accumulation)
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMatmulBackwardWeight } from "./matmul.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const dy = createStorage(gpu, new Float32Array([1, 1])); // [1 row, 2 out]
 *   const x = createStorage(gpu, new Float32Array([1, 2])); // [1 row, 2 in]
 *   const dw = createStorage(gpu, 4 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordMatmulBackwardWeight(batch, dw, dy, x, 1, 2, 2);
 *   batch.submit();
 *   console.log(await readF32(gpu, dw, 4)); // Float32Array(4) [ 1, 2, 1, 2 ]
 * }
 * ```
 */
export function recordMatmulBackwardWeight(
  b: CommandBatch,
  dw: StorageBinding,
  dy: StorageBinding,
  x: StorageBinding,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (inDim === 0 || outDim === 0) return;
  if (isLarge(rows, inDim, outDim)) {
    recordLarge(b, dw, {
      a: { buf: dy, n: outDim, si: 1, sk: outDim },
      b: { buf: x, n: inDim, si: 1, sk: inDim },
      K: rows,
    }, acc);
  } else if (inDim % 4 === 0 && outDim % 4 === 0) {
    b.dispatch(
      BACKWARD_WEIGHT_WGSL,
      [dw, dy, x],
      tileGrid(outDim, inDim),
      [rows, inDim, outDim, acc ? 1 : 0],
    );
  } else {
    recordStrided(b, dw, dy, x, {
      M: outDim,
      N: inDim,
      K: rows,
      sam: 1,
      sak: outDim,
      sbn: 1,
      sbk: inDim,
    }, acc);
  }
}

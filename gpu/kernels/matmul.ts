/**
 * WGSL matrix products for the bias-free linear layer y = x·Wᵀ (x `[rows, inDim]`, W
 * `[outDim, inDim]`) and its two gradients.
 *
 * What bounds speed on Mesa llvmpipe (22.3, the adapter here): the loads, not the multiply-adds.
 * llvmpipe runs 8 invocations in the lanes of a 256-bit register, and a storage-buffer load whose
 * address it cannot prove uniform is a per-lane loop with a branch per lane; that holds for every
 * load inside a loop (the loop mask disables its uniform fast path), whatever the address
 * pattern: a layout where adjacent invocations read adjacent addresses measured ~0.1 GFLOP/s at
 * 512, 5–10× slower than the register-blocked kernels. A uniform-buffer load is a straight-line
 * gather, ~3× cheaper per value, and workgroup memory shares the storage path (plus barriers).
 *
 * So products with rows·inDim·outDim ≥ {@link PACKED_MIN_WORK} take the packed path: both
 * operands are packed once into k-major panels of {@link PACKED_BLOCK} rows (scratch storage
 * buffers, cached per device and size), and for each 128×128 output block and each chunk of
 * {@link PACKED_K} values of k, two 64 KiB slices are copied into uniform buffers and one dispatch
 * adds the chunk's products into the output (8×8 register tile per thread, vec4 along the
 * output column). Measured in one `deno bench` run (2 shared cores, load ~6), GFLOP/s
 * storage → packed: forward 1.08 → 2.90, backward-input 1.46 → 3.13, backward-weight
 * 2.10 → 3.94 at 512; 0.61 → 2.11, 0.85 → 2.63, 0.91 → 2.11 at 1024 (naive kernel 0.08).
 *
 * Products with rows·inDim·outDim ≥ {@link TEXTURE_MIN_WORK} (= PACKED_MIN_WORK) that fit its
 * texture limits take the texture path of `matmul_texture.ts` instead (operands in `rgba32float`
 * texture arrays, one dispatch over all of k, recorded into the same batch), so the packed path
 * is the fallback beyond those limits (K > maxTextureDimension2D, e.g. a backward-weight product
 * over more than 8192 rows on llvmpipe). Product by product the two paths are within noise at the
 * model's sizes, but the texture path made testnet training ~8 % and evaluation ~16 % faster in
 * interleaved model runs (bench/README.md); a 2^23 threshold showed no consistent gain.
 *
 * Smaller products use barrier-free register-blocked storage-buffer kernels: each thread owns a
 * TM×TN output tile in registers and streams its operands with vec4 loads, every tile loop
 * unrolled so the accumulators are plain scalars/vectors.
 *
 * - forward y = x·Wᵀ: both operands are contiguous along k, so the inner loop takes vec4 dot
 *   products (needs inDim % 4 = 0);
 * - backward-input dx = dy·W: dy is contiguous along k (= outDim) and W along the output column,
 *   so the tile is updated by vec4 outer products (needs inDim % 4 = outDim % 4 = 0);
 * - backward-weight dW = dyᵀ·x: both operands are contiguous along the output (k = rows), again
 *   outer products (same condition).
 *
 * Any other shape falls back to a strided scalar 4×4-tile kernel. Edge tiles clamp their load
 * indices (so the inner loop has no branches) and guard their stores. Every output element is a
 * sum over k in a fixed order (the packed path adds chunk sums in increasing k), so results are
 * bit-identical run to run.
 *
 * @module
 */
import type { CommandBatch } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE } from "./elementwise.ts";
import { MATMUL_PACK_WGSL, PACKED_BLOCK } from "./matmul_pack.ts";
import { fitsTexture, recordMatmulTexture } from "./matmul_texture.ts";

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
/** Workgroup shape of the fallback and naive kernels (threads along n, along m). */
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

/** Naive forward kernel, one thread per output element: the benchmark baseline. */
export const MATMUL_NAIVE_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> w: array<f32>;
struct Params { rows: u32, inDim: u32, outDim: u32 }
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(${WG}, ${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let o = gid.x;
  let r = gid.y;
  if (o >= p.outDim || r >= p.rows) { return; }
  var s = 0.0;
  for (var k = 0u; k < p.inDim; k++) { s += x[r * p.inDim + k] * w[o * p.inDim + k]; }
  y[r * p.outDim + o] = s;
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
/** The device a batch records for: the packed path allocates its cached scratch on it. */
function batchDevice(b: CommandBatch): GPUDevice {
  return b.gpu.device;
}

const UNIFORM_BYTES = PACKED_K * PACKED_BLOCK * 4;
const scratch = new WeakMap<GPUDevice, Map<string, GPUBuffer>>();

/** A scratch buffer of this device, role and size, created on first use and then reused. */
function scratchBuffer(device: GPUDevice, role: string, bytes: number, usage: number): GPUBuffer {
  let byDevice = scratch.get(device);
  if (!byDevice) scratch.set(device, byDevice = new Map());
  const key = `${role}:${bytes}`;
  let buf = byDevice.get(key);
  if (!buf) {
    buf = device.createBuffer({ size: bytes, usage, label: `matmul ${key}` });
    byDevice.set(key, buf);
  }
  return buf;
}

/** Strided view of an operand: element (i, k) at i·si + k·sk, i < n. */
interface Operand {
  buf: GPUBuffer;
  n: number;
  si: number;
  sk: number;
}

/**
 * Records c[M, N] (+)= Σ_k a(m, k)·b(n, k) for a product of at least PACKED_MIN_WORK: through
 * the texture path when it has at least {@link TEXTURE_MIN_WORK} and fits `textureLimits`, else
 * through packed panels and uniform-buffer chunks: one pack dispatch per operand, then per output
 * block and per chunk of k two copies and one dispatch. Chunks add into c in increasing k (the
 * texture kernel sums all of k in order), so the summation order is fixed.
 */
function recordBlocked(
  b: CommandBatch,
  device: GPUDevice,
  c: GPUBuffer,
  ops: { a: Operand; b: Operand; K: number },
  acc: boolean,
): void {
  const { K } = ops;
  if (ops.a.n * ops.b.n * K >= TEXTURE_MIN_WORK && fitsTexture(b.gpu, ops.a.n, ops.b.n, K)) {
    recordMatmulTexture(b, c, ops.a, ops.b, K, acc);
    return;
  }
  const STORAGE_COPY = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC;
  const UNIFORM = GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST;
  const panels = (["a", "b"] as const).map((role) => {
    const op = ops[role];
    const blocks = Math.ceil(op.n / PACKED_BLOCK);
    const total = blocks * K * PACKED_BLOCK;
    const buf = scratchBuffer(device, `pack-${role}`, total * 4, STORAGE_COPY);
    b.dispatch(MATMUL_PACK_WGSL, [buf, op.buf], grid1d(total), [op.n, K, op.si, op.sk, total]);
    return { buf, blocks };
  });
  const ua = scratchBuffer(device, "uniform-a", UNIFORM_BYTES, UNIFORM);
  const ub = scratchBuffer(device, "uniform-b", UNIFORM_BYTES, UNIFORM);
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

/** The device when a product of this size takes the packed path, else null. */
function packedDevice(b: CommandBatch, rows: number, inDim: number, outDim: number) {
  return rows * inDim * outDim >= PACKED_MIN_WORK ? batchDevice(b) : null;
}

function checkDims(rows: number, inDim: number, outDim: number): void {
  for (const [name, v] of [["rows", rows], ["inDim", inDim], ["outDim", outDim]] as const) {
    if (!Number.isInteger(v) || v < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${v}`);
    }
  }
}

function recordStrided(
  b: CommandBatch,
  c: GPUBuffer,
  a: GPUBuffer,
  bb: GPUBuffer,
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
 * ```ts ignore
 * recordMatmulForward(batch, qBuf, xBuf, wqBuf, batchSize * time, d, d);
 * ```
 */
export function recordMatmulForward(
  b: CommandBatch,
  y: GPUBuffer,
  x: GPUBuffer,
  w: GPUBuffer,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (rows === 0 || outDim === 0) return;
  const device = packedDevice(b, rows, inDim, outDim);
  if (device) {
    recordBlocked(b, device, y, {
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
 * ```ts ignore
 * recordMatmulBackwardInput(batch, dxBuf, dqBuf, wqBuf, rows, d, d, true);
 * ```
 */
export function recordMatmulBackwardInput(
  b: CommandBatch,
  dx: GPUBuffer,
  dy: GPUBuffer,
  w: GPUBuffer,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (rows === 0 || inDim === 0) return;
  const device = packedDevice(b, rows, inDim, outDim);
  if (device) {
    recordBlocked(b, device, dx, {
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
 * ```ts ignore
 * recordMatmulBackwardWeight(batch, dwqBuf, dqBuf, xBuf, rows, d, d);
 * ```
 */
export function recordMatmulBackwardWeight(
  b: CommandBatch,
  dw: GPUBuffer,
  dy: GPUBuffer,
  x: GPUBuffer,
  rows: number,
  inDim: number,
  outDim: number,
  acc = false,
): void {
  checkDims(rows, inDim, outDim);
  if (inDim === 0 || outDim === 0) return;
  const device = packedDevice(b, rows, inDim, outDim);
  if (device) {
    recordBlocked(b, device, dw, {
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

/**
 * Records y = x·wᵀ with the naive one-thread-per-output kernel (benchmark baseline only).
 *
 * @example
 * ```ts ignore
 * recordMatmulNaive(batch, y, x, w, 512, 512, 512);
 * ```
 */
export function recordMatmulNaive(
  b: CommandBatch,
  y: GPUBuffer,
  x: GPUBuffer,
  w: GPUBuffer,
  rows: number,
  inDim: number,
  outDim: number,
): void {
  checkDims(rows, inDim, outDim);
  if (rows === 0 || outDim === 0) return;
  b.dispatch(MATMUL_NAIVE_WGSL, [y, x, w], [groups(outDim, 1), groups(rows, 1)], [
    rows,
    inDim,
    outDim,
  ]);
}

/**
 * WGSL kernels for the multi-scale causal depthwise convolution (reference: `gpu/ref/conv.ts`):
 * `y[t, c] = Σ_b gains[b, c] · Σ_{j<K_b} w_b[j, c] · x[t − j, c]`, kernels K = 3, 7, 15, 31, 63,
 * each batch window independent (zero before its start).
 *
 * The five branches act as one effective kernel `weff[j, c] = Σ_{b: j<K_b} gains[b, c]·w_b[j, c]`
 * of length 63, formed on the fly (`j` is uniform across a workgroup, so the branch tests do
 * not diverge). Every kernel is barrier-free and register-blocked:
 * - forward and dx: one thread owns {@link CONV_TIME_TILE} consecutive time steps of one
 *   channel and slides a register window of inputs along the lags, so each lag costs one load
 *   and `CONV_TIME_TILE` multiply-adds;
 * - dweff[j, c] = Σ_windows Σ_t dy[t, c]·x[t − j, c]: one thread owns {@link CONV_LAG_TILE}
 *   lags of one channel and walks all rows in order (a fixed reduction order, so results are
 *   bit-identical run to run); it is written into `dweights[4]` (shape [63, dim], the same as
 *   weff) and then turned into `dgains[b, c] = Σ_{j<K_b} w_b[j, c]·dweff[j, c]` and
 *   `dw_b[j, c] = gains[b, c]·dweff[j, c]` by two small kernels.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";
import { FLAT_INDEX_WGSL, grid1d, WORKGROUP_SIZE as WG } from "./elementwise.ts";

const KERNELS = [3, 7, 15, 31, 63] as const;
const MAX_K = 63;

/** Time steps per thread in the forward and dx kernels. */
export const CONV_TIME_TILE = 64;

/** Lags per thread in the dweff kernel (divides 63). */
export const CONV_LAG_TILE = 21;

/** Repeats `line(i)` for i in [0, n), joined by newlines (WGSL has no unrolling pragma). */
function unroll(n: number, line: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => line(i)).join("\n");
}

/** Bindings 2..7 of the forward and dx kernels: the five branch kernels and the gains. */
const WEIGHT_BINDINGS_WGSL = /* wgsl */ `
@group(0) @binding(2) var<storage, read> w0: array<f32>;
@group(0) @binding(3) var<storage, read> w1: array<f32>;
@group(0) @binding(4) var<storage, read> w2: array<f32>;
@group(0) @binding(5) var<storage, read> w3: array<f32>;
@group(0) @binding(6) var<storage, read> w4: array<f32>;
@group(0) @binding(7) var<storage, read> gains: array<f32>;
struct Params { batch: u32, time: u32, dim: u32, tiles: u32, acc: u32 }
@group(0) @binding(8) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
// weff[j, c] for the branch gains g0..g4 of channel c.
fn weff(j: u32, c: u32, g0: f32, g1: f32, g2: f32, g3: f32, g4: f32) -> f32 {
  let o = j * p.dim + c;
  var w = g4 * w4[o];
  if (j < 31u) { w += g3 * w3[o]; }
  if (j < 15u) { w += g2 * w2[o]; }
  if (j < 7u) { w += g1 * w1[o]; }
  if (j < 3u) { w += g0 * w0[o]; }
  return w;
}
`;

const TT = CONV_TIME_TILE;

/** Thread prologue shared by the forward and dx kernels: (n, tile, c) and the gains. */
const TILE_PROLOGUE_WGSL = /* wgsl */ `
  let id = flatIndex(gid, nwg);
  if (id >= p.batch * p.tiles * p.dim) { return; }
  let c = id % p.dim;
  let r = id / p.dim;
  let t0 = (r % p.tiles) * ${TT}u;
  let base = (r / p.tiles) * p.time; // first row of this window
  let g0 = gains[c];
  let g1 = gains[p.dim + c];
  let g2 = gains[2u * p.dim + c];
  let g3 = gains[3u * p.dim + c];
  let g4 = gains[4u * p.dim + c];
`;

/** Stores the accumulators a0.. into `out` rows t0.., adding when `p.acc` is set. */
function storeTile(out: string): string {
  return unroll(TT, (i) => `
  if (t0 + ${i}u < p.time) {
    let o = (base + t0 + ${i}u) * p.dim + c;
    ${out}[o] = select(a${i}, ${out}[o] + a${i}, p.acc != 0u);
  }`);
}

/** Forward: y[t, c] (+)= Σ_j weff[j, c]·x[t − j, c] for a tile of time steps. */
export const CONV_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> y: array<f32>;
@group(0) @binding(1) var<storage, read> x: array<f32>;
${WEIGHT_BINDINGS_WGSL}
fn load(base: u32, t: u32, c: u32) -> f32 {
  if (t < p.time) { return x[(base + t) * p.dim + c]; }
  return 0.0;
}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
${TILE_PROLOGUE_WGSL}
  // v<i> = x[t0 + i − j]: slides one step per lag.
${unroll(TT, (i) => `  var v${i} = load(base, t0 + ${i}u, c);`)}
${unroll(TT, (i) => `  var a${i} = 0.0;`)}
  let jEnd = min(${MAX_K}u, t0 + ${TT}u);
  for (var j = 0u; j < jEnd; j++) {
    let w = weff(j, c, g0, g1, g2, g3, g4);
${unroll(TT, (i) => `    a${i} += w * v${i};`)}
${unroll(TT - 1, (i) => `    v${TT - 1 - i} = v${TT - 2 - i};`)}
    v0 = 0.0;
    if (t0 > j) { v0 = x[(base + t0 - j - 1u) * p.dim + c]; }
  }
${storeTile("y")}
}
`;

/** dx[t, c] (+)= Σ_j weff[j, c]·dy[t + j, c] for a tile of time steps. */
export const CONV_BACKWARD_INPUT_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dx: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
${WEIGHT_BINDINGS_WGSL}
fn load(base: u32, t: u32, c: u32) -> f32 {
  if (t < p.time) { return dy[(base + t) * p.dim + c]; }
  return 0.0;
}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
${TILE_PROLOGUE_WGSL}
  // v<i> = dy[t0 + i + j]: slides one step per lag.
${unroll(TT, (i) => `  var v${i} = load(base, t0 + ${i}u, c);`)}
${unroll(TT, (i) => `  var a${i} = 0.0;`)}
  let jEnd = min(${MAX_K}u, p.time - t0);
  for (var j = 0u; j < jEnd; j++) {
    let w = weff(j, c, g0, g1, g2, g3, g4);
${unroll(TT, (i) => `    a${i} += w * v${i};`)}
${unroll(TT - 1, (i) => `    v${i} = v${i + 1};`)}
    v${TT - 1} = load(base, t0 + ${TT}u + j, c);
  }
${storeTile("dx")}
}
`;

const LT = CONV_LAG_TILE;

/** dweff[j, c] = Σ_windows Σ_t dy[t, c]·x[t − j, c] for a tile of lags, written to `dweff`. */
export const CONV_BACKWARD_KERNEL_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dweff: array<f32>;
@group(0) @binding(1) var<storage, read> dy: array<f32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
struct Params { batch: u32, time: u32, dim: u32 }
@group(0) @binding(3) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flatIndex(gid, nwg);
  if (id >= ${MAX_K / LT}u * p.dim) { return; }
  let c = id % p.dim;
  let j0 = (id / p.dim) * ${LT}u;
${unroll(LT, (l) => `  var a${l} = 0.0;`)}
  for (var n = 0u; n < p.batch; n++) {
    let base = n * p.time;
    // v<l> = x[t − j0 − l] (zero before the window): slides one step per time step.
${unroll(LT, (l) => `    var v${l} = 0.0;`)}
    for (var t = j0; t < p.time; t++) {
${unroll(LT - 1, (l) => `      v${LT - 1 - l} = v${LT - 2 - l};`)}
      v0 = x[(base + t - j0) * p.dim + c];
      let g = dy[(base + t) * p.dim + c];
${unroll(LT, (l) => `      a${l} += g * v${l};`)}
    }
  }
${unroll(LT, (l) => `  dweff[(j0 + ${l}u) * p.dim + c] = a${l};`)}
}
`;

/**
 * dgains[b, c] = Σ_{j<K_b} w_b[j, c]·dweff[j, c], one thread per channel. `dweff` is only read,
 * but declared read_write: it and `dgains` may be ranges of one gradient buffer, and WebGPU
 * refuses a buffer bound both read-only and writable in one dispatch.
 */
export const CONV_BACKWARD_GAINS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dgains: array<f32>;
@group(0) @binding(1) var<storage, read_write> dweff: array<f32>;
@group(0) @binding(2) var<storage, read> w0: array<f32>;
@group(0) @binding(3) var<storage, read> w1: array<f32>;
@group(0) @binding(4) var<storage, read> w2: array<f32>;
@group(0) @binding(5) var<storage, read> w3: array<f32>;
@group(0) @binding(6) var<storage, read> w4: array<f32>;
struct Params { dim: u32 }
@group(0) @binding(7) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let c = flatIndex(gid, nwg);
  if (c >= p.dim) { return; }
${
  KERNELS.map((k, b) => `
  var s${b} = 0.0;
  for (var j = 0u; j < ${k}u; j++) { s${b} += w${b}[j * p.dim + c] * dweff[j * p.dim + c]; }
  dgains[${b}u * p.dim + c] = s${b};`).join("")
}
}
`;

/**
 * dw_b[j, c] = gains[b, c]·dweff[j, c] for j < K_b; dweff lives in dw4 and is overwritten
 * last, one thread per (j, c).
 */
export const CONV_BACKWARD_WEIGHTS_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dw0: array<f32>;
@group(0) @binding(1) var<storage, read_write> dw1: array<f32>;
@group(0) @binding(2) var<storage, read_write> dw2: array<f32>;
@group(0) @binding(3) var<storage, read_write> dw3: array<f32>;
@group(0) @binding(4) var<storage, read_write> dw4: array<f32>;
@group(0) @binding(5) var<storage, read> gains: array<f32>;
struct Params { dim: u32 }
@group(0) @binding(6) var<uniform> p: Params;
${FLAT_INDEX_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = flatIndex(gid, nwg);
  if (i >= ${MAX_K}u * p.dim) { return; }
  let c = i % p.dim;
  let j = i / p.dim;
  let d = dw4[i];
  if (j < 3u) { dw0[i] = gains[c] * d; }
  if (j < 7u) { dw1[i] = gains[p.dim + c] * d; }
  if (j < 15u) { dw2[i] = gains[2u * p.dim + c] * d; }
  if (j < 31u) { dw3[i] = gains[3u * p.dim + c] * d; }
  dw4[i] = gains[4u * p.dim + c] * d;
}
`;

function checkBranches(name: string, buffers: readonly StorageBinding[]): void {
  if (buffers.length !== KERNELS.length) {
    throw new RangeError(`${name} has ${buffers.length} buffers, expected 5`);
  }
}

/**
 * Records the forward convolution of `x` `[batch·time, dim]` into `y` (added to `y` when
 * `acc`, e.g. straight into the residual stream).
 *
 * @param weights five buffers, `weights[b]` is `[K_b, dim]` for K = 3, 7, 15, 31, 63
 * @param gains `[5, dim]`
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordConvForward } from "./conv.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   // One channel, a window of 3 steps; branch 0 (K = 3) weighs lag 1 only, with gain 2.
 *   const zeros = (k: number) => createStorage(gpu, k * 4);
 *   const weights = [createStorage(gpu, new Float32Array([0, 1, 0])), ...[7, 15, 31, 63].map(zeros)];
 *   const gains = createStorage(gpu, new Float32Array([2, 0, 0, 0, 0]));
 *   const x = createStorage(gpu, new Float32Array([1, 2, 3]));
 *   const y = createStorage(gpu, 3 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordConvForward(batch, y, x, weights, gains, 1, 3, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, y, 3)); // y_t = 2·x_{t−1}: Float32Array(3) [ 0, 2, 4 ]
 * }
 * ```
 */
export function recordConvForward(
  b: CommandBatch,
  y: StorageBinding,
  x: StorageBinding,
  weights: readonly StorageBinding[],
  gains: StorageBinding,
  batch: number,
  time: number,
  dim: number,
  acc = false,
): void {
  checkBranches("weights", weights);
  const tiles = Math.ceil(time / TT);
  b.dispatch(
    CONV_FORWARD_WGSL,
    [y, x, ...weights, gains],
    grid1d(batch * tiles * dim),
    [batch, time, dim, tiles, acc ? 1 : 0],
  );
}

/**
 * Records the convolution backward: `dx` (added to when `accDx`), and overwrites the five
 * `dweights` and `dgains`. Four dispatches: dx, dweff (into `dweights[4]`), dgains, and the
 * per-branch weight gradients.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordConvBackward } from "./conv.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   // One channel, a window of 3 steps; branch 0 (K = 3) weighs lag 1 only, with gain 2.
 *   const zeros = (k: number) => createStorage(gpu, k * 4);
 *   const weights = [createStorage(gpu, new Float32Array([0, 1, 0])), ...[7, 15, 31, 63].map(zeros)];
 *   const gains = createStorage(gpu, new Float32Array([2, 0, 0, 0, 0]));
 *   const x = createStorage(gpu, new Float32Array([1, 2, 3]));
 *   const dy = createStorage(gpu, new Float32Array([1, 1, 1]));
 *   const dx = zeros(3), dgains = zeros(5), dweights = [3, 7, 15, 31, 63].map(zeros);
 *   const batch = new CommandBatch(gpu);
 *   recordConvBackward(batch, dx, dweights, dgains, dy, x, weights, gains, 1, 3, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, dgains, 5)); // Σ_t dy_t·x_{t−1}: Float32Array(5) [ 3, 0, 0, 0, 0 ]
 * }
 * ```
 */
export function recordConvBackward(
  b: CommandBatch,
  dx: StorageBinding,
  dweights: readonly StorageBinding[],
  dgains: StorageBinding,
  dy: StorageBinding,
  x: StorageBinding,
  weights: readonly StorageBinding[],
  gains: StorageBinding,
  batch: number,
  time: number,
  dim: number,
  accDx = false,
): void {
  checkBranches("weights", weights);
  checkBranches("dweights", dweights);
  const tiles = Math.ceil(time / TT);
  b.dispatch(
    CONV_BACKWARD_INPUT_WGSL,
    [dx, dy, ...weights, gains],
    grid1d(batch * tiles * dim),
    [batch, time, dim, tiles, accDx ? 1 : 0],
  );
  const dweff = dweights[4]!;
  b.dispatch(CONV_BACKWARD_KERNEL_WGSL, [dweff, dy, x], grid1d((MAX_K / LT) * dim), [
    batch,
    time,
    dim,
  ]);
  b.dispatch(CONV_BACKWARD_GAINS_WGSL, [dgains, dweff, ...weights], grid1d(dim), [dim]);
  b.dispatch(CONV_BACKWARD_WEIGHTS_WGSL, [...dweights, gains], grid1d(MAX_K * dim), [dim]);
}

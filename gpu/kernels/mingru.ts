/**
 * WGSL kernels for the minGRU scan (reference: `gpu/ref/mingru.ts`).
 *
 * One thread per (window, channel) walks its window in time order, so the work is
 * `batch·dim` independent chains with no workgroup memory, no barriers and a fixed order
 * (bit-identical run to run). Adjacent threads own adjacent channels, so each time step reads
 * contiguous memory. The forward is the Heinsen log-space recurrence
 * `log s_t = logaddexp(−softplus(k_t) + log s_{t−1}, −softplus(−k_t) + log g(u_t))`; the
 * backward runs the linear-space adjoint recurrence in reverse
 * (`dsTotal_t = ds_t + (1 − z_{t+1})·dsTotal_{t+1}`) from the stored forward states.
 *
 * @module
 */
import type { CommandBatch, StorageBinding } from "../device.ts";

const WG = 64;
const MAX_GROUPS = 65535;

function grid(threads: number): [number, number] {
  const groups = Math.ceil(threads / WG);
  if (groups <= MAX_GROUPS) return [groups, 1];
  const y = Math.ceil(groups / MAX_GROUPS);
  return [Math.ceil(groups / y), y];
}

const COMMON_WGSL = /* wgsl */ `
struct Params { batch: u32, time: u32, dim: u32 }
fn flatIndex(gid: vec3<u32>, nwg: vec3<u32>) -> u32 {
  return gid.y * (nwg.x * ${WG}u) + gid.x;
}
// log(1 + e^x) without overflow.
fn softplus(x: f32) -> f32 {
  return max(x, 0.0) + log(1.0 + exp(-abs(x)));
}
fn sigmoid(x: f32) -> f32 {
  let e = exp(-abs(x));
  return select(e / (1.0 + e), 1.0 / (1.0 + e), x >= 0.0);
}
`;

/** Forward scan: s[n, t, c] for one (n, c) per thread, in log space. */
export const MINGRU_SCAN_FORWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> s: array<f32>;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> u: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
${COMMON_WGSL}
// log z + log g(u) = −softplus(−k) + log g(u)
fn logB(kt: f32, ut: f32) -> f32 {
  let logG = select(-softplus(-ut), log(ut + 0.5), ut >= 0.0);
  return logG - softplus(-kt);
}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flatIndex(gid, nwg);
  if (id >= p.batch * p.dim) { return; }
  let c = id % p.dim;
  let n = id / p.dim;
  var i = n * p.time * p.dim + c;
  if (p.time == 0u) { return; }
  // t = 0: s₋₁ = 0, so log s₀ = log z₀ + log g(u₀).
  var logS = logB(k[i], u[i]);
  s[i] = exp(logS);
  for (var t = 1u; t < p.time; t++) {
    i += p.dim;
    let kt = k[i];
    let a = logS - softplus(kt);
    let b = logB(kt, u[i]);
    logS = max(a, b) + log(1.0 + exp(-abs(a - b)));
    s[i] = exp(logS);
  }
}
`;

/** Backward scan: dk, du for one (n, c) per thread, reverse time. */
export const MINGRU_SCAN_BACKWARD_WGSL = /* wgsl */ `
@group(0) @binding(0) var<storage, read_write> dk: array<f32>;
@group(0) @binding(1) var<storage, read_write> du: array<f32>;
@group(0) @binding(2) var<storage, read> ds: array<f32>;
@group(0) @binding(3) var<storage, read> k: array<f32>;
@group(0) @binding(4) var<storage, read> u: array<f32>;
@group(0) @binding(5) var<storage, read> s: array<f32>;
@group(0) @binding(6) var<uniform> p: Params;
${COMMON_WGSL}
@compute @workgroup_size(${WG})
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let id = flatIndex(gid, nwg);
  if (id >= p.batch * p.dim) { return; }
  let c = id % p.dim;
  let n = id / p.dim;
  let first = n * p.time * p.dim + c;
  var carry = 0.0; // total d loss / d s_t
  var aNext = 0.0; // 1 − z_{t+1}
  for (var t = p.time; t > 0u; t--) {
    let i = first + (t - 1u) * p.dim;
    carry = ds[i] + aNext * carry;
    let z = sigmoid(k[i]);
    let ut = u[i];
    var sPrev = 0.0;
    if (t > 1u) { sPrev = s[i - p.dim]; }
    var g = ut + 0.5;
    var gPrime = 1.0;
    if (ut < 0.0) {
      g = sigmoid(ut);
      gPrime = g * (1.0 - g);
    }
    let cz = carry * z;
    dk[i] = cz * (1.0 - z) * (g - sPrev);
    du[i] = cz * gPrime;
    aNext = 1.0 - z;
  }
}
`;

/**
 * Records the forward scan: `s` `[batch·time, dim]` from gate pre-activations `k` and
 * candidate pre-activations `u`, each window starting from zero state.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMinGruScanForward } from "./mingru.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   // One window of 2 steps, 1 channel: gate z = σ(0) = ½, candidate g(0.5) = 1.
 *   const k = createStorage(gpu, new Float32Array([0, 0]));
 *   const u = createStorage(gpu, new Float32Array([0.5, 0.5]));
 *   const s = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordMinGruScanForward(batch, s, k, u, 1, 2, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, s, 2)); // ≈ [ 0.5, 0.75 ]
 * }
 * ```
 */
export function recordMinGruScanForward(
  b: CommandBatch,
  s: StorageBinding,
  k: StorageBinding,
  u: StorageBinding,
  batch: number,
  time: number,
  dim: number,
): void {
  b.dispatch(MINGRU_SCAN_FORWARD_WGSL, [s, k, u], grid(batch * dim), [batch, time, dim]);
}

/**
 * Records the backward scan: writes `dk`, `du` from the upstream gradient `ds`, the inputs and
 * the forward states `s`.
 *
 * @example
 * ```ts
 * import { CommandBatch, createStorage, readF32, requestGpu } from "../device.ts";
 * import { recordMinGruScanBackward } from "./mingru.ts";
 *
 * const gpu = await requestGpu();
 * if (gpu) { // no WebGPU adapter: nothing to show
 *   const k = createStorage(gpu, new Float32Array([0, 0]));
 *   const u = createStorage(gpu, new Float32Array([0.5, 0.5]));
 *   const s = createStorage(gpu, new Float32Array([0.5, 0.75])); // the forward scan's states
 *   const ds = createStorage(gpu, new Float32Array([0, 1])); // loss = s at the last step
 *   const dk = createStorage(gpu, 2 * 4), du = createStorage(gpu, 2 * 4);
 *   const batch = new CommandBatch(gpu);
 *   recordMinGruScanBackward(batch, dk, du, ds, k, u, s, 1, 2, 1);
 *   batch.submit();
 *   console.log(await readF32(gpu, du, 2)); // ∂s₂/∂u: Float32Array(2) [ 0.25, 0.5 ]
 * }
 * ```
 */
export function recordMinGruScanBackward(
  b: CommandBatch,
  dk: StorageBinding,
  du: StorageBinding,
  ds: StorageBinding,
  k: StorageBinding,
  u: StorageBinding,
  s: StorageBinding,
  batch: number,
  time: number,
  dim: number,
): void {
  b.dispatch(
    MINGRU_SCAN_BACKWARD_WGSL,
    [dk, du, ds, k, u, s],
    grid(batch * dim),
    [batch, time, dim],
  );
}

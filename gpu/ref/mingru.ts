/**
 * CPU reference of the minGRU recurrence (PROTOCOL.md §3.1 (b); Feng et al. 2024) and its
 * Heinsen log-space scan (arXiv 2311.06281).
 *
 * With `z = σ(k)`, `h̃ = g(u)` (`g(u) = u + 0.5` for `u ≥ 0`, `σ(u)` below) the state follows
 * the linear recurrence `s_t = a_t·s_{t−1} + b_t` with `a = 1 − z`, `b = z·h̃`, `s_{−1} = 0`.
 * Since `a, b > 0` it runs in log space:
 *
 *   log s_t = logaddexp(−softplus(k_t) + log s_{t−1}, −softplus(−k_t) + log g(u_t))
 *
 * which is what {@link minGruScanForward} computes, time step by time step (each window of
 * `time` rows starts from zero state). The step is one application of the associative operator
 * `(A₁, B₁) ∘ (A₂, B₂) = (A₁ + A₂, logaddexp(A₂ + B₁, B₂))` on affine maps `s ↦ e^A·s + e^B`
 * in log space; {@link minGruScanTreeF64} applies the same operator in Hillis–Steele order to
 * document that the scan parallelises. Unlike the cumsum / logcumsumexp form, logaddexp never
 * subtracts large prefix sums, so it stays accurate over long windows.
 *
 * All arithmetic is in JS doubles; the `…F64` variants return doubles, the others f32.
 *
 * @module
 */

/** Logistic sigmoid, stable for large |x|. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + eˣ), stable for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** log(eᵃ + eᵇ), exact for −∞ operands. */
export function logAddExp(a: number, b: number): number {
  const m = Math.max(a, b);
  if (m === -Infinity) return -Infinity;
  return m + Math.log1p(Math.exp(Math.min(a, b) - m));
}

/** The candidate activation g(u) = u + 0.5 for u ≥ 0, σ(u) otherwise (always positive). */
export function minGruG(u: number): number {
  return u >= 0 ? u + 0.5 : sigmoid(u);
}

/** log g(u): log(u + 0.5) for u ≥ 0, −softplus(−u) otherwise. */
export function minGruLogG(u: number): number {
  return u >= 0 ? Math.log(u + 0.5) : -softplus(-u);
}

/** g'(u): 1 for u ≥ 0, σ(u)(1 − σ(u)) otherwise. */
export function minGruGPrime(u: number): number {
  if (u >= 0) return 1;
  const s = sigmoid(u);
  return s * (1 - s);
}

function checkShapes(
  arrays: Record<string, ArrayLike<number>>,
  batch: number,
  time: number,
  dim: number,
): void {
  const n = batch * time * dim;
  for (const [name, a] of Object.entries(arrays)) {
    if (a.length !== n) throw new RangeError(`${name} has length ${a.length}, expected ${n}`);
  }
}

/** {@link minGruScanForward} in doubles. */
export function minGruScanForwardF64(
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float64Array {
  checkShapes({ k, u }, batch, time, dim);
  const s = new Float64Array(batch * time * dim);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < dim; c++) {
      let logS = -Infinity;
      for (let t = 0; t < time; t++) {
        const i = (n * time + t) * dim + c;
        const kt = k[i]!;
        logS = logAddExp(-softplus(kt) + logS, -softplus(-kt) + minGruLogG(u[i]!));
        s[i] = Math.exp(logS);
      }
    }
  }
  return s;
}

/**
 * minGRU over `batch` windows of `time` steps, each from zero state, as the sequential
 * log-space (Heinsen) scan.
 *
 * @param k gate pre-activations `[batch·time, dim]` (z = σ(k))
 * @param u candidate pre-activations `[batch·time, dim]` (h̃ = g(u))
 * @returns s `[batch·time, dim]`
 *
 * @example
 * ```ts
 * // z = 0.5, h̃ = 1: s = 0.5, 0.75
 * minGruScanForward(new Float32Array(2), new Float32Array([0.5, 0.5]), 1, 2, 1);
 * ```
 */
export function minGruScanForward(
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float32Array {
  return Float32Array.from(minGruScanForwardF64(k, u, batch, time, dim));
}

/**
 * The same scan with the associative log-space operator applied in Hillis–Steele order
 * (log₂(time) rounds, each combining element t with element t − 2^r), in doubles. Equal to
 * {@link minGruScanForwardF64} up to rounding.
 */
export function minGruScanTreeF64(
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float64Array {
  checkShapes({ k, u }, batch, time, dim);
  const s = new Float64Array(batch * time * dim);
  let logA = new Float64Array(time), logB = new Float64Array(time);
  let nextA = new Float64Array(time), nextB = new Float64Array(time);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < dim; c++) {
      for (let t = 0; t < time; t++) {
        const i = (n * time + t) * dim + c;
        logA[t] = -softplus(k[i]!);
        logB[t] = -softplus(-k[i]!) + minGruLogG(u[i]!);
      }
      for (let offset = 1; offset < time; offset *= 2) {
        for (let t = 0; t < time; t++) {
          if (t < offset) {
            nextA[t] = logA[t]!;
            nextB[t] = logB[t]!;
          } else {
            // earlier (A₁, B₁) = element t − offset, later (A₂, B₂) = element t
            nextA[t] = logA[t - offset]! + logA[t]!;
            nextB[t] = logAddExp(logA[t]! + logB[t - offset]!, logB[t]!);
          }
        }
        [logA, nextA] = [nextA, logA];
        [logB, nextB] = [nextB, logB];
      }
      // With s₋₁ = 0 the prefix map's offset is the state.
      for (let t = 0; t < time; t++) s[(n * time + t) * dim + c] = Math.exp(logB[t]!);
    }
  }
  return s;
}

/** Gradients of the minGRU scan, in doubles. */
export interface MinGruGradsF64 {
  /** d loss / d k. */
  dk: Float64Array;
  /** d loss / d u. */
  du: Float64Array;
}

/** {@link minGruScanBackward} in doubles. */
export function minGruScanBackwardF64(
  ds: ArrayLike<number>,
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  s: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): MinGruGradsF64 {
  checkShapes({ ds, k, u, s }, batch, time, dim);
  const dk = new Float64Array(batch * time * dim);
  const du = new Float64Array(batch * time * dim);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < dim; c++) {
      let carry = 0; // total d loss / d s_t, including the path through s_{t+1}
      let aNext = 0; // a_{t+1}
      for (let t = time - 1; t >= 0; t--) {
        const i = (n * time + t) * dim + c;
        carry = ds[i]! + aNext * carry;
        const z = sigmoid(k[i]!);
        const sPrev = t > 0 ? s[i - dim]! : 0;
        // s_t = (1 − z)·s_{t−1} + z·g(u): ∂/∂k = z(1 − z)(g(u) − s_{t−1}), ∂/∂u = z·g'(u)
        dk[i] = carry * z * (1 - z) * (minGruG(u[i]!) - sPrev);
        du[i] = carry * z * minGruGPrime(u[i]!);
        aNext = 1 - z;
      }
    }
  }
  return { dk, du };
}

/** Gradients of the minGRU scan, rounded to f32. */
export interface MinGruGrads {
  /** d loss / d k. */
  dk: Float32Array;
  /** d loss / d u. */
  du: Float32Array;
}

/**
 * Backward pass of {@link minGruScanForward} given the upstream gradient `ds` and the forward
 * output `s`: the linear-space adjoint recurrence run backwards in time,
 * `dsTotal_t = ds_t + (1 − z_{t+1})·dsTotal_{t+1}`, then chained to `k` and `u`.
 *
 * @example
 * ```ts
 * const k = new Float32Array(2), u = new Float32Array([0.5, 0.5]);
 * const s = minGruScanForward(k, u, 1, 2, 1);
 * const { dk, du } = minGruScanBackward(new Float32Array([0, 1]), k, u, s, 1, 2, 1);
 * ```
 */
export function minGruScanBackward(
  ds: ArrayLike<number>,
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  s: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): MinGruGrads {
  const g = minGruScanBackwardF64(ds, k, u, s, batch, time, dim);
  return { dk: Float32Array.from(g.dk), du: Float32Array.from(g.du) };
}

/**
 * One O(1) generation step: `s = s_prev + σ(k)·(g(u) − s_prev)` for a single token.
 *
 * @param k gate pre-activations `[dim]`
 * @param u candidate pre-activations `[dim]`
 * @param sPrev previous state `[dim]` (zeros at the start of a window)
 * @returns the new state `[dim]`
 *
 * @example
 * ```ts
 * minGruStep(new Float32Array([0]), new Float32Array([0.5]), new Float32Array([0]), 1); // [0.5]
 * ```
 */
export function minGruStep(
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  sPrev: ArrayLike<number>,
  dim: number,
): Float32Array {
  checkShapes({ k, u, sPrev }, 1, 1, dim);
  const s = new Float32Array(dim);
  for (let c = 0; c < dim; c++) {
    const p = sPrev[c]!;
    s[c] = p + sigmoid(k[c]!) * (minGruG(u[c]!) - p);
  }
  return s;
}

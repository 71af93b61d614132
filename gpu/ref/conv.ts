/**
 * CPU reference of the multi-scale causal depthwise convolution (PROTOCOL.md §3.1 (a)).
 *
 * Five branches with kernel lengths {@link CONV_KERNELS}; branch `b` has weights `[K_b, dim]`
 * (row `j` = lag `j`) and a per-channel gain `gains[b, c]`:
 *
 *   y[t, c] = Σ_b gains[b, c] · Σ_{j<K_b} w_b[j, c] · x[t − j, c]
 *
 * with `x` taken as zero before the start of each window (every batch window is independent).
 * Because the branches are linear, they collapse into one effective kernel of length 63,
 * `weff[j, c] = Σ_{b: j<K_b} gains[b, c] · w_b[j, c]`, which is how both passes are computed.
 *
 * All arithmetic is in JS doubles; the `…F64` variants return doubles (for finite-difference
 * tests), the plain ones round the result to f32.
 *
 * @module
 */

/** Kernel lengths of the five branches, in tensor order (`conv.w3` … `conv.w63`). */
export const CONV_KERNELS: readonly number[] = [3, 7, 15, 31, 63];

/** Length of the effective (summed) kernel: the longest branch. */
export const CONV_MAX_KERNEL = 63;

function checkShapes(
  x: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): void {
  if (x.length !== batch * time * dim) {
    throw new RangeError(`x has length ${x.length}, expected ${batch * time * dim}`);
  }
  if (weights.length !== CONV_KERNELS.length) {
    throw new RangeError(`weights has ${weights.length} branches, expected 5`);
  }
  weights.forEach((w, b) => {
    if (w.length !== CONV_KERNELS[b]! * dim) {
      throw new RangeError(
        `weights[${b}] has length ${w.length}, expected ${CONV_KERNELS[b]! * dim}`,
      );
    }
  });
  if (gains.length !== CONV_KERNELS.length * dim) {
    throw new RangeError(`gains has length ${gains.length}, expected ${5 * dim}`);
  }
}

/**
 * Effective per-channel kernel `weff[j, c] = Σ_{b: j<K_b} gains[b, c] · w_b[j, c]`, shape
 * `[63, dim]`.
 */
export function convEffectiveKernel(
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  dim: number,
): Float64Array {
  const weff = new Float64Array(CONV_MAX_KERNEL * dim);
  for (let b = 0; b < CONV_KERNELS.length; b++) {
    const w = weights[b]!;
    for (let j = 0; j < CONV_KERNELS[b]!; j++) {
      for (let c = 0; c < dim; c++) weff[j * dim + c]! += gains[b * dim + c]! * w[j * dim + c]!;
    }
  }
  return weff;
}

/** {@link convForward} in doubles. */
export function convForwardF64(
  x: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float64Array {
  checkShapes(x, weights, gains, batch, time, dim);
  const weff = convEffectiveKernel(weights, gains, dim);
  const y = new Float64Array(batch * time * dim);
  for (let n = 0; n < batch; n++) {
    const base = n * time;
    for (let t = 0; t < time; t++) {
      const jMax = Math.min(CONV_MAX_KERNEL - 1, t);
      for (let c = 0; c < dim; c++) {
        let acc = 0;
        for (let j = 0; j <= jMax; j++) acc += weff[j * dim + c]! * x[(base + t - j) * dim + c]!;
        y[(base + t) * dim + c] = acc;
      }
    }
  }
  return y;
}

/**
 * Forward pass: `y[t, c] = Σ_b gains[b, c] · Σ_{j<K_b} w_b[j, c] · x[t − j, c]`.
 *
 * @param x input `[batch·time, dim]`
 * @param weights five branch kernels, `weights[b]` is `[K_b, dim]` (row j = lag j)
 * @param gains branch gains `[5, dim]`
 * @returns y `[batch·time, dim]`
 *
 * @example
 * ```ts
 * const w = [3, 7, 15, 31, 63].map((k) => new Float32Array(k)); // dim 1
 * w[0]![1] = 1; // lag-1 tap in the K=3 branch
 * const gains = new Float32Array([1, 0, 0, 0, 0]);
 * convForward(new Float32Array([1, 2, 3]), w, gains, 1, 3, 1); // [0, 1, 2]
 * ```
 */
export function convForward(
  x: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float32Array {
  return Float32Array.from(convForwardF64(x, weights, gains, batch, time, dim));
}

/** Gradients of the convolution, in doubles. */
export interface ConvGradsF64 {
  /** d loss / d x, `[batch·time, dim]`. */
  dx: Float64Array;
  /** d loss / d w_b, each `[K_b, dim]`. */
  dweights: Float64Array[];
  /** d loss / d gains, `[5, dim]`. */
  dgains: Float64Array;
}

/** {@link convBackward} in doubles. */
export function convBackwardF64(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): ConvGradsF64 {
  checkShapes(x, weights, gains, batch, time, dim);
  if (dy.length !== x.length) {
    throw new RangeError(`dy has length ${dy.length}, expected ${x.length}`);
  }
  const weff = convEffectiveKernel(weights, gains, dim);
  const dx = new Float64Array(batch * time * dim);
  const dweff = new Float64Array(CONV_MAX_KERNEL * dim);
  for (let n = 0; n < batch; n++) {
    const base = n * time;
    for (let t = 0; t < time; t++) {
      const jMax = Math.min(CONV_MAX_KERNEL - 1, time - 1 - t);
      for (let c = 0; c < dim; c++) {
        // dx[t] = Σ_j weff[j]·dy[t + j]
        let acc = 0;
        for (let j = 0; j <= jMax; j++) acc += weff[j * dim + c]! * dy[(base + t + j) * dim + c]!;
        dx[(base + t) * dim + c] = acc;
      }
    }
    for (let j = 0; j < Math.min(CONV_MAX_KERNEL, time); j++) {
      for (let c = 0; c < dim; c++) {
        // dweff[j] = Σ_t dy[t]·x[t − j]
        let acc = 0;
        for (let t = j; t < time; t++) {
          acc += dy[(base + t) * dim + c]! * x[(base + t - j) * dim + c]!;
        }
        dweff[j * dim + c]! += acc;
      }
    }
  }
  const dweights: Float64Array[] = [];
  const dgains = new Float64Array(CONV_KERNELS.length * dim);
  for (let b = 0; b < CONV_KERNELS.length; b++) {
    const k = CONV_KERNELS[b]!;
    const w = weights[b]!;
    const dw = new Float64Array(k * dim);
    for (let j = 0; j < k; j++) {
      for (let c = 0; c < dim; c++) {
        const g = dweff[j * dim + c]!;
        dw[j * dim + c] = gains[b * dim + c]! * g;
        dgains[b * dim + c]! += w[j * dim + c]! * g;
      }
    }
    dweights.push(dw);
  }
  return { dx, dweights, dgains };
}

/** Gradients of the convolution, rounded to f32. */
export interface ConvGrads {
  /** d loss / d x, `[batch·time, dim]`. */
  dx: Float32Array;
  /** d loss / d w_b, each `[K_b, dim]`. */
  dweights: Float32Array[];
  /** d loss / d gains, `[5, dim]`. */
  dgains: Float32Array;
}

/**
 * Backward pass of {@link convForward}: given `dy`, returns `dx`, the five `dweights` and
 * `dgains`. Via the effective kernel: `dweff[j, c] = Σ_t dy[t, c] · x[t − j, c]` (per window),
 * `dw_b[j, c] = gains[b, c] · dweff[j, c]`, `dgains[b, c] = Σ_{j<K_b} w_b[j, c] · dweff[j, c]`,
 * `dx[t, c] = Σ_j weff[j, c] · dy[t + j, c]`.
 *
 * @example
 * ```ts
 * const w = [3, 7, 15, 31, 63].map((k) => new Float32Array(k));
 * const gains = new Float32Array(5).fill(1);
 * const { dx } = convBackward(new Float32Array([1, 0]), new Float32Array(2), w, gains, 1, 2, 1);
 * ```
 */
export function convBackward(
  dy: ArrayLike<number>,
  x: ArrayLike<number>,
  weights: readonly ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): ConvGrads {
  const g = convBackwardF64(dy, x, weights, gains, batch, time, dim);
  return {
    dx: Float32Array.from(g.dx),
    dweights: g.dweights.map((d) => Float32Array.from(d)),
    dgains: Float32Array.from(g.dgains),
  };
}

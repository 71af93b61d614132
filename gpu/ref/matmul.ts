/**
 * CPU reference for the bias-free linear layer y = x·Wᵀ (weights stored `[out, in]`), forward
 * and backward. Plain loops over flat arrays; sums are taken in JS doubles and stored as f32.
 *
 * @module
 */

function checkLength(name: string, a: ArrayLike<number>, n: number): void {
  if (a.length !== n) throw new RangeError(`${name} must have ${n} elements, got ${a.length}`);
}

/**
 * y[r, o] = Σ_i x[r, i]·w[o, i].
 *
 * @param x activations `[rows, inDim]`
 * @param w weights `[outDim, inDim]`
 * @returns y `[rows, outDim]`
 *
 * @example
 * ```ts
 * const y = matmulForward(new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1);
 * // y[0] === 11
 * ```
 */
export function matmulForward(
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
): Float32Array {
  checkLength("x", x, rows * inDim);
  checkLength("w", w, outDim * inDim);
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++) {
    const xo = r * inDim;
    for (let o = 0; o < outDim; o++) {
      const wo = o * inDim;
      let s = 0;
      for (let i = 0; i < inDim; i++) s += x[xo + i]! * w[wo + i]!;
      y[r * outDim + o] = s;
    }
  }
  return y;
}

/**
 * Gradients of {@link matmulForward}: dx[r, i] = Σ_o dy[r, o]·w[o, i] and
 * dw[o, i] = Σ_r dy[r, o]·x[r, i].
 *
 * @param dy upstream gradient `[rows, outDim]`
 * @param x forward input `[rows, inDim]`
 * @param w weights `[outDim, inDim]`
 * @returns dx `[rows, inDim]` and dw `[outDim, inDim]`
 *
 * @example
 * ```ts
 * const { dx, dw } = matmulBackward(
 *   new Float32Array([1]), new Float32Array([1, 2]), new Float32Array([3, 4]), 1, 2, 1,
 * );
 * // dx = [3, 4], dw = [1, 2]
 * ```
 */
export function matmulBackward(
  dy: Float32Array,
  x: Float32Array,
  w: Float32Array,
  rows: number,
  inDim: number,
  outDim: number,
): { dx: Float32Array; dw: Float32Array } {
  checkLength("dy", dy, rows * outDim);
  checkLength("x", x, rows * inDim);
  checkLength("w", w, outDim * inDim);
  const dx = new Float32Array(rows * inDim);
  const acc = new Float64Array(Math.max(inDim, 1));
  for (let r = 0; r < rows; r++) {
    acc.fill(0);
    for (let o = 0; o < outDim; o++) {
      const g = dy[r * outDim + o]!;
      const wo = o * inDim;
      for (let i = 0; i < inDim; i++) acc[i]! += g * w[wo + i]!;
    }
    for (let i = 0; i < inDim; i++) dx[r * inDim + i] = acc[i]!;
  }
  const dw = new Float32Array(outDim * inDim);
  for (let o = 0; o < outDim; o++) {
    acc.fill(0);
    for (let r = 0; r < rows; r++) {
      const g = dy[r * outDim + o]!;
      const xo = r * inDim;
      for (let i = 0; i < inDim; i++) acc[i]! += g * x[xo + i]!;
    }
    for (let i = 0; i < inDim; i++) dw[o * inDim + i] = acc[i]!;
  }
  return { dx, dw };
}

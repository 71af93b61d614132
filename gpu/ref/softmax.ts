/**
 * CPU reference of the scaled row softmax used by the slot memory (PROTOCOL.md §3.1 (c):
 * 64 slots, scale 1/√32): `p[r, :] = softmax(scale · x[r, :])`.
 *
 * All arithmetic is in JS doubles; the `…F64` variants return doubles, the others f32.
 *
 * @module
 */

function checkShape(name: string, a: ArrayLike<number>, rows: number, cols: number): void {
  if (a.length !== rows * cols) {
    throw new RangeError(`${name} has length ${a.length}, expected ${rows * cols}`);
  }
}

/** {@link softmaxForward} in doubles. */
export function softmaxForwardF64(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: number,
): Float64Array {
  checkShape("x", x, rows, cols);
  const p = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let max = -Infinity;
    for (let c = 0; c < cols; c++) max = Math.max(max, scale * x[o + c]!);
    let sum = 0;
    for (let c = 0; c < cols; c++) {
      const e = Math.exp(scale * x[o + c]! - max);
      p[o + c] = e;
      sum += e;
    }
    for (let c = 0; c < cols; c++) p[o + c]! /= sum;
  }
  return p;
}

/**
 * Row softmax of `scale · x` (max-subtracted, so large inputs do not overflow).
 *
 * @param x `[rows, cols]`
 * @returns p `[rows, cols]`, each row sums to 1
 *
 * @example
 * ```ts
 * softmaxForward(new Float32Array([0, Math.log(3)]), 1, 2, 1); // [0.25, 0.75]
 * ```
 */
export function softmaxForward(
  x: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: number,
): Float32Array {
  return Float32Array.from(softmaxForwardF64(x, rows, cols, scale));
}

/** {@link softmaxBackward} in doubles. */
export function softmaxBackwardF64(
  dp: ArrayLike<number>,
  p: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: number,
): Float64Array {
  checkShape("dp", dp, rows, cols);
  checkShape("p", p, rows, cols);
  const dx = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    let dot = 0;
    for (let c = 0; c < cols; c++) dot += p[o + c]! * dp[o + c]!;
    for (let c = 0; c < cols; c++) dx[o + c] = scale * p[o + c]! * (dp[o + c]! - dot);
  }
  return dx;
}

/**
 * Backward pass of {@link softmaxForward}: `dx = scale · p ⊙ (dp − Σ_c p·dp)` per row.
 *
 * @example
 * ```ts
 * const p = softmaxForward(new Float32Array([1, 2]), 1, 2, 0.5);
 * const dx = softmaxBackward(new Float32Array([1, 0]), p, 1, 2, 0.5);
 * ```
 */
export function softmaxBackward(
  dp: ArrayLike<number>,
  p: ArrayLike<number>,
  rows: number,
  cols: number,
  scale: number,
): Float32Array {
  return Float32Array.from(softmaxBackwardF64(dp, p, rows, cols, scale));
}

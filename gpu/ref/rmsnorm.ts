/**
 * CPU reference for RMSNorm with a learned gain: y = x / √((Σx² + ε) / dim) ⊙ gain, ε = 1e-5,
 * per row of `[rows, dim]`. ε is added to the *sum* of squares, not the mean, so that growing
 * the width with zero-valued dimensions changes every row's rms by exactly √(d/D), which the
 * grown RMSNorm gains undo (function-preserving growth, PROTOCOL.md §3). Forward keeps `rstd` for backward (as llm.c's layernorm does).
 *
 * @module
 */

/** The ε added to Σx² (not the mean) before dividing by the width and taking the root. */
export const RMSNORM_EPS = 1e-5;

/**
 * Forward pass.
 *
 * @param x input `[rows, dim]`
 * @param gain per-channel gain `[dim]`
 * @returns y `[rows, dim]` and rstd `[rows]` = 1/√((Σx²+ε)/dim)
 *
 * @example
 * ```ts
 * const { y } = rmsnormForward(new Float32Array([3, 4]), new Float32Array([1, 1]), 1, 2);
 * // y ≈ [0.8485, 1.1314] (rms = √12.5)
 * ```
 */
export function rmsnormForward(
  x: Float32Array,
  gain: Float32Array,
  rows: number,
  dim: number,
): { y: Float32Array; rstd: Float32Array } {
  if (x.length !== rows * dim) throw new RangeError(`x must have ${rows * dim} elements`);
  if (gain.length !== dim) throw new RangeError(`gain must have ${dim} elements`);
  const y = new Float32Array(rows * dim);
  const rstd = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    let ss = 0;
    for (let c = 0; c < dim; c++) ss += x[off + c]! * x[off + c]!;
    const rs = 1 / Math.sqrt((ss + RMSNORM_EPS) / dim);
    rstd[r] = rs;
    for (let c = 0; c < dim; c++) y[off + c] = x[off + c]! * rs * gain[c]!;
  }
  return { y, rstd };
}

/**
 * Backward pass. With n = x·rstd: dgain[c] = Σ_r dy·n, and
 * dx = rstd·(dy⊙gain − n·mean(dy⊙gain⊙n)).
 *
 * @param rstd as returned by {@link rmsnormForward}
 * @returns dx `[rows, dim]` and dgain `[dim]`
 *
 * @example
 * ```ts
 * const x = new Float32Array([3, 4]), gain = new Float32Array([1, 1]);
 * const { rstd } = rmsnormForward(x, gain, 1, 2);
 * const { dx, dgain } = rmsnormBackward(new Float32Array([1, 0]), x, gain, rstd, 1, 2);
 * ```
 */
export function rmsnormBackward(
  dy: Float32Array,
  x: Float32Array,
  gain: Float32Array,
  rstd: Float32Array,
  rows: number,
  dim: number,
): { dx: Float32Array; dgain: Float32Array } {
  if (dy.length !== rows * dim || x.length !== rows * dim) {
    throw new RangeError(`dy and x must have ${rows * dim} elements`);
  }
  if (gain.length !== dim || rstd.length !== rows) {
    throw new RangeError(`gain must have ${dim} and rstd ${rows} elements`);
  }
  const dx = new Float32Array(rows * dim);
  const dgain = new Float64Array(dim);
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    const rs = rstd[r]!;
    let dot = 0;
    for (let c = 0; c < dim; c++) {
      const n = x[off + c]! * rs;
      dgain[c]! += dy[off + c]! * n;
      dot += dy[off + c]! * gain[c]! * n;
    }
    const mean = dot / dim;
    for (let c = 0; c < dim; c++) {
      const n = x[off + c]! * rs;
      dx[off + c] = rs * (dy[off + c]! * gain[c]! - n * mean);
    }
  }
  return { dx, dgain: Float32Array.from(dgain) };
}

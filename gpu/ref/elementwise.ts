/**
 * CPU references for the trivial element-wise ops the model needs (residual add, scale).
 *
 * @module
 */

/**
 * y += x, in place.
 *
 * @example
 * ```ts
 * const y = new Float32Array([1, 2]);
 * addInPlace(y, new Float32Array([3, 4])); // y = [4, 6]
 * ```
 */
export function addInPlace(y: Float32Array, x: Float32Array): void {
  if (y.length !== x.length) throw new RangeError(`x must have ${y.length} elements`);
  for (let i = 0; i < y.length; i++) y[i] = y[i]! + x[i]!;
}

/**
 * Returns x·s as a new array.
 *
 * @example
 * ```ts
 * scale(new Float32Array([1, 2]), 3); // [3, 6]
 * ```
 */
export function scale(x: Float32Array, s: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = x[i]! * s;
  return y;
}

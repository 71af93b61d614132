/**
 * CPU reference of the SwiGLU gate (Shazeer 2020; PROTOCOL.md §3.1 (d)): `m = silu(a) ⊙ b`
 * with `silu(a) = a·σ(a)`, elementwise.
 *
 * All arithmetic is in JS doubles; the `…F64` variants return doubles, the others f32.
 *
 * @module
 */

function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

function checkSameLength(arrays: Record<string, ArrayLike<number>>, n: number): void {
  for (const [name, a] of Object.entries(arrays)) {
    if (a.length !== n) throw new RangeError(`${name} has length ${a.length}, expected ${n}`);
  }
}

/** {@link swigluForward} in doubles. */
export function swigluForwardF64(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  checkSameLength({ b }, a.length);
  const m = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) m[i] = a[i]! * sigmoid(a[i]!) * b[i]!;
  return m;
}

/**
 * `m = silu(a) ⊙ b`.
 *
 * @example
 * ```ts
 * swigluForward(new Float32Array([0, 1]), new Float32Array([5, 2])); // [0, 2σ(1)]
 * ```
 */
export function swigluForward(a: ArrayLike<number>, b: ArrayLike<number>): Float32Array {
  return Float32Array.from(swigluForwardF64(a, b));
}

/** Gradients of SwiGLU, in doubles. */
export interface SwigluGradsF64 {
  /** d loss / d a. */
  da: Float64Array;
  /** d loss / d b. */
  db: Float64Array;
}

/** {@link swigluBackward} in doubles. */
export function swigluBackwardF64(
  dm: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): SwigluGradsF64 {
  checkSameLength({ dm, b }, a.length);
  const da = new Float64Array(a.length);
  const db = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) {
    const s = sigmoid(a[i]!);
    da[i] = dm[i]! * b[i]! * s * (1 + a[i]! * (1 - s));
    db[i] = dm[i]! * a[i]! * s;
  }
  return { da, db };
}

/** Gradients of SwiGLU, rounded to f32. */
export interface SwigluGrads {
  /** d loss / d a. */
  da: Float32Array;
  /** d loss / d b. */
  db: Float32Array;
}

/**
 * Backward pass of {@link swigluForward}: `da = dm·b·σ(a)(1 + a(1 − σ(a)))`,
 * `db = dm·silu(a)`.
 *
 * @example
 * ```ts
 * const { da, db } = swigluBackward(new Float32Array([1]), new Float32Array([0]), new Float32Array([3]));
 * // da = [1.5] (silu'(0) = 0.5), db = [0]
 * ```
 */
export function swigluBackward(
  dm: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
): SwigluGrads {
  const g = swigluBackwardF64(dm, a, b);
  return { da: Float32Array.from(g.da), db: Float32Array.from(g.db) };
}

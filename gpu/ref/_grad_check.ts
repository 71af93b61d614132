/**
 * Test helpers (private) for checking CPU-reference backward passes against central finite
 * differences of their forward passes.
 *
 * @module
 */
import assert from "node:assert/strict";

/** `n` deterministic values in [offset − 1, offset + 1) from a 32-bit LCG seeded with `seed`. */
export function lcgValues(n: number, seed: number, offset = 0): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1 + offset;
  }
  return out;
}

/** A mutable array of parameters: f32 for kernel-precision checks, f64 for the exact references. */
export type Params = Float32Array | Float64Array;

/** Central difference of f with respect to a[i], using the (f32-rounded) step actually taken. */
export function centralDiff(f: () => number, a: Params, i: number, h: number): number {
  const orig = a[i]!;
  a[i] = orig + h;
  const up = a[i]!;
  const fp = f();
  a[i] = orig - h;
  const down = a[i]!;
  const fm = f();
  a[i] = orig;
  return (fp - fm) / (up - down);
}

/** Σ a·b in doubles. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

/** Tolerances of {@link checkGrad}: step, absolute and relative tolerance. */
export interface GradCheckOptions {
  h: number;
  atol: number;
  rtol: number;
}

/** Asserts every entry of `analytic` equals the central difference of `f` w.r.t. `a`. */
export function checkGrad(
  name: string,
  analytic: ArrayLike<number>,
  f: () => number,
  a: Params,
  { h, atol, rtol }: GradCheckOptions,
): void {
  for (let i = 0; i < a.length; i++) {
    const fd = centralDiff(f, a, i, h);
    const tol = atol + rtol * Math.abs(fd);
    assert.ok(Math.abs(analytic[i]! - fd) <= tol, `${name}[${i}]: ${analytic[i]} vs FD ${fd}`);
  }
}

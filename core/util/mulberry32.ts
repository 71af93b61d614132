/**
 * mulberry32, a small seeded 32-bit PRNG (Tommy Ettinger's), for reproducible choices that are
 * not consensus and not secret: training window offsets, test inputs, fuzz cases. The whole
 * state is one uint32, so a caller can save it and resume exactly.
 *
 * @module
 */

/** The state after `state`: a Weyl step by 0x6d2b79f5, mod 2^32. */
export function mulberry32NextState(state: number): number {
  return (state + 0x6d2b79f5) >>> 0;
}

/** The uniform float in [0, 1) that the (already advanced) `state` yields. */
export function mulberry32Value(state: number): number {
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

/**
 * A generator of uniform floats in [0, 1) seeded with `seed` (any number; its low 32 bits).
 *
 * @example
 * ```ts
 * import { mulberry32 } from "./mulberry32.ts";
 * const a = mulberry32(7), b = mulberry32(7);
 * console.log(a() === b() && a() === b()); // true: the same seed gives the same sequence
 * ```
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = mulberry32NextState(state);
    return mulberry32Value(state);
  };
}

/**
 * Byte-string equality for public data (hashes, roots, magics, peer ids): exits at the first
 * difference. Compare secrets (MACs, passwords) with {@linkcode timingSafeEqual} instead.
 *
 * @module
 */

/**
 * True when `a` and `b` have the same length and the same bytes.
 *
 * @example
 * ```ts
 * import { bytesEqual } from "./bytes_equal.ts";
 * console.log(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))); // true
 * console.log(bytesEqual(new Uint8Array([1]), new Uint8Array([1, 2]))); // false
 * ```
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

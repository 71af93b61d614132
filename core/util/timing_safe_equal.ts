/**
 * Byte-string equality for secrets (MACs, RPC passwords, wallet salts): the time taken depends
 * only on the lengths, never on where the bytes differ (Bitcoin Core's `TimingResistantEqual`,
 * Hono's `timingSafeEqual`).
 *
 * @module
 */

/**
 * True when `a` and `b` have the same length and the same bytes, in time that depends only on
 * `a.length` (pass the untrusted input as `a`, the secret as `b`: the secret's length is not
 * leaked by an early exit either).
 *
 * @example
 * ```ts
 * import { timingSafeEqual } from "./timing_safe_equal.ts";
 * const enc = (s: string) => new TextEncoder().encode(s);
 * console.log(timingSafeEqual(enc("secret"), enc("secret"))); // true
 * console.log(timingSafeEqual(enc("secreT"), enc("secret"))); // false
 * ```
 */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (b.length === 0) return a.length === 0;
  let diff = a.length ^ b.length;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i % b.length]!;
  return diff === 0;
}

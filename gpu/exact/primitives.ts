/**
 * The integer primitives of the exact consensus loss (PROTOCOL.md §3.10): rounding shifts,
 * bit lengths, integer square root, the exp2 table and the integer exp, sigmoid and log2.
 *
 * Every function here is a function of integers to integers. The TypeScript twins hold values
 * in JS numbers, which are exact integers below 2^53; every bound below says why each
 * intermediate stays under it.
 *
 * @module
 */

/** Largest residual-stream value (Q16): |h| ≤ 2^30 − 1. */
export const H_MAX = 2 ** 30 - 1;
/** Largest Q12 projection output (k, u, q, scores, a, b, logits): |v| ≤ 2^20 − 1. */
export const Q_MAX = 2 ** 20 - 1;
/** Largest normalised activation (Q12): |x̂| ≤ 2^19 − 1. */
export const NORM_MAX = 2 ** 19 - 1;
/** Largest argument of the integer exp, in Q12 nats (16 nats): larger arguments are clamped. */
export const EXP_ARG_MAX = 65535;
/** round(1e-5 · 2^62): RMSNorm's ε in the units of the normaliser (§3.10.4). */
export const EPS_Q62 = 46116860184274;
/** round(log2(e) · 2^15). */
export const LOG2E_Q15 = 47274;
/** round(ln(2) · 2^24). */
export const LN2_Q24 = 11629080;

/** Clamps `x` to [−max, max]. */
export function clampSym(x: number, max: number): number {
  return x > max ? max : x < -max ? -max : x;
}

/**
 * Rounding arithmetic right shift, ties towards +∞: ⌊(x + 2^(n−1)) / 2^n⌋ for n ≥ 1, x for
 * n = 0. Exact for integers |x| < 2^52 (the sum stays below 2^53; for n ≥ 53 the result is 0).
 *
 * @example
 * ```ts
 * import { rshr } from "./primitives.ts";
 * rshr(5, 1); // 3 (2.5 rounds up)
 * rshr(-5, 1); // -2 (−2.5 rounds up)
 * ```
 */
export function rshr(x: number, n: number): number {
  if (n <= 0) return x;
  if (n >= 53) return 0;
  return Math.floor((x + 2 ** (n - 1)) / 2 ** n);
}

/**
 * x·2^(−n) rounded by {@link rshr} when n > 0, x·2^(−n) exactly when n ≤ 0; then clamped to
 * ±max. The requantisation step of every projection.
 */
export function shiftClamp(x: number, n: number, max: number): number {
  if (x === 0) return 0;
  if (n > 0) return clampSym(rshr(x, n), max);
  if (-n >= 60) return x > 0 ? max : -max;
  return clampSym(x * 2 ** -n, max);
}

/** Number of bits of a non-negative integer m < 2^53 (0 for 0). */
export function bitLength(m: number): number {
  if (m < 4294967296) return 32 - Math.clz32(m);
  return 32 + bitLength(Math.floor(m / 4294967296));
}

/** ⌊√n⌋ for an integer 0 ≤ n ≤ 2^52. */
export function isqrt(n: number): number {
  let r = Math.floor(Math.sqrt(n));
  while (r * r > n) r--;
  while ((r + 1) * (r + 1) <= n) r++;
  return r;
}

/** ⌊a / b⌋ for integers 0 ≤ a < 2^52, b > 0 (corrected so float rounding cannot leak in). */
export function floorDiv(a: number, b: number): number {
  let q = Math.floor(a / b);
  while (q * b > a) q--;
  while ((q + 1) * b <= a) q++;
  return q;
}

/**
 * The exp2 table: `EXP2_TABLE[j] = round(2^(30 − j/256))` for j = 0..256, i.e. the integer
 * nearest to the 256th root of 2^(7680 − j). Built with BigInt from that rule alone: y is the
 * largest integer with y^256 ≤ 2^(7680−j), plus one when (2y + 1)^256 ≤ 2^(7936−j).
 */
export const EXP2_TABLE: Int32Array = buildExp2Table();

function buildExp2Table(): Int32Array {
  const t = new Int32Array(257);
  for (let j = 0; j <= 256; j++) {
    const target = 1n << BigInt(7680 - j);
    let y = BigInt(Math.floor(2 ** (30 - j / 256)));
    while (y ** 256n > target) y--;
    while ((y + 1n) ** 256n <= target) y++;
    if ((2n * y + 1n) ** 256n <= target << 256n) y++;
    t[j] = Number(y);
  }
  return t;
}

/**
 * e^(−y/2^12) in Q30 for an integer 0 ≤ y ≤ 65535 (callers clamp): x = rshr(y·LOG2E_Q15, 11) is
 * y·log2(e) in Q16; 2^(−x) = 2^(−⌊x/2^16⌋) · 2^(−frac), the fraction from the table with linear
 * interpolation over its low 8 bits. Result in [0, 2^30].
 */
export function expNegQ30(y: number): number {
  const x = rshr(y * LOG2E_Q15, 11); // ≤ 2^21.6
  const i = Math.floor(x / 65536);
  const f = x - i * 65536;
  const j = f >> 8, r = f & 255;
  const a = EXP2_TABLE[j]!, b = EXP2_TABLE[j + 1]!;
  const v = a - rshr((a - b) * r, 8); // (a − b)·r < 2^22·2^8
  return rshr(v, i);
}

/**
 * σ(k/2^12) in Q14 for any integer k: with E = expNegQ30(min(|k|, 65535)),
 * σ⁺ = round(2^44 / (2^30 + E)) (ties up), σ = σ⁺ for k ≥ 0 and 2^14 − σ⁺ for k < 0.
 */
export function sigmoidQ14(k: number): number {
  const y = k < 0 ? -k : k;
  const e = expNegQ30(y > EXP_ARG_MAX ? EXP_ARG_MAX : y);
  const den = 1073741824 + e;
  const sp = floorDiv(35184372088832 + den, 2 * den); // ⌊(2^45 + D)/(2D)⌋
  return k >= 0 ? sp : 16384 - sp;
}

/**
 * log2(S) in Q24 for an integer 1 ≤ S < 2^53, by repeated squaring: b = bitLength(S);
 * x = S normalised to 26 bits (⌊S / 2^(b−26)⌋ or S·2^(26−b)), so x/2^25 ∈ [1, 2); result
 * starts at (b − 1)·2^24; 24 times: x = ⌊x²/2^25⌋ (x² < 2^52), and when x ≥ 2^26:
 * x = ⌊x/2⌋ and add 2^(24−i) for step i = 1..24.
 */
export function log2Q24(s: number): number {
  const b = bitLength(s);
  let x = b >= 26 ? Math.floor(s / 2 ** (b - 26)) : s * 2 ** (26 - b);
  let out = (b - 1) * 16777216;
  for (let i = 1; i <= 24; i++) {
    x = Math.floor((x * x) / 33554432);
    if (x >= 67108864) {
      x = Math.floor(x / 2);
      out += 2 ** (24 - i);
    }
  }
  return out;
}

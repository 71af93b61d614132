/**
 * WGSL twins of the integer primitives of the exact consensus loss (PROTOCOL.md §3.10,
 * `../primitives.ts`), for the WebGPU path. WGSL has 32-bit integers only, so the few values
 * the spec lets reach 64 bits (RMSNorm's Σh², softmax and loss sums, products such as h'·G or
 * a·σ(a)) are held as `vec2<u32>` (lo, hi) two's-complement words with explicit carries, and
 * every division is an exact restoring long division. The functions return the same integers
 * as the TypeScript twins for every input in the ranges the spec allows (tested one by one in
 * `int_wgsl_test.ts`).
 *
 * One identity removes most 64-bit work: rshr(x, n) = ⌊x / 2^n⌋ + bit (n − 1) of x (two's
 * complement), so a rounding shift never needs the intermediate x + 2^(n−1).
 *
 * @module
 */
import { EPS_Q62, EXP_ARG_MAX, H_MAX, LN2_Q24, LOG2E_Q15, NORM_MAX } from "../primitives.ts";

const EPS_LO = EPS_Q62 % 2 ** 32, EPS_HI = Math.floor(EPS_Q62 / 2 ** 32);

/**
 * The 64-bit word helpers, rounding shifts, clamps, long division, log2 and the RMSNorm
 * constants every exact kernel includes.
 */
export const INT_WGSL = /* wgsl */ `
const H_MAX: i32 = ${H_MAX};
const NORM_MAX: i32 = ${NORM_MAX};

// ---- 64-bit words: vec2<u32>(lo, hi), two's complement when signed ----
fn u64_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn u64_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  return vec2<u32>(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}
fn u64_ge(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.y > b.y || (a.y == b.y && a.x >= b.x);
}
fn u64_neg(a: vec2<u32>) -> vec2<u32> {
  return u64_sub(vec2<u32>(0u, 0u), a);
}
// a << n for 0 <= n < 64.
fn u64_shl(a: vec2<u32>, n: u32) -> vec2<u32> {
  if (n == 0u) { return a; }
  if (n >= 32u) { return vec2<u32>(0u, a.x << (n - 32u)); }
  return vec2<u32>(a.x << n, (a.y << n) | (a.x >> (32u - n)));
}
// Logical a >> n for 0 <= n < 64.
fn u64_shr(a: vec2<u32>, n: u32) -> vec2<u32> {
  if (n == 0u) { return a; }
  if (n >= 32u) { return vec2<u32>(a.y >> (n - 32u), 0u); }
  return vec2<u32>((a.x >> n) | (a.y << (32u - n)), a.y >> n);
}
fn u64_bitlen(a: vec2<u32>) -> u32 {
  if (a.y != 0u) { return 64u - countLeadingZeros(a.y); }
  return 32u - countLeadingZeros(a.x);
}
// Full 32x32 -> 64 unsigned product from 16-bit halves.
fn mul_u32(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu; let a1 = a >> 16u;
  let b0 = b & 0xffffu; let b1 = b >> 16u;
  let p00 = a0 * b0;
  let p01 = a0 * b1;
  let mid = p01 + a1 * b0;
  let midCarry = select(0u, 0x10000u, mid < p01);
  let lo = p00 + (mid << 16u);
  let hi = a1 * b1 + (mid >> 16u) + midCarry + select(0u, 1u, lo < p00);
  return vec2<u32>(lo, hi);
}
// Signed 32x32 -> 64 product (two's complement words).
fn mul_i32(a: i32, b: i32) -> vec2<u32> {
  let p = mul_u32(u32(abs(a)), u32(abs(b)));
  if ((a < 0) != (b < 0)) { return u64_neg(p); }
  return p;
}
// rshr of a signed 64-bit value, 1 <= n <= 62, when the result fits i32:
// floor(v / 2^n) + bit (n - 1) of v.
fn rshr64(v: vec2<u32>, n: u32) -> i32 {
  var fl: u32;
  if (n >= 32u) { fl = u32(bitcast<i32>(v.y) >> min(n - 32u, 31u)); }
  else { fl = (v.x >> n) | (v.y << (32u - n)); }
  var bit: u32;
  if (n - 1u >= 32u) { bit = (v.y >> (n - 33u)) & 1u; } else { bit = (v.x >> (n - 1u)) & 1u; }
  return bitcast<i32>(fl + bit);
}
// rshr(a * b, n) for n >= 1 with the result in i32.
fn mul_rshr(a: i32, b: i32, n: u32) -> i32 {
  return rshr64(mul_i32(a, b), n);
}

// ---- 32-bit rounding shifts and clamps ----
// rshr(x, n) = floor((x + 2^(n-1)) / 2^n) for n >= 1, x for n = 0; never overflows.
fn rshr32(x: i32, n: u32) -> i32 {
  if (n == 0u) { return x; }
  return (x >> min(n, 31u)) + ((x >> min(n - 1u, 31u)) & 1);
}
fn clamp_sym(x: i32, m: i32) -> i32 {
  return clamp(x, -m, m);
}
// shift(x, n, M) of §3.10.1: rshr for n > 0, x * 2^-n for n <= 0, clamped to [-M, M].
fn shift_clamp(x: i32, n: i32, m: i32) -> i32 {
  if (x == 0) { return 0; }
  if (n > 0) { return clamp_sym(rshr32(x, u32(n)), m); }
  let s = u32(-n);
  if (s >= 31u || abs(x) > (m >> s)) { return select(-m, m, x > 0); }
  return x << s;
}
fn bitlen32(m: u32) -> u32 {
  return 32u - countLeadingZeros(m);
}

// floor(n / d) for a quotient < 2^qb and (n >> qb) < d, both 64-bit.
fn div64(n: vec2<u32>, d: vec2<u32>, qb: u32) -> u32 {
  var rem = u64_shr(n, qb);
  var q = 0u;
  for (var i = i32(qb) - 1; i >= 0; i--) {
    let bit = u64_shr(n, u32(i)).x & 1u;
    rem = vec2<u32>((rem.x << 1u) | bit, (rem.y << 1u) | (rem.x >> 31u));
    if (u64_ge(rem, d)) { rem = u64_sub(rem, d); q |= 1u << u32(i); }
  }
  return q;
}
// q * d for q < 2^32 and d < 2^64 whose product fits 64 bits.
fn mul_u32_u64(q: u32, d: vec2<u32>) -> vec2<u32> {
  return u64_add(mul_u32(q, d.x), vec2<u32>(0u, q * d.y));
}
// floor(n / d) from an estimate q0 a few units off: exact, since it is corrected until
// q*d <= n < (q + 1)*d.
fn div_fix(n: vec2<u32>, d: vec2<u32>, q0: u32) -> u32 {
  var q = q0;
  while (!u64_ge(n, mul_u32_u64(q, d))) { q--; }
  while (u64_ge(n, mul_u32_u64(q + 1u, d))) { q++; }
  return q;
}
// log2(s) in Q24 for 2^26 <= s < 2^53 (every caller's sum is >= 2^30).
fn log2_q24(s: vec2<u32>) -> i32 {
  let b = u64_bitlen(s);
  var x = u64_shr(s, b - 26u).x;
  var out = (b - 1u) << 24u;
  for (var i = 1u; i <= 24u; i++) {
    let p = mul_u32(x, x);
    x = (p.x >> 25u) | (p.y << 7u);
    if (x >= 0x4000000u) {
      x = x >> 1u;
      out += 1u << (24u - i);
    }
  }
  return i32(out);
}
fn ln2_q24() -> i32 { return ${LN2_Q24}; }

// ---- RMSNorm constants (§3.10.4) ----
// rshr(EPS_Q62, n) for 2 <= n <= 62, as a 64-bit word.
fn eps_term(n: u32) -> vec2<u32> {
  let e = vec2<u32>(${EPS_LO}u, ${EPS_HI}u);
  return u64_add(u64_shr(e, n), vec2<u32>(u64_shr(e, n - 1u).x & 1u, 0u));
}
// isqrt(x) for 2^44 <= x < 2^46: r in [2^22, 2^23), bit by bit.
fn isqrt_44(x: vec2<u32>) -> u32 {
  var r = 1u << 22u;
  for (var b = 21i; b >= 0; b--) {
    let c = r | (1u << u32(b));
    if (u64_ge(x, mul_u32(c, c))) { r = c; }
  }
  return r;
}
`;

/**
 * The integer exp and sigmoid; the including kernel declares
 * `var<uniform> exp2tab: array<vec4<u32>, 65>` (the 257-entry table of §3.10.5 from
 * `EXP2_TABLE`, zero-padded; a uniform load is cheaper than a storage load on llvmpipe).
 */
export const EXP_WGSL = /* wgsl */ `
// e^(-y/2^12) in Q30 for 0 <= y <= ${EXP_ARG_MAX}: y * LOG2E_Q15 < 2^32, so u32 holds it.
fn exp_neg(y: u32) -> u32 {
  let x = (y * ${LOG2E_Q15}u + 1024u) >> 11u;
  let i = x >> 16u;
  let f = x & 0xffffu;
  let j = f >> 8u;
  let t = f & 255u;
  let a = exp2tab[j >> 2u][j & 3u];
  let b = exp2tab[(j + 1u) >> 2u][(j + 1u) & 3u];
  let v = a - (((a - b) * t + 128u) >> 8u);
  if (i == 0u) { return v; }
  if (i >= 32u) { return 0u; }
  return (v + (1u << (i - 1u))) >> i; // v <= 2^30, so the sum <= 2^31
}
// sigma(k / 2^12) in Q14: sigma+ = floor((2^45 + D) / (2D)) = floor(N / D) with
// N = 2^44 + floor(D/2) < 2^45 and D in [2^30, 2^31]; the u32 quotient of the top bits is
// within a few units, then exact 64-bit checks correct it.
fn sigmoid_q14(k: i32) -> i32 {
  let e = exp_neg(min(u32(abs(k)), ${EXP_ARG_MAX}u));
  let den = 0x40000000u + e;
  let q = div_fix(vec2<u32>(den >> 1u, 4096u), vec2<u32>(den, 0u),
    ((1u << 29u) + (den >> 16u)) / (den >> 15u));
  return select(16384 - i32(q), i32(q), k >= 0);
}
`;

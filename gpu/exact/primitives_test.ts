import assert from "node:assert/strict";
import {
  bitLength,
  EXP2_TABLE,
  expNegQ30,
  floorDiv,
  isqrt,
  log2Q24,
  rshr,
  shiftClamp,
  sigmoidQ14,
} from "./primitives.ts";
import {
  floorLog2,
  groupExponent,
  quantizeFoldedRows,
  quantizeRows,
  roundHalfAway,
} from "./quantize.ts";
import { actBitsFor, quantizeRow, rmsnormQ12, sqrtDimQ20 } from "./forward.ts";

Deno.test("rshr() rounds ties towards +∞ and shifts by ≥ 53 to zero", () => {
  assert.equal(rshr(5, 1), 3);
  assert.equal(rshr(-5, 1), -2);
  assert.equal(rshr(-6, 2), -1); // −1.5 → −1
  assert.equal(rshr(7, 0), 7);
  assert.equal(rshr(2 ** 40, 60), 0);
  assert.equal(shiftClamp(3, -4, 1000), 48);
  assert.equal(shiftClamp(3, -40, 1000), 1000);
  assert.equal(shiftClamp(-3, -70, 1000), -1000);
});

Deno.test("bitLength(), isqrt() and floorDiv() are exact at powers of two and squares", () => {
  for (let b = 0; b < 52; b++) {
    assert.equal(bitLength(2 ** b), b + 1);
    assert.equal(bitLength(2 ** b - 1), b);
  }
  for (const n of [0, 1, 2 ** 46 - 1, 2 ** 46, 4503599627370495]) {
    const r = isqrt(n);
    assert.ok(r * r <= n && (r + 1) * (r + 1) > n);
  }
  assert.equal(floorDiv(2 ** 51 - 1, 3), Math.floor((2 ** 51 - 1) / 3));
  assert.equal(floorDiv(2 ** 50 + 7, 2 ** 25), 2 ** 25);
});

Deno.test("EXP2_TABLE follows its integer rule and is within 1 of 2^(30 − j/256)", () => {
  assert.equal(EXP2_TABLE[0], 2 ** 30);
  assert.equal(EXP2_TABLE[256], 2 ** 29);
  for (let j = 0; j <= 256; j++) {
    const y = BigInt(EXP2_TABLE[j]!);
    // round: (2y − 1)^256 < 2^(7936−j) ≤ (2y + 1)^256 … with the rule's tie-up
    assert.ok((2n * y - 1n) ** 256n <= 1n << BigInt(7936 - j), `entry ${j} too big`);
    assert.ok((2n * y + 1n) ** 256n > 1n << BigInt(7936 - j), `entry ${j} too small`);
    assert.ok(Math.abs(EXP2_TABLE[j]! - 2 ** (30 - j / 256)) <= 0.5 + 1e-6);
  }
});

Deno.test("expNegQ30() is within (1.2e-5 + 5e-6·y/4096) relative (+1 unit) of e^(−y/4096)", () => {
  for (let y = 0; y <= 65535; y += 7) {
    const want = Math.exp(-y / 4096) * 2 ** 30;
    assert.ok(Math.abs(expNegQ30(y) - want) <= want * (1.2e-5 + 5e-6 * y / 4096) + 1, `y = ${y}`);
  }
});

Deno.test("sigmoidQ14() is within 1.5 units of σ·2^14 and symmetric", () => {
  for (let k = -200000; k <= 200000; k += 97) {
    const want = 16384 / (1 + Math.exp(-k / 4096));
    assert.ok(Math.abs(sigmoidQ14(k) - want) <= 1.5, `k = ${k}`);
    assert.equal(sigmoidQ14(k) + sigmoidQ14(-k), k === 0 ? 16384 : 16384);
  }
  assert.equal(sigmoidQ14(0), 8192);
});

Deno.test("log2Q24() is within 2^-20 of log2 over its range", () => {
  for (const s of [1, 2, 3, 1000, 2 ** 30, 2 ** 30 + 12345, 3 * 2 ** 35, 2 ** 38 - 1, 2 ** 52]) {
    assert.ok(Math.abs(log2Q24(s) / 2 ** 24 - Math.log2(s)) <= 2 ** -20, `S = ${s}`);
  }
  assert.equal(log2Q24(2 ** 30), 30 * 2 ** 24);
});

Deno.test("roundHalfAway(), floorLog2() and groupExponent() are exact", () => {
  assert.equal(roundHalfAway(2.5), 3);
  assert.equal(roundHalfAway(-2.5), -3);
  assert.equal(roundHalfAway(0.49999999999999994), 0);
  assert.equal(floorLog2(1), 0);
  assert.equal(floorLog2(0.75), -1);
  assert.equal(floorLog2(2 ** -1074), -1074);
  assert.equal(groupExponent(1, 9), 8); // 1·2^8 = 256 ∈ [256, 512)
  assert.equal(groupExponent(0, 9), 0);
});

Deno.test("quantizeRows() rounds ties away from zero and saturates at ±511", () => {
  // Row max 1 → e = 8; 0.5/256 + … values land on exact half steps.
  const w = new Float64Array([1, 1.5 / 256, -1.5 / 256, 2.5 / 256, 511.75 / 256]);
  const q = quantizeRows(w, 1, 5);
  assert.equal(q.exp[0], 8);
  assert.deepEqual([...q.q], [256, 2, -2, 3, 511]);
  const sat = quantizeRows(new Float64Array([511.6 / 256, -1]), 1, 2);
  assert.deepEqual([...sat.q], [511, -256]); // 511.6 rounds to 512, saturates to 511
});

Deno.test("quantizeFoldedRows() gives quantizeRows() of the binary64 w·gain: ties, saturation, zero rows, non-finite weights", () => {
  const out = 5, k = 9;
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const w = Float32Array.from({ length: out * k }, () => rnd() * 0.07);
  w.set([1, 1.5 / 256, -1.5 / 256, 2.5 / 256, -2.5 / 256, 511.75 / 256, -511.5 / 256, 0, -0], 0);
  w.fill(0, 2 * k, 3 * k); // a zero row
  w[3 * k] = -3e-39; // a subnormal f32 as a row maximum
  const gain = Float32Array.from({ length: k }, (_, i) => i === 0 ? 1 : 0.5 + rnd() * 0.25);
  for (const g of [gain, null, new Float32Array(k).fill(1)]) {
    const folded = Float64Array.from(w, (v, i) => g ? v * g[i % k]! : v);
    assert.deepEqual(quantizeFoldedRows(w, g, out, k, 10), quantizeRows(folded, out, k));
  }
  const tie = quantizeFoldedRows(w, null, out, k, 10);
  assert.deepEqual([...tie.q.subarray(0, k)], [256, 2, -2, 3, -3, 511, -511, 0, 0]);
  for (const bad of [NaN, Infinity, -Infinity]) {
    const wb = w.slice();
    wb[k + 4] = bad;
    assert.throws(() => quantizeFoldedRows(wb, gain, out, k, 10), /Cannot quantise a weight/);
  }
});

Deno.test("quantizeRow() keeps ACT_BITS and actBitsFor() keeps products inside int32", () => {
  const v = new Int32Array([2 ** 21 - 1, -(2 ** 21) + 1, 3, 0]);
  const out = new Int32Array(4);
  const sh = quantizeRow(v, 0, 4, out, 0);
  assert.equal(sh, 21 - 10);
  assert.deepEqual([...out], [1023, -1023, 0, 0]); // ±1024 after rounding saturate to ±1023
  for (const k of [16, 4096, 8192, 16384]) {
    const bits = actBitsFor(k);
    assert.ok(k * 511 * (2 ** (bits - 1) - 1) < 2 ** 31, `k = ${k}`);
  }
  assert.equal(actBitsFor(16384), 9);
});

Deno.test("rmsnormQ12() gives x·√d/√(Σx² + ε) to 1e-4 and zero for a zero row", () => {
  const d = 384, h = new Int32Array(d), out = new Int32Array(d);
  for (let i = 0; i < d; i++) h[i] = Math.round(Math.sin(i) * 40000 * (1 + i / 100));
  rmsnormQ12(h, 0, d, sqrtDimQ20(d), out, 0);
  let ss = 1e-5;
  for (let i = 0; i < d; i++) ss += (h[i]! / 65536) ** 2;
  for (let i = 0; i < d; i++) {
    const want = (h[i]! / 65536) * Math.sqrt(d / ss) * 4096;
    assert.ok(Math.abs(out[i]! - want) <= 1 + Math.abs(want) * 1e-4, `i = ${i}`);
  }
  rmsnormQ12(new Int32Array(d), 0, d, sqrtDimQ20(d), out, 0);
  assert.ok(out.every((x) => x === 0));
});

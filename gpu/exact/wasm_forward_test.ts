import assert from "node:assert/strict";
import { base64 } from "@scure/base";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { buildForwardWasm } from "./build_wasm.ts";
import { forwardWindowSums, plainGemm, quantizeRow, rmsnormQ12, sqrtDimQ20 } from "./forward.ts";
import { clampSym, H_MAX, Q_MAX, rshr, shiftClamp, sigmoidQ14 } from "./primitives.ts";
import { FORWARD_WASM_BASE64 } from "./forward_wasm_bytes.ts";
import { CONV_TAPS, CONV_W_MAX, type QLinear, quantizeCheckpoint } from "./quantize.ts";
import { splitWindows } from "./wasm_evaluator.ts";
import {
  wasmConvProducts,
  wasmGru,
  wasmKernelGemm,
  wasmQuant,
  wasmRequant,
  wasmRmsnorm,
  wasmSigmoidTable,
  wasmSwiglu,
  wasmWindowSums,
} from "./wasm_forward.ts";

/** A deterministic generator of integers in [−m, m]. */
function ints(seed: number): (m: number) => number {
  let s = seed >>> 0;
  return (m) => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 8) % (2 * m + 1) - m;
  };
}

Deno.test("rebuilding forward.wat gives the committed wasm bytes", async () => {
  assert.equal(base64.encode(await buildForwardWasm()), FORWARD_WASM_BASE64);
});

Deno.test("the whole-forward module equals the reference across call batches and window lengths", async () => {
  const all = await Deno.readFile(
    new URL("../../core/data/validation-regtest.txt", import.meta.url),
  );
  // d = 18 leaves a channel tail after the 4-wide conv lanes; d = 66 puts 2 outputs in a
  // second 64-output tile of a product; W = 2 is the shortest window, W = 300 spans more than
  // one 63-tap conv history, and 3 windows of 300 cross a call batch (512 rows).
  for (const d of [18, 66]) {
    const qm = quantizeCheckpoint(genesisCheckpoint({ dModel: d, nLayers: 1 }, 5));
    for (const [w, n] of [[2, 5], [5, 3], [300, 3]] as const) {
      const bytes = all.subarray(0, w * n);
      const want = forwardWindowSums(qm, plainGemm, bytes, n, w);
      assert.deepEqual(wasmWindowSums(qm, bytes, n, w), want, `d = ${d}, W = ${w}`);
    }
  }
});

Deno.test("windows split into contiguous runs that cover every window once", () => {
  assert.deepEqual(splitWindows(7, 3), [[0, 3], [3, 2], [5, 2]]);
  assert.deepEqual(splitWindows(2, 3), [[0, 1], [1, 1]]);
  assert.deepEqual(splitWindows(1, 1), [[0, 1]]);
});

Deno.test("the product kernel equals the plain loop on shapes its 3-row, 12-output, 16-input tiles do not divide", () => {
  const rnd = ints(7);
  for (const rows of [1, 2, 3, 4, 7]) {
    for (const out of [1, 5, 12, 13, 25]) {
      for (const k of [1, 2, 15, 16, 17, 33]) {
        const w: QLinear = {
          out,
          in: k,
          q: Int16Array.from({ length: out * k }, () => rnd(511)),
          exp: new Int32Array(out),
        };
        const x = Int32Array.from({ length: rows * k }, () => rnd(1023));
        assert.deepEqual(
          wasmKernelGemm.gemm(w, x, rows),
          plainGemm.gemm(w, x, rows),
          `${rows} x ${out} x ${k}`,
        );
      }
    }
  }
});

Deno.test("the product kernel reaches the int32 bound: 4096 inputs of ±511·±1023 in one sum", () => {
  const k = 4096, rows = 4, out = 2;
  const q = new Int16Array(out * k).fill(511, 0, k).fill(-511, k);
  const x = new Int32Array(rows * k).fill(1023, 0, 2 * k).fill(-1023, 2 * k);
  const w: QLinear = { out, in: k, q, exp: new Int32Array(out) };
  const got = wasmKernelGemm.gemm(w, x, rows);
  assert.deepEqual(got, plainGemm.gemm(w, x, rows));
  assert.equal(got[0], k * 511 * 1023); // 2141192192, just under 2^31
});

Deno.test("requantisation equals shiftClamp for every shift from -70 to 70, zero and extreme sums", () => {
  const rnd = ints(11);
  const exp = Int32Array.from({ length: 141 }, (_, i) => i - 70);
  const sh = Int32Array.from([-10, 0, 3, 22]);
  const special = [0, 1, -1, 2, -2, 3, -3, 2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 30, -(2 ** 30)];
  const acc = Int32Array.from(
    { length: sh.length * exp.length },
    (_, i) => i % 3 === 0 ? special[(i / 3) % special.length]! : rnd(2 ** 31 - 1),
  );
  const residual = Int32Array.from({ length: acc.length }, () => rnd(H_MAX));
  for (const [fDiff, max] of [[0, Q_MAX], [-4, H_MAX], [-1, H_MAX]] as const) {
    const want = acc.map((a, i) => {
      const r = Math.floor(i / exp.length), o = i % exp.length;
      return shiftClamp(a, exp[o]! + fDiff - sh[r]!, max);
    });
    assert.deepEqual(wasmRequant(acc, exp, sh, fDiff, max), want, `fDiff = ${fDiff}`);
    const added = want.map((y, i) => Math.max(-H_MAX, Math.min(H_MAX, y + residual[i]!)));
    assert.deepEqual(wasmRequant(acc, exp, sh, fDiff, max, residual), added, `residual ${fDiff}`);
  }
});

Deno.test("the sigmoid table holds sigmoidQ14 of every clamped argument", () => {
  const table = wasmSigmoidTable();
  for (let y = 0; y <= 65535; y++) {
    if (table[y] !== sigmoidQ14(y)) assert.fail(`y = ${y}: ${table[y]} != ${sigmoidQ14(y)}`);
  }
});

Deno.test("activation quantisation equals quantizeRow for zero, small and large rows of any width, padding zeroed", () => {
  const rnd = ints(3);
  for (const k of [1, 7, 8, 9, 17, 40]) {
    for (const bits of [11, 10]) {
      const mags = [0, 1, 300, 1023, 1024, 2 ** 19 - 1, 2 ** 30 - 1];
      const rows = mags.length;
      const v = Int32Array.from({ length: rows * k }, (_, i) => rnd(mags[Math.floor(i / k)]!));
      v[k + k - 1] = -1; // a row whose only extreme is negative
      const got = wasmQuant(v, rows, k, bits), kp = Math.ceil(k / 16) * 16;
      for (let r = 0; r < Math.ceil(rows / 3) * 3; r++) {
        const want = new Int32Array(kp);
        const sh = r < rows ? quantizeRow(v, r * k, k, want, 0, bits) : 0;
        assert.equal(got.sh[r], sh, `k = ${k}, row ${r}: shift`);
        assert.deepEqual(got.x.subarray(r * kp, (r + 1) * kp), want, `k = ${k}, row ${r}`);
      }
    }
  }
});

Deno.test("RMSNorm equals rmsnormQ12 (and the conv input) for zero, tiny and H_MAX-sized rows of any width", () => {
  const rnd = ints(5);
  for (const d of [1, 3, 4, 18, 385]) {
    const mags = [0, 1, 1000, 2 ** 15, 2 ** 22, H_MAX];
    const rows = mags.length;
    const h = Int32Array.from({ length: rows * d }, (_, i) => rnd(mags[Math.floor(i / d)]!));
    h[d * (rows - 1)] = -H_MAX; // the extreme itself
    const want = new Int32Array(rows * d);
    for (let r = 0; r < rows; r++) rmsnormQ12(h, r * d, d, sqrtDimQ20(d), want, r * d);
    assert.deepEqual(wasmRmsnorm(h, rows, d, false), want, `d = ${d}`);
    const conv = want.map((v) => clampSym(rshr(v, 4), 16383));
    assert.deepEqual(wasmRmsnorm(h, rows, d, true), conv, `d = ${d}, conv input`);
  }
});

Deno.test("conv products equal the tap sums at the extremes, over histories shorter and longer than 63 taps", () => {
  const rnd = ints(9);
  for (const [d, time, windows] of [[5, 70, 2], [8, 3, 3], [1, 64, 1]] as const) {
    const rows = windows * time;
    for (const extreme of [false, true]) {
      const q = Int16Array.from(
        { length: CONV_TAPS * d },
        () => extreme ? CONV_W_MAX : rnd(CONV_W_MAX),
      );
      const n = Int32Array.from({ length: rows * d }, () => extreme ? -16383 : rnd(16383));
      const want = new Int32Array(rows * d);
      for (let row = 0; row < rows; row++) {
        const t = row % time;
        for (let c = 0; c < d; c++) {
          let acc = 0;
          for (let j = 0; j <= Math.min(CONV_TAPS - 1, t); j++) {
            acc += q[j * d + c]! * n[(row - j) * d + c]!;
          }
          want[row * d + c] = acc;
        }
      }
      assert.deepEqual(wasmConvProducts(n, q, windows, time, d), want, `d = ${d}, W = ${time}`);
    }
  }
});

Deno.test("SwiGLU and minGRU equal the reference integers at the Q_MAX extremes and in between", () => {
  const rnd = ints(13);
  const edge = [0, 1, -1, 2047, -2048, 65535, -65536, Q_MAX, -Q_MAX];
  const pick = (i: number) => i < edge.length * edge.length ? edge[i % edge.length]! : rnd(Q_MAX);
  const n = 4 * 60;
  const a = Int32Array.from({ length: n }, (_, i) => pick(i));
  const b = Int32Array.from({ length: n }, (_, i) => pick(i < 81 ? Math.floor(i / 9) : i));
  const m = a.map((av, i) => rshr(rshr(av * sigmoidQ14(av), 14) * b[i]!, 12));
  assert.deepEqual(wasmSwiglu(a, b), m);
  for (const [windows, time, d] of [[2, 12, 10], [1, 30, 8], [3, 4, 5]] as const) {
    const len = windows * time * d;
    const k = Int32Array.from({ length: len }, (_, i) => pick(i));
    const u = Int32Array.from({ length: len }, (_, i) => pick(len - 1 - i));
    const want = new Int32Array(len);
    for (let w = 0; w < windows; w++) {
      for (let c = 0; c < d; c++) {
        let st = 0;
        for (let t = 0; t < time; t++) {
          const i = (w * time + t) * d + c, ui = u[i]!;
          const ht = ui >= 0 ? ui + 2048 : rshr(sigmoidQ14(ui), 2);
          st += rshr(sigmoidQ14(k[i]!) * (ht - st), 14);
          want[i] = st;
        }
      }
    }
    assert.deepEqual(wasmGru(k, u, windows, time, d), want, `${windows} x ${time} x ${d}`);
  }
});

import assert from "node:assert/strict";
import { assertClose, randomF32 } from "../testing.ts";
import { checkGrad as checkGradWith, dot } from "./_grad_check.ts";
import {
  CONV_KERNELS,
  convBackward,
  convBackwardF64,
  convEffectiveKernel,
  convForward,
  convForwardF64,
} from "./conv.ts";

/** f64 finite differences: step 1e-5, |analytic − FD| ≤ 1e-7 + 1e-6·|FD|. */
const F64_CHECK = { h: 1e-5, atol: 1e-7, rtol: 1e-6 };

function checkGrad(what: string, analytic: ArrayLike<number>, loss: () => number, a: Float64Array) {
  checkGradWith(what, analytic, loss, a, F64_CHECK);
}

function f64(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from(randomF32(n, seed, scale));
}

function randomWeights(dim: number, seed: number): Float64Array[] {
  return CONV_KERNELS.map((k, b) => f64(k * dim, seed + b, 0.5));
}

/** Branch by branch, straight from the definition (no effective kernel). */
function convNaive(
  x: ArrayLike<number>,
  weights: ArrayLike<number>[],
  gains: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float64Array {
  const y = new Float64Array(batch * time * dim);
  for (let n = 0; n < batch; n++) {
    for (let t = 0; t < time; t++) {
      for (let c = 0; c < dim; c++) {
        let acc = 0;
        CONV_KERNELS.forEach((k, b) => {
          let branch = 0;
          for (let j = 0; j < k; j++) {
            if (t - j >= 0) branch += weights[b]![j * dim + c]! * x[(n * time + t - j) * dim + c]!;
          }
          acc += gains[b * dim + c]! * branch;
        });
        y[(n * time + t) * dim + c] = acc;
      }
    }
  }
  return y;
}

Deno.test("convForward() matches the branch-by-branch definition, windows independent", () => {
  const batch = 2, time = 70, dim = 3;
  const x = f64(batch * time * dim, 1);
  const w = randomWeights(dim, 10);
  const gains = f64(5 * dim, 20);
  const naive = convNaive(x, w, gains, batch, time, dim);
  assertClose(convForwardF64(x, w, gains, batch, time, dim), naive, 1e-12, 1e-12, "y");
  assertClose(convForward(x, w, gains, batch, time, dim), naive, 1e-6, 1e-6, "y f32");
  // The second window alone gives the same rows: nothing leaks across the window boundary.
  const second = convForwardF64(x.subarray(time * dim), w, gains, 1, time, dim);
  assertClose(naive.subarray(time * dim), second, 1e-12, 1e-12, "second window");
});

Deno.test("convForward() with one lag-j tap shifts the input by j within the window", () => {
  const time = 5, dim = 1;
  const w = CONV_KERNELS.map((k) => new Float64Array(k));
  w[1]![2] = 1; // K=7 branch, lag 2
  const gains = new Float64Array([0, 3, 0, 0, 0]);
  const y = convForward([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], w, gains, 2, time, dim);
  assert.deepEqual(Array.from(y), [0, 0, 3, 6, 9, 0, 0, 18, 21, 24]);
});

Deno.test("convEffectiveKernel() sums gain-weighted branches over their own lengths", () => {
  const dim = 2;
  const w = randomWeights(dim, 3);
  const gains = f64(5 * dim, 4);
  const weff = convEffectiveKernel(w, gains, dim);
  for (const [j, c] of [[0, 0], [2, 1], [3, 0], [14, 1], [40, 0], [62, 1]] as const) {
    let expected = 0;
    CONV_KERNELS.forEach((k, b) => {
      if (j < k) expected += gains[b * dim + c]! * w[b]![j * dim + c]!;
    });
    assert.ok(Math.abs(weff[j * dim + c]! - expected) < 1e-15, `weff[${j},${c}]`);
  }
});

Deno.test("convBackward() matches central finite differences over all lags", () => {
  // time 66 > 63 so every tap of the longest branch sees data; two windows.
  const batch = 2, time = 66, dim = 1;
  const x = f64(batch * time * dim, 5);
  const w = randomWeights(dim, 6);
  const gains = f64(5 * dim, 7);
  const dy = f64(batch * time * dim, 8);
  const loss = () => dot(dy, convForwardF64(x, w, gains, batch, time, dim));
  const g = convBackwardF64(dy, x, w, gains, batch, time, dim);
  checkGrad("dx", g.dx, loss, x);
  checkGrad("dgains", g.dgains, loss, gains);
  w.forEach((wb, b) => checkGrad(`dweights[${b}]`, g.dweights[b]!, loss, wb));
});

Deno.test("convBackward() matches finite differences with several channels and short windows", () => {
  const batch = 3, time = 4, dim = 3;
  const x = f64(batch * time * dim, 15);
  const w = randomWeights(dim, 16);
  const gains = f64(5 * dim, 17);
  const dy = f64(batch * time * dim, 18);
  const loss = () => dot(dy, convForwardF64(x, w, gains, batch, time, dim));
  const g = convBackwardF64(dy, x, w, gains, batch, time, dim);
  checkGrad("dx", g.dx, loss, x);
  checkGrad("dgains", g.dgains, loss, gains);
  w.forEach((wb, b) => checkGrad(`dweights[${b}]`, g.dweights[b]!, loss, wb));
  // Lags at or beyond the window length never touch data.
  assert.ok(g.dweights[4]!.subarray(time * dim).every((v) => v === 0));
  const f32 = convBackward(dy, x, w, gains, batch, time, dim);
  assertClose(f32.dx, g.dx, 1e-6, 1e-6, "dx f32");
});

Deno.test("convForward() rejects a weights array of the wrong length", () => {
  const w = CONV_KERNELS.map((k) => new Float32Array(k));
  w[2] = new Float32Array(14);
  assert.throws(
    () => convForward(new Float32Array(4), w, new Float32Array(5), 1, 4, 1),
    RangeError,
  );
});

import assert from "node:assert/strict";
import { assertClose, randomF32 } from "../testing.ts";
import { checkGrad as checkGradWith, dot } from "./_grad_check.ts";
import {
  minGruG,
  minGruScanBackward,
  minGruScanBackwardF64,
  minGruScanForward,
  minGruScanForwardF64,
  minGruScanTreeF64,
  minGruStep,
  sigmoid,
} from "./mingru.ts";

/** f64 finite differences: step 1e-6, |analytic − FD| ≤ 1e-7 + 1e-6·|FD|. */
const F64_CHECK = { h: 1e-6, atol: 1e-7, rtol: 1e-6 };

function checkGrad(what: string, analytic: ArrayLike<number>, loss: () => number, a: Float64Array) {
  checkGradWith(what, analytic, loss, a, F64_CHECK);
}

function f64(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from(randomF32(n, seed, scale));
}

/** The recurrence in linear space, straight from the definition. */
function linearRecurrence(
  k: ArrayLike<number>,
  u: ArrayLike<number>,
  batch: number,
  time: number,
  dim: number,
): Float64Array {
  const s = new Float64Array(batch * time * dim);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < dim; c++) {
      let prev = 0;
      for (let t = 0; t < time; t++) {
        const i = (n * time + t) * dim + c;
        const z = sigmoid(k[i]!);
        prev = (1 - z) * prev + z * minGruG(u[i]!);
        s[i] = prev;
      }
    }
  }
  return s;
}

Deno.test("minGruScanForward() equals the linear recurrence s = (1 − z)s + z·g(u)", () => {
  const batch = 3, time = 21, dim = 4;
  const k = f64(batch * time * dim, 1, 4);
  const u = f64(batch * time * dim, 2, 3);
  const lin = linearRecurrence(k, u, batch, time, dim);
  assertClose(minGruScanForwardF64(k, u, batch, time, dim), lin, 1e-13, 1e-12, "s");
  assertClose(minGruScanForward(k, u, batch, time, dim), lin, 1e-7, 1e-6, "s f32");
});

Deno.test("minGruScanForward() stays accurate over a long window with saturated gates", () => {
  // z ≈ e⁻²⁰ for most steps: the cumsum form would need exp(±(sum of 4000 log a)) and cancel.
  const time = 4000;
  const k = Float64Array.from({ length: time }, (_, t) => (t % 97 === 0 ? 3 : -20));
  const u = f64(time, 3, 2);
  const lin = linearRecurrence(k, u, 1, time, 1);
  assertClose(minGruScanForwardF64(k, u, 1, time, 1), lin, 0, 1e-12, "s");
});

Deno.test("minGruScanTreeF64() (Hillis–Steele order) equals the sequential scan", () => {
  for (const time of [1, 2, 37, 64, 130]) {
    const batch = 2, dim = 3;
    const k = f64(batch * time * dim, 10 + time, 6);
    const u = f64(batch * time * dim, 20 + time, 3);
    const seq = minGruScanForwardF64(k, u, batch, time, dim);
    const tree = minGruScanTreeF64(k, u, batch, time, dim);
    assertClose(tree, seq, 0, 1e-6, `tree s (time ${time})`);
  }
});

Deno.test("minGruStep() iterated over a window equals minGruScanForward()", () => {
  const batch = 2, time = 33, dim = 5;
  const k = randomF32(batch * time * dim, 4, 4);
  const u = randomF32(batch * time * dim, 5, 3);
  const scan = minGruScanForward(k, u, batch, time, dim);
  for (let n = 0; n < batch; n++) {
    let s: Float32Array = new Float32Array(dim);
    for (let t = 0; t < time; t++) {
      const o = (n * time + t) * dim;
      s = minGruStep(k.subarray(o, o + dim), u.subarray(o, o + dim), s, dim);
      assertClose(s, scan.subarray(o, o + dim), 1e-6, 1e-5, `step ${n}/${t}`);
    }
  }
});

Deno.test("minGruScanBackward() matches central finite differences with u on both sides of 0", () => {
  const batch = 2, time = 9, dim = 3;
  const n = batch * time * dim;
  const k = f64(n, 6, 3);
  // |u| ≥ 0.05 keeps the FD step away from g's kink at 0; both signs appear.
  const u = f64(n, 7, 2).map((v, i) => (i % 2 === 0 ? 1 : -1) * (0.05 + Math.abs(v)));
  assert.ok(u.some((v) => v < 0) && u.some((v) => v > 0));
  const ds = f64(n, 8);
  const loss = () => dot(ds, minGruScanForwardF64(k, u, batch, time, dim));
  const s = minGruScanForwardF64(k, u, batch, time, dim);
  const g = minGruScanBackwardF64(ds, k, u, s, batch, time, dim);
  checkGrad("dk", g.dk, loss, k);
  checkGrad("du", g.du, loss, u);
  const g32 = minGruScanBackward(ds, k, u, s, batch, time, dim);
  assertClose(g32.dk, g.dk, 1e-7, 1e-6, "dk f32");
});

Deno.test("minGruScanForward() rejects inputs of the wrong length", () => {
  assert.throws(
    () => minGruScanForward(new Float32Array(5), new Float32Array(6), 1, 6, 1),
    RangeError,
  );
});

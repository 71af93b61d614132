import assert from "node:assert/strict";
import { matmulBackward, matmulForward } from "./matmul.ts";

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Central difference of f with respect to a[i], using the f32-rounded step actually taken. */
function centralDiff(f: () => number, a: Float32Array, i: number, h = 1e-2): number {
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

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function checkGrad(name: string, analytic: Float32Array, f: () => number, a: Float32Array) {
  for (let i = 0; i < a.length; i++) {
    const fd = centralDiff(f, a, i);
    const tol = 2e-4 + 2e-3 * Math.abs(fd);
    assert.ok(Math.abs(analytic[i]! - fd) <= tol, `${name}[${i}]: ${analytic[i]} vs FD ${fd}`);
  }
}

Deno.test("matmulForward() computes y = x·wᵀ", () => {
  // x = [[1, 2, 3], [4, 5, 6]], w = [[1, 0, -1], [2, 1, 0]]
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  const w = new Float32Array([1, 0, -1, 2, 1, 0]);
  assert.deepEqual(Array.from(matmulForward(x, w, 2, 3, 2)), [1 - 3, 2 + 2, 4 - 6, 8 + 5]);
});

Deno.test("matmulForward() rejects wrongly sized inputs", () => {
  assert.throws(() => matmulForward(new Float32Array(5), new Float32Array(6), 2, 3, 2), RangeError);
});

Deno.test("matmulBackward() matches central finite differences", () => {
  const rows = 3, inDim = 4, outDim = 5;
  const x = rand(rows * inDim, 1), w = rand(outDim * inDim, 2), dy = rand(rows * outDim, 3);
  const { dx, dw } = matmulBackward(dy, x, w, rows, inDim, outDim);
  const loss = () => dot(matmulForward(x, w, rows, inDim, outDim), dy);
  checkGrad("dx", dx, loss, x);
  checkGrad("dw", dw, loss, w);
});

Deno.test("matmulBackward() gradient check fails for a wrong gradient", () => {
  const rows = 2, inDim = 3, outDim = 2;
  const x = rand(rows * inDim, 4), w = rand(outDim * inDim, 5), dy = rand(rows * outDim, 6);
  const { dw } = matmulBackward(dy, x, w, rows, inDim, outDim);
  dw[1] = dw[1]! + 0.05;
  const loss = () => dot(matmulForward(x, w, rows, inDim, outDim), dy);
  assert.throws(() => checkGrad("dw", dw, loss, w));
});

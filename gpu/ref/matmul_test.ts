import assert from "node:assert/strict";
import { matmulBackward, matmulForward } from "./matmul.ts";
import { checkGrad, dot, lcgValues } from "./_grad_check.ts";

const rand = lcgValues;
const GRAD_CHECK = { h: 1e-2, atol: 2e-4, rtol: 2e-3 };

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
  checkGrad("dx", dx, loss, x, GRAD_CHECK);
  checkGrad("dw", dw, loss, w, GRAD_CHECK);
});

Deno.test("matmulBackward() gradient check fails for a wrong gradient", () => {
  const rows = 2, inDim = 3, outDim = 2;
  const x = rand(rows * inDim, 4), w = rand(outDim * inDim, 5), dy = rand(rows * outDim, 6);
  const { dw } = matmulBackward(dy, x, w, rows, inDim, outDim);
  dw[1] = dw[1]! + 0.05;
  const loss = () => dot(matmulForward(x, w, rows, inDim, outDim), dy);
  assert.throws(() => checkGrad("dw", dw, loss, w, GRAD_CHECK));
});

import assert from "node:assert/strict";
import { RMSNORM_EPS, rmsnormBackward, rmsnormForward } from "./rmsnorm.ts";
import { checkGrad, dot, lcgValues } from "./_grad_check.ts";

const rand = lcgValues;
const GRAD_CHECK = { h: 1e-3, atol: 1e-3, rtol: 5e-3 };

Deno.test("rmsnormForward() divides each row by its root mean square", () => {
  const x = new Float32Array([3, 4, 1, 1]);
  const gain = new Float32Array([1, 2]);
  const { y, rstd } = rmsnormForward(x, gain, 2, 2);
  // ε is added to the sum of squares (25 and 2), then divided by the width.
  const r0 = 1 / Math.sqrt((25 + RMSNORM_EPS) / 2), r1 = 1 / Math.sqrt((2 + RMSNORM_EPS) / 2);
  assert.ok(Math.abs(rstd[0]! - r0) < 1e-7 && Math.abs(rstd[1]! - r1) < 1e-7);
  const want = [3 * r0, 8 * r0, r1, 2 * r1];
  want.forEach((v, i) => assert.ok(Math.abs(y[i]! - v) < 1e-6, `y[${i}]`));
});

Deno.test("rmsnormBackward() matches central finite differences", () => {
  const rows = 3, dim = 5;
  const x = rand(rows * dim, 1), gain = rand(dim, 2, 1), dy = rand(rows * dim, 3);
  const { rstd } = rmsnormForward(x, gain, rows, dim);
  const { dx, dgain } = rmsnormBackward(dy, x, gain, rstd, rows, dim);
  const loss = () => dot(rmsnormForward(x, gain, rows, dim).y, dy);
  checkGrad("dx", dx, loss, x, GRAD_CHECK);
  checkGrad("dgain", dgain, loss, gain, GRAD_CHECK);
});

Deno.test("rmsnormBackward() gradient check fails for a wrong gradient", () => {
  const rows = 2, dim = 4;
  const x = rand(rows * dim, 4), gain = rand(dim, 5, 1), dy = rand(rows * dim, 6);
  const { rstd } = rmsnormForward(x, gain, rows, dim);
  const { dx } = rmsnormBackward(dy, x, gain, rstd, rows, dim);
  dx[2] = dx[2]! * 1.1 + 0.01;
  const loss = () => dot(rmsnormForward(x, gain, rows, dim).y, dy);
  assert.throws(() => checkGrad("dx", dx, loss, x, GRAD_CHECK));
});

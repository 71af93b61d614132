import assert from "node:assert/strict";
import { type AdamwOptions, adamwUpdate } from "./adamw.ts";

const opts: AdamwOptions = { lr: 0.01, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0 };

Deno.test("adamwUpdate() first step moves each weight by lr against the gradient sign", () => {
  const p = new Float32Array([1, -2, 0.5]);
  const m = new Float32Array(3), v = new Float32Array(3);
  adamwUpdate(p, new Float32Array([0.3, -4, 1e-3]), m, v, 1, opts);
  const want = [1 - 0.01, -2 + 0.01, 0.5 - 0.01];
  want.forEach((w, i) => assert.ok(Math.abs(p[i]! - w) < 1e-5, `p[${i}] = ${p[i]}`));
  assert.ok(Math.abs(m[0]! - 0.1 * 0.3) < 1e-7 && Math.abs(v[1]! - 0.05 * 16) < 1e-6);
});

Deno.test("adamwUpdate() with a constant gradient keeps stepping by lr (bias correction)", () => {
  const p = new Float32Array([0]), m = new Float32Array(1), v = new Float32Array(1);
  for (let t = 1; t <= 10; t++) adamwUpdate(p, new Float32Array([2]), m, v, t, opts);
  assert.ok(Math.abs(p[0]! + 0.1) < 1e-5, `p = ${p[0]}`);
});

Deno.test("adamwUpdate() applies decoupled weight decay even with a zero gradient", () => {
  const p = new Float32Array([2]), m = new Float32Array(1), v = new Float32Array(1);
  adamwUpdate(p, new Float32Array([0]), m, v, 1, { ...opts, lr: 0.1, weightDecay: 0.5 });
  assert.ok(Math.abs(p[0]! - 2 * (1 - 0.05)) < 1e-6, `p = ${p[0]}`);
});

Deno.test("adamwUpdate() gradScale is the same as pre-scaling the gradient", () => {
  const run = (grad: number[], gs: number) => {
    const p = new Float32Array([0.3, -0.7]), m = new Float32Array(2), v = new Float32Array(2);
    for (let t = 1; t <= 3; t++) {
      adamwUpdate(p, new Float32Array(grad.map((g) => g * t)), m, v, t, opts, gs);
    }
    return [...p, ...m, ...v];
  };
  const a = run([1.5, -0.25], 0.2), b = run([0.3, -0.05], 1);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]!) <= 1e-6 * Math.max(1, Math.abs(x))));
});

Deno.test("adamwUpdate() rejects step 0 and mismatched lengths", () => {
  const a = new Float32Array(2);
  assert.throws(() => adamwUpdate(a, a, a, a, 0, opts), RangeError);
  assert.throws(() => adamwUpdate(a, new Float32Array(1), a, a, 1, opts), RangeError);
});

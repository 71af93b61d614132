import assert from "node:assert/strict";
import { assertClose, randomF32 } from "../testing.ts";
import { swigluBackward, swigluBackwardF64, swigluForward, swigluForwardF64 } from "./swiglu.ts";

Deno.test("swigluForward() computes a·σ(a)·b", () => {
  const m = swigluForwardF64([0, 1, -2, 30], [5, 2, 3, -1]);
  const expected = [0, 2 / (1 + Math.exp(-1)), -6 / (1 + Math.exp(2)), -30 / (1 + Math.exp(-30))];
  assertClose(m, expected, 1e-15, 1e-15, "m");
  assert.equal(swigluForward([-1000], [1])[0], -0);
});

Deno.test("swigluBackward() matches central finite differences", () => {
  const n = 50;
  const a = Float64Array.from(randomF32(n, 1, 6));
  const b = Float64Array.from(randomF32(n, 2, 2));
  const dm = Float64Array.from(randomF32(n, 3));
  const { da, db } = swigluBackwardF64(dm, a, b);
  const h = 1e-6;
  const at = (i: number, ai: number, bi: number) => dm[i]! * swigluForwardF64([ai], [bi])[0]!;
  for (let i = 0; i < n; i++) {
    const fdA = (at(i, a[i]! + h, b[i]!) - at(i, a[i]! - h, b[i]!)) / (2 * h);
    const fdB = (at(i, a[i]!, b[i]! + h) - at(i, a[i]!, b[i]! - h)) / (2 * h);
    assert.ok(Math.abs(da[i]! - fdA) <= 1e-8 + 1e-6 * Math.abs(fdA), `da[${i}]`);
    assert.ok(Math.abs(db[i]! - fdB) <= 1e-8 + 1e-6 * Math.abs(fdB), `db[${i}]`);
  }
  const g32 = swigluBackward(dm, a, b);
  assertClose(g32.da, da, 1e-7, 1e-6, "da f32");
});

Deno.test("swigluForward() rejects mismatched lengths", () => {
  assert.throws(() => swigluForward(new Float32Array(3), new Float32Array(2)), RangeError);
});

import assert from "node:assert/strict";
import { assertClose, randomF32 } from "../testing.ts";
import {
  softmaxBackward,
  softmaxBackwardF64,
  softmaxForward,
  softmaxForwardF64,
} from "./softmax.ts";

function f64(n: number, seed: number, scale = 1): Float64Array {
  return Float64Array.from(randomF32(n, seed, scale));
}

Deno.test("softmaxForward() rows are positive, sum to 1 and follow exp(scale·x)", () => {
  const rows = 4, cols = 64, scale = 1 / Math.sqrt(32);
  const x = f64(rows * cols, 1, 5);
  const p = softmaxForwardF64(x, rows, cols, scale);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < cols; c++) sum += p[r * cols + c]!;
    assert.ok(Math.abs(sum - 1) < 1e-14, `row ${r} sums to ${sum}`);
    const ratio = p[r * cols + 1]! / p[r * cols]!;
    const expected = Math.exp(scale * (x[r * cols + 1]! - x[r * cols]!));
    assert.ok(Math.abs(ratio - expected) < 1e-12 * expected, `row ${r} ratio`);
  }
});

Deno.test("softmaxForward() does not overflow on large inputs", () => {
  const p = softmaxForward(new Float32Array([1000, 1000, -1000]), 1, 3, 1);
  assert.deepEqual(Array.from(p), [0.5, 0.5, 0]);
});

Deno.test("softmaxBackward() matches central finite differences", () => {
  const rows = 3, cols = 7, scale = 0.7;
  const x = f64(rows * cols, 2, 3);
  const dp = f64(rows * cols, 3);
  const loss = () => {
    const p = softmaxForwardF64(x, rows, cols, scale);
    let s = 0;
    for (let i = 0; i < p.length; i++) s += dp[i]! * p[i]!;
    return s;
  };
  const dx = softmaxBackwardF64(dp, softmaxForwardF64(x, rows, cols, scale), rows, cols, scale);
  const h = 1e-6;
  for (let i = 0; i < x.length; i++) {
    const orig = x[i]!;
    x[i] = orig + h;
    const up = loss();
    x[i] = orig - h;
    const down = loss();
    x[i] = orig;
    const fd = (up - down) / (2 * h);
    assert.ok(Math.abs(dx[i]! - fd) <= 1e-8 + 1e-6 * Math.abs(fd), `dx[${i}]: ${dx[i]} vs ${fd}`);
  }
  const p32 = softmaxForward(x, rows, cols, scale);
  assertClose(softmaxBackward(dp, p32, rows, cols, scale), dx, 1e-6, 1e-5, "dx f32");
});

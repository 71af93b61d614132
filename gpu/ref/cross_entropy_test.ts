import assert from "node:assert/strict";
import { crossEntropy } from "./cross_entropy.ts";

function rand(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 31 - 1) * scale;
  }
  return out;
}

Deno.test("crossEntropy() gives ln(vocab) for uniform logits", () => {
  const { losses, dlogits } = crossEntropy(
    new Float32Array(8).fill(3),
    new Int32Array([2, 0]),
    2,
    4,
  );
  for (const l of losses) assert.ok(Math.abs(l - Math.log(4)) < 1e-6);
  assert.ok(Math.abs(dlogits[2]! - (0.25 - 1)) < 1e-7 && Math.abs(dlogits[0]! - 0.25) < 1e-7);
});

Deno.test("crossEntropy() is stable for huge logits", () => {
  const { losses } = crossEntropy(new Float32Array([1000, 0, -1000]), new Int32Array([1]), 1, 3);
  assert.ok(Math.abs(losses[0]! - 1000) < 1e-3);
});

Deno.test("crossEntropy() ignores rows whose target is -1", () => {
  const logits = rand(6, 1, 3);
  const { losses, dlogits } = crossEntropy(logits, new Int32Array([-1, 1]), 2, 3);
  assert.equal(losses[0], 0);
  assert.deepEqual(Array.from(dlogits.subarray(0, 3)), [0, 0, 0]);
  assert.ok(losses[1]! > 0);
});

Deno.test("crossEntropy() rejects out-of-range targets", () => {
  assert.throws(() => crossEntropy(new Float32Array(3), new Int32Array([3]), 1, 3), RangeError);
  assert.throws(() => crossEntropy(new Float32Array(3), new Int32Array([-2]), 1, 3), RangeError);
});

Deno.test("crossEntropy() dlogits match central finite differences of the summed loss", () => {
  const rows = 3, vocab = 6;
  const logits = rand(rows * vocab, 2, 3);
  const targets = new Int32Array([4, -1, 0]);
  const { dlogits } = crossEntropy(logits, targets, rows, vocab);
  const loss = () => crossEntropy(logits, targets, rows, vocab).losses.reduce((a, b) => a + b, 0);
  for (let i = 0; i < logits.length; i++) {
    const orig = logits[i]!;
    logits[i] = orig + 1e-2;
    const up = logits[i]!;
    const fp = loss();
    logits[i] = orig - 1e-2;
    const down = logits[i]!;
    const fm = loss();
    logits[i] = orig;
    const fd = (fp - fm) / (up - down);
    const tol = 2e-4 + 2e-3 * Math.abs(fd);
    assert.ok(Math.abs(dlogits[i]! - fd) <= tol, `dlogits[${i}]: ${dlogits[i]} vs FD ${fd}`);
  }
});

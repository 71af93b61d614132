import assert from "node:assert/strict";
import { embeddingBackward, embeddingForward } from "./embedding.ts";

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

Deno.test("embeddingForward() copies the table row of each token", () => {
  const table = new Float32Array([0, 1, 10, 11, 20, 21]);
  const y = embeddingForward(new Uint32Array([2, 0, 2]), table, 2);
  assert.deepEqual(Array.from(y), [20, 21, 0, 1, 20, 21]);
});

Deno.test("embeddingForward() rejects a token outside the vocabulary", () => {
  assert.throws(() => embeddingForward(new Uint32Array([3]), new Float32Array(6), 2), RangeError);
});

Deno.test("embeddingBackward() matches central finite differences", () => {
  const vocab = 4, dim = 3;
  const tokens = new Uint32Array([1, 3, 1, 0, 1]);
  const table = rand(vocab * dim, 1), dy = rand(tokens.length * dim, 2);
  const dtable = embeddingBackward(dy, tokens, vocab, dim);
  const loss = () => {
    const y = embeddingForward(tokens, table, dim);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += y[i]! * dy[i]!;
    return s;
  };
  for (let i = 0; i < table.length; i++) {
    const orig = table[i]!;
    table[i] = orig + 0.25;
    const fp = loss();
    table[i] = orig - 0.25;
    const fm = loss();
    table[i] = orig;
    const fd = (fp - fm) / 0.5;
    assert.ok(Math.abs(dtable[i]! - fd) < 1e-5, `dtable[${i}]: ${dtable[i]} vs FD ${fd}`);
  }
  // Token 2 never occurs: its gradient row is exactly zero.
  assert.deepEqual(Array.from(dtable.subarray(2 * dim, 3 * dim)), [0, 0, 0]);
});

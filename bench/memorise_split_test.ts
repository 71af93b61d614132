import assert from "node:assert/strict";
import { memoriseSplit, poolBytes, sliceOf, spreadWindowStarts } from "./memorise_split.ts";

Deno.test("memoriseSplit() holds out every heldEvery-th block and pools each other block once", () => {
  const s = memoriseSplit(1000 * 64 + 17, 64, 10);
  assert.equal(s.heldOut.length, 100);
  assert.ok(s.heldOut.every((start) => start % 640 === 0));
  assert.equal(s.pool.length, 900);
  const all = [...s.heldOut, ...s.pool].sort((a, b) => a - b);
  assert.deepEqual(all, Array.from({ length: 1000 }, (_, i) => i * 64));
  assert.equal(poolBytes(s), 900 * 64);
});

Deno.test("memoriseSplit() spreads every prefix of the pool over the whole corpus", () => {
  const s = memoriseSplit(1024 * 100, 100, 64);
  for (const k of [4, 16, 100]) {
    const first = s.pool.slice(0, k).sort((a, b) => a - b);
    const largestGap = Math.max(...first.slice(1).map((x, i) => x - first[i]!));
    // Evenly spread k of 1024 blocks: gaps near 1024/k blocks (up to 2× where held-out blocks
    // sit), never a run at one end.
    assert.ok(largestGap <= (4 * 1024 * 100) / k, `k ${k}: gap ${largestGap}`);
    assert.ok(first[0]! < (1024 * 100) / k + 200 && first.at(-1)! > 1024 * 100 * (1 - 2 / k));
  }
});

Deno.test("memoriseSplit() throws on a bad block size, hold-out period or too small a corpus", () => {
  assert.throws(() => memoriseSplit(1000, 0, 4), RangeError);
  assert.throws(() => memoriseSplit(1000, 1.5, 4), RangeError);
  assert.throws(() => memoriseSplit(1000, 10, 1), RangeError);
  assert.throws(() => memoriseSplit(30, 10, 4), RangeError);
});

Deno.test("sliceOf() takes pool blocks in order, cuts the last, and refuses sizes outside the pool", () => {
  const corpus = Uint8Array.from({ length: 40 }, (_, i) => i);
  const s = memoriseSplit(40, 4, 5);
  const whole = sliceOf(corpus, s, poolBytes(s));
  assert.equal(whole.length, 32);
  const part = sliceOf(corpus, s, 6);
  assert.deepEqual([...part], [
    ...corpus.subarray(s.pool[0]!, s.pool[0]! + 4),
    s.pool[1]!,
    s.pool[1]! + 1,
  ]);
  // No held-out byte ever enters a slice.
  const held = new Set(s.heldOut.flatMap((h) => [h, h + 1, h + 2, h + 3]));
  assert.ok([...whole].every((b) => !held.has(b)));
  assert.throws(() => sliceOf(corpus, s, 0), RangeError);
  assert.throws(() => sliceOf(corpus, s, 33), RangeError);
});

Deno.test("spreadWindowStarts() returns aligned, distinct, in-range starts, all when too few", () => {
  const starts = spreadWindowStarts(64 * 1000 + 5, 64, 256);
  assert.equal(starts.length, 256);
  assert.equal(new Set(starts).size, 256);
  assert.ok(starts.every((x) => x % 64 === 0 && x + 64 <= 64 * 1000));
  assert.deepEqual(spreadWindowStarts(64 * 3, 64, 10), [0, 64, 128]);
  assert.deepEqual(spreadWindowStarts(63, 64, 10), []);
});

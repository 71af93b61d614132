import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { type Checkpoint, cloneCheckpoint } from "../core/checkpoint/checkpoint.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { consensusEvaluator, cpuExactEvaluator } from "../gpu/exact/evaluator.ts";
import { MemoEvaluator } from "./memo_evaluator.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** The exact CPU reference, counting the evaluations that reach it. */
class CountingExact implements Evaluator {
  readonly name = "counting exact cpu";
  calls = 0;
  readonly #inner = consensusEvaluator(cpuExactEvaluator());
  evaluateWindows(c: Checkpoint, bytes: Uint8Array, w: number): Promise<number[]> {
    this.calls++;
    return this.#inner.evaluateWindows(c, bytes, w);
  }
}

const text = new TextEncoder().encode(
  "In the beginning God created the heaven and the earth. ".repeat(4),
);

Deno.test("MemoEvaluator answers the same checkpoint root and sample from memory and evaluates new ones", async () => {
  const inner = new CountingExact();
  const memo = new MemoEvaluator(inner, 2);
  const a = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const rootA = checkpointRoot(encodeCheckpoint(a));
  const sample = text.subarray(0, 128);
  const first = await memo.evaluateWindows(a, sample, 64, rootA);
  assert.equal(first.length, 2);
  assert.deepEqual(
    await memo.evaluateWindows(cloneCheckpoint(a), sample, 64, rootA.slice()),
    first,
  );
  assert.equal(inner.calls, 1);
  assert.equal(memo.hits, 1);
  // Another window length, other sample bytes or other weights are evaluated afresh.
  await memo.evaluateWindows(a, sample, 32, rootA);
  await memo.evaluateWindows(a, text.subarray(64, 192), 64, rootA);
  const b = cloneCheckpoint(a);
  b.tensors.values().next().value![0]! += 1;
  const other = await memo.evaluateWindows(b, sample, 64, checkpointRoot(encodeCheckpoint(b)));
  assert.notDeepEqual(other, first);
  assert.equal(inner.calls, 4);
  // Capacity 2: the first entry was evicted.
  await memo.evaluateWindows(a, sample, 64, rootA);
  assert.equal(inner.calls, 5);
});

Deno.test("MemoEvaluator evaluates a checkpoint given without its root every time", async () => {
  const inner = new CountingExact();
  const memo = new MemoEvaluator(inner);
  const a = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const sample = text.subarray(0, 128);
  await memo.evaluateWindows(a, sample, 64);
  await memo.evaluateWindows(a, sample, 64);
  assert.equal(inner.calls, 2);
  assert.equal(memo.hits, 0);
});

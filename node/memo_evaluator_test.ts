import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { cloneCheckpoint } from "../core/checkpoint/checkpoint.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { MemoEvaluator } from "./memo_evaluator.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("MemoEvaluator answers the same checkpoint root from memory and evaluates new ones", async () => {
  let calls = 0;
  const inner: Evaluator = {
    name: "counting",
    evaluate: (c) => Promise.resolve(++calls + c.config.dModel / 1000),
  };
  const memo = new MemoEvaluator(inner, 2);
  const a = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const rootA = checkpointRoot(encodeCheckpoint(a));
  const val = new Uint8Array(128);
  const first = await memo.evaluate(a, val, 64, rootA);
  assert.equal(await memo.evaluate(cloneCheckpoint(a), val, 64, rootA.slice()), first);
  assert.equal(calls, 1);
  assert.equal(memo.hits, 1);
  // Another window length, other validation bytes or other weights are evaluated afresh.
  await memo.evaluate(a, val, 32, rootA);
  await memo.evaluate(a, new Uint8Array(128).fill(1), 64, rootA);
  const b = cloneCheckpoint(a);
  b.tensors.values().next().value![0]! += 1;
  await memo.evaluate(b, val, 64, checkpointRoot(encodeCheckpoint(b)));
  assert.equal(calls, 4);
  // Capacity 2: the first entry was evicted.
  await memo.evaluate(a, val, 64, rootA);
  assert.equal(calls, 5);
});

Deno.test("MemoEvaluator evaluates a checkpoint given without its root every time", async () => {
  let calls = 0;
  const inner: Evaluator = { name: "counting", evaluate: () => Promise.resolve(++calls) };
  const memo = new MemoEvaluator(inner);
  const a = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const val = new Uint8Array(128);
  await memo.evaluate(a, val, 64);
  await memo.evaluate(a, val, 64);
  assert.equal(calls, 2);
  assert.equal(memo.hits, 0);
});

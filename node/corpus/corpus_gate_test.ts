import assert from "node:assert/strict";
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import type { Evaluator } from "../../core/consensus/evaluator.ts";
import { CorpusGatedEvaluator, CorpusIncompleteError } from "./corpus_gate.ts";

/** Counts calls; returns one total per window. */
class CountingEvaluator implements Evaluator {
  readonly name = "counting";
  calls = 0;
  evaluateWindows(_c: Checkpoint, bytes: Uint8Array, windowLen: number): Promise<number[]> {
    this.calls++;
    return Promise.resolve(new Array(Math.floor(bytes.length / windowLen)).fill(7));
  }
}

Deno.test("CorpusGatedEvaluator refuses to evaluate until the corpus is complete", async () => {
  const inner = new CountingEvaluator();
  const corpus = { complete: false, heldCount: 3, count: 8 };
  const gated = new CorpusGatedEvaluator(inner, corpus);
  const checkpoint = {} as Checkpoint;
  await assert.rejects(
    () => gated.evaluateWindows(checkpoint, new Uint8Array(128), 64),
    (e) => e instanceof CorpusIncompleteError && /3 of 8 chunks/.test(e.message),
  );
  assert.equal(inner.calls, 0);
  corpus.complete = true;
  assert.deepEqual(await gated.evaluateWindows(checkpoint, new Uint8Array(128), 64), [7, 7]);
  assert.equal(inner.calls, 1);
  assert.equal(gated.name, "counting");
});

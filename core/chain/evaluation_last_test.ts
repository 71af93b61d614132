/**
 * The evaluation runs last (PROTOCOL §5.5, §6.2): a block that breaks a cheap rule is rejected
 * with that rule's reason and its checkpoint is never evaluated.
 */
import assert from "node:assert/strict";
import type { Checkpoint } from "../checkpoint/checkpoint.ts";
import { ValidationError } from "../errors.ts";
import type { Evaluator } from "../consensus/evaluator.ts";
import { nextModelConfig } from "../consensus/growth.ts";
import { REGTEST } from "../consensus/params.ts";
import { testCheckpoint } from "../consensus/testing/block_builder.ts";
import { Chainstate } from "./chainstate.ts";
import { ScriptedEvaluator, TestChain, testClock } from "./_test_util.ts";

/** Counts the evaluations it forwards to a real evaluator. */
class CountingEvaluator implements Evaluator {
  readonly name = "counting";
  calls = 0;
  readonly #inner: Evaluator;
  constructor(inner: Evaluator) {
    this.#inner = inner;
  }
  evaluateWindows(c: Checkpoint, b: Uint8Array, w: number, root?: Uint8Array): Promise<number[]> {
    this.calls++;
    return this.#inner.evaluateWindows(c, b, w, root);
  }
}

const isReason = (reason: string) => (e: unknown) =>
  e instanceof ValidationError && e.reason === reason;

Deno.test("a block with a 10x coinbase and a wrongly claimed loss is rejected bad-cb-amount without evaluating", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-order-" });
  const scripted = new ScriptedEvaluator();
  const counting = new CountingEvaluator(scripted);
  const cs = await Chainstate.open(dir, REGTEST, counting, new Uint8Array(64), testClock);
  try {
    const chain = new TestChain(REGTEST);
    const ck = testCheckpoint(nextModelConfig(REGTEST, chain.tip), 7);
    const honest = chain.build({ checkpoint: ck });
    const reward = honest.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
    // An untrained checkpoint: it really evaluates far above the claimed loss.
    scripted.register(ck.bytes, 5.6);
    const greedy = chain.build({ checkpoint: ck, coinbaseValue: reward * 10n });
    await assert.rejects(() => cs.acceptBlock(greedy, ck.bytes), isReason("bad-cb-amount"));
    assert.equal(counting.calls, 0);
    assert.equal(cs.height(), 0);
    // The same checkpoint under an honest coinbase gets as far as the evaluation, which fails.
    await assert.rejects(() => cs.acceptBlock(honest, ck.bytes), isReason("sample-loss-mismatch"));
    assert.equal(counting.calls, 1);
    assert.equal(cs.height(), 0);
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
});

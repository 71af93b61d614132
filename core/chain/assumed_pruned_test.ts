import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { REGTEST } from "../consensus/params.ts";
import { Chainstate } from "./chainstate.ts";
import { BlockStatus } from "./records.ts";
import { defaultParentLoss } from "../consensus/testing/block_builder.ts";
import {
  mineBlock,
  referenceSnapshot,
  ScriptedEvaluator,
  TestChain,
  testClock,
  utxoSnapshot,
} from "./_test_util.ts";

const params = REGTEST;
const assumed = { checkpoint: "assumed-pruned" } as const;

async function withChainstate(
  fn: (cs: Chainstate, ev: ScriptedEvaluator, dir: string) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-assumed-" });
  const ev = new ScriptedEvaluator();
  const cs = await Chainstate.open(dir, params, ev, new Uint8Array(64), testClock);
  try {
    await fn(cs, ev, dir);
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("a block accepted as assumed-pruned connects with no checkpoint, is never evaluated, and stays counted after a reopen", async () => {
  await withChainstate(async (cs, ev, dir) => {
    const chain = new TestChain(params);
    // No checkpoint bytes exist for this block at all (a fake root): only the flag lets it in.
    const old = chain.build();
    await chain.accept(old);
    const result = await cs.acceptBlock(old, undefined, assumed);
    assert.equal(result.status, "connected");
    const rec = cs.getBlockStatus(result.hash)!;
    assert.ok(rec.status & BlockStatus.assumedPruned);
    assert.equal(rec.status & BlockStatus.potValid, 0, "never marked as evaluated");
    assert.equal(rec.status & BlockStatus.haveCheckpoint, 0);
    assert.equal(await cs.getCheckpoint(result.hash), undefined);
    // The next block comes with its checkpoint, but its parent's is missing, so there is
    // nothing to pair it with: it is taken under the same assumption, its checkpoint kept.
    const recent = await mineBlock(chain, ev, 7);
    const r2 = await cs.acceptBlock(recent.block, recent.checkpoint);
    assert.equal(r2.status, "connected");
    assert.ok(cs.getBlockStatus(r2.hash)!.status & BlockStatus.assumedPruned);
    assert.equal(cs.getBlockStatus(r2.hash)!.status & BlockStatus.potValid, 0);
    // Its child is evaluated against it as usual.
    const calls = ev.calls;
    const third = await mineBlock(chain, ev, 8);
    const r3 = await cs.acceptBlock(third.block, third.checkpoint);
    assert.equal(r3.status, "connected");
    assert.ok(cs.getBlockStatus(r3.hash)!.status & BlockStatus.potValid);
    assert.equal(ev.calls, calls + 2, "the block and its parent on the block's sample");
    assert.equal(cs.unevaluatedBlocks(), 2);
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(chain));
    await cs.close();
    const again = await Chainstate.open(dir, params, ev, new Uint8Array(64), testClock);
    try {
      assert.equal(again.height(), 3);
      assert.equal(again.unevaluatedBlocks(), 2);
    } finally {
      await again.close();
    }
  });
});

Deno.test("an assumed-pruned block is still rejected for breaking a transaction or header rule", async () => {
  await withChainstate(async (cs) => {
    const chain = new TestChain(params);
    const greedy = chain.build({ coinbaseValue: 10n ** 15n });
    await assert.rejects(
      () => cs.acceptBlock(greedy, undefined, assumed),
      (e) => e instanceof ValidationError && e.reason === "bad-cb-amount",
    );
    const noImprovement = chain.build({ sampleLossMicroNats: defaultParentLoss(chain.tip) });
    await assert.rejects(
      () => cs.acceptBlock(noImprovement, undefined, assumed),
      (e) => e instanceof ValidationError && e.reason === "insufficient-sample-improvement",
    );
    const badSig = chain.build({
      mutateSignedHeader: (h) => ({ ...h, signature: new Uint8Array(64) }),
    });
    await assert.rejects(
      () => cs.acceptBlock(badSig, undefined, assumed),
      (e) => e instanceof ValidationError && e.reason === "bad-blk-sig",
    );
    assert.equal(cs.height(), 0);
    assert.equal(cs.unevaluatedBlocks(), 0);
  });
});

Deno.test("the default mode needs the checkpoint and assumed-pruned refuses one", async () => {
  await withChainstate(async (cs, ev) => {
    const chain = new TestChain(params);
    const mined = await mineBlock(chain, ev, 3);
    await assert.rejects(() => cs.acceptBlock(mined.block, undefined), RangeError);
    await assert.rejects(() => cs.acceptBlock(mined.block, mined.checkpoint, assumed), RangeError);
    assert.equal(cs.height(), 0);
  });
});

/**
 * The node's worker-pool signature verifier inside block corpus: a chainstate given one
 * sends the block's signature batch to the workers and connects the same chain, with the same
 * UTXO set, as the in-thread reference replay.
 */
import assert from "node:assert/strict";
import { Chainstate } from "../../core/chain/chainstate.ts";
import {
  mineBlock,
  type MinedBlock,
  referenceSnapshot,
  ScriptedEvaluator,
  TestChain,
  testClock,
  utxoSnapshot,
} from "../../core/chain/_test_util.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, outputKey } from "../../core/consensus/testing/block_builder.ts";
import type { VerifyItem } from "../../core/crypto/ed25519.ts";
import { WorkerPoolVerifier } from "./worker_pool_verifier.ts";

Deno.test("a chainstate with the worker-pool verifier sends block signatures to the workers and connects the reference chain", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-sigpool-" });
  const pool = new WorkerPoolVerifier({ workers: 2, threshold: 1 });
  const batches: number[] = [];
  const counting = {
    verify(items: readonly VerifyItem[]) {
      batches.push(items.length);
      return pool.verify(items);
    },
  };
  try {
    const ev = new ScriptedEvaluator();
    const ref = new TestChain(REGTEST);
    const blocks: MinedBlock[] = [];
    for (let i = 0; i < 11; i++) blocks.push(await mineBlock(ref, ev, 100 + i));
    // Block 12 spends block 1's coinbase (mature at height 11+): one signature to verify.
    const cbKey = outputKey(REGTEST, blocks[0]!.block.txs[0]!, 0);
    const value = ref.view.get(cbKey)!.value;
    const spend = ref.spend(heartbeatWallet(REGTEST, 0), [cbKey], [
      { value: value - 5_000n, address: heartbeatWallet(REGTEST, 1).address },
    ]);
    blocks.push(await mineBlock(ref, ev, 200, { txs: [spend] }));
    const corpus = new Uint8Array(256);
    const cs = await Chainstate.open(dir, REGTEST, ev, corpus, testClock, {
      signatureVerifier: counting,
    });
    try {
      for (const b of blocks) {
        assert.equal((await cs.acceptBlock(b.block, b.checkpoint)).status, "connected");
      }
      assert.ok(batches.some((n) => n >= 1), `batches seen: ${batches.join(",")}`);
      assert.deepEqual(cs.tip(), ref.tip);
      assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(ref));
    } finally {
      await cs.close();
    }
  } finally {
    pool.close();
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import {
  heartbeatWallet,
  ScriptedEvaluator,
  signTx,
} from "../../core/consensus/testing/block_builder.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { MinedBlock } from "../../core/chain/_test_util.ts";
import { mineTestBlocks, startTestNode, until } from "./_test_nodes.ts";

const params = REGTEST;

/** A spend of the coinbase of `blocks[0]` (paid to heartbeat wallet 0). */
function spendFirstCoinbase(blocks: readonly MinedBlock[]): Tx {
  const owner = heartbeatWallet(params, 0);
  const coinbase = blocks[0]!.block.txs[0]!;
  const value = coinbase.outputs[0]!.value;
  return signTx(
    params,
    {
      version: 1,
      inputs: [{ prevout: { txid: txid(params.magic, coinbase), vout: 0 }, sequence: 0 }],
      outputs: [{ value: value - 10_000n, address: heartbeatWallet(params, 3).address }],
      locktime: 0,
    },
    [{ value, address: owner.address }],
    [owner],
  );
}

Deno.test("a transaction submitted while the node had no peers reaches a peer that connects later while still syncing, and leaves the unbroadcast set once the peer announces it back", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, params.coinbaseMaturity + 1);
  const a = await startTestNode(params, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
    maintainMs: 50,
    rebroadcastMs: 200,
  });
  let b;
  try {
    const entry = await a.node.submitTransaction(spendFirstCoinbase(blocks));
    assert.equal(a.node.unbroadcast?.has(entry.txid), true);
    // Several relay polls pass with no peer: the transaction is not lost to them.
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.node.unbroadcast?.has(entry.txid), true);

    // B starts at genesis: the announcement on connect comes before the coin it spends.
    b = await startTestNode(params, evaluator, [], {
      connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
      maintainMs: 50,
    });
    const peer = b;
    await until(() => peer.node.mempool.has(entry.txid), 20_000, () => peer.lines.join("\n"));
    assert.equal(peer.node.chainstate.tip().height, blocks.length);
    assert.equal(peer.node.unbroadcast?.size, 0, "a relayed transaction is not B's own");
    await until(() => a.node.unbroadcast?.size === 0, 10_000, () => a.lines.join("\n"));
  } finally {
    await b?.close();
    await a.close();
  }
});

Deno.test("a transaction that left the mempool is dropped from the unbroadcast set", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, params.coinbaseMaturity + 1);
  const a = await startTestNode(params, evaluator, blocks, { maintainMs: 50, rebroadcastMs: 100 });
  try {
    const entry = await a.node.submitTransaction(spendFirstCoinbase(blocks));
    assert.equal(a.node.unbroadcast?.size, 1);
    assert.equal(a.node.mempool.remove(entry.txid), true);
    // No peer is connected: the set is still pruned on each rebroadcast round.
    await until(() => a.node.unbroadcast?.size === 0, 5_000, () => a.lines.join("\n"));
  } finally {
    await a.close();
  }
});

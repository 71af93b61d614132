import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { BlockStatus } from "../../core/chain/records.ts";
import { utxoSnapshot } from "../../core/chain/_test_util.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { mineTestBlocks, startTestNode, until } from "../connman/_test_nodes.ts";

const params = REGTEST;
// The smallest prune regtest allows (> maxReorgDepth 20), so the chain stays short.
const KEEP = params.maxReorgDepth + 1;
const BLOCKS = KEEP + 4; // heights 1..4 pruned on the serving node

Deno.test("a fresh node syncs past checkpoints pruned on every peer: buried blocks without evaluation, the recent ones evaluated", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, BLOCKS);
  const a = await startTestNode(params, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
    prune: KEEP,
  });
  const c = await startTestNode(params, evaluator, [], {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
    prune: KEEP,
    sync: { assumePrunedDepth: KEEP },
  });
  try {
    const hashes = blocks.map((_, i) => a.node.chainstate.getEntryByHeight(i + 1)!.hash);
    assert.equal(await a.node.chainstate.getCheckpoint(hashes[BLOCKS - KEEP - 1]!), undefined);
    await until(() => c.node.chainstate.height() === BLOCKS, 20_000, () => c.lines.join("\n"));
    const cs = c.node.chainstate;
    assert.equal(toHex(cs.tip().hash), toHex(a.node.chainstate.tip().hash));
    assert.deepEqual(await utxoSnapshot(cs), await utxoSnapshot(a.node.chainstate));
    // The first block with a checkpoint has no parent checkpoint to be paired with (PROTOCOL
    // §5.5 stage 4): it is taken under the same assumption; every later one is evaluated.
    assert.equal(cs.unevaluatedBlocks(), BLOCKS - KEEP + 1);
    assert.equal(c.manager.sync.stats.assumedPrunedBlocks, BLOCKS - KEEP);
    hashes.forEach((hash, i) => {
      const status = cs.getBlockStatus(hash)!.status;
      const old = i + 1 <= BLOCKS - KEEP + 1;
      assert.equal((status & BlockStatus.assumedPruned) !== 0, old, `height ${i + 1}`);
      assert.equal((status & BlockStatus.potValid) !== 0, !old, `height ${i + 1}`);
      assert.equal(
        (status & BlockStatus.haveCheckpoint) !== 0,
        i + 1 > BLOCKS - KEEP,
        `height ${i + 1} keeps its checkpoint`,
      );
    });
    assert.ok(c.lines.some((l) => /accepted block [0-9a-f]+ height=1 without evaluation/.test(l)));
  } finally {
    await c.close();
    await a.close();
  }
});

Deno.test("a block whose checkpoint every peer pruned is not accepted unless buried deep enough below the best header", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, BLOCKS);
  const a = await startTestNode(params, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
    prune: KEEP,
  });
  // The default depth (keepCheckpoints 32) exceeds the 25 headers above block 1: not buried.
  const c = await startTestNode(params, evaluator, [], {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
    sync: { requestTimeoutMs: 200 },
  });
  try {
    assert.ok(BLOCKS - 1 < params.keepCheckpoints);
    // Every peer answered notfound and the retry after the timeout came round: given up for now.
    await until(
      () => c.lines.some((l) => l.includes("no peer can serve block")),
      20_000,
      () => c.lines.join("\n"),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.node.chainstate.height(), 0);
    assert.equal(c.node.chainstate.unevaluatedBlocks(), 0);
    assert.equal(c.manager.sync.stats.assumedPrunedBlocks, 0);
    assert.equal(c.manager.sync.pendingHeaders, BLOCKS, "the headers are known all the same");
  } finally {
    await c.close();
    await a.close();
  }
});

/**
 * Penalties on the real sync path (in-process node, real peer connections on loopback, real
 * chainstate in a temp dir): a consensus-invalid block gets its sender discouraged, a block
 * only too far ahead of the node's clock does not, is never marked invalid, and is accepted
 * without a restart once the clock catches up (issue 15 bug 3).
 *
 * @module
 */
import assert from "node:assert/strict";
import { mineBlock } from "../../core/chain/_test_util.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator, TestChain } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { blockId } from "../../core/primitives/block.ts";
import { servingPeer, startTestNode, until } from "../connman/_test_nodes.ts";

const params = REGTEST;

Deno.test("a consensus-invalid block's sender is discouraged, a too-new block's sender is not, and the too-new block is accepted once the clock allows", async () => {
  const evaluator = new ScriptedEvaluator();
  // Two children of genesis: one honest but stamped far ahead, one claiming a loss it lacks.
  const ahead = await mineBlock(new TestChain(params), evaluator, 1, {
    timestampSecs: params.genesisTimestampSecs + 30 * 86_400,
  });
  const liar = await mineBlock(new TestChain(params), evaluator, 2, { wrongLossNats: 9.5 });
  const aheadTime = ahead.block.header.timestampSecs;
  // The node's clock lags: the block is an hour beyond the allowed drift.
  let now = aheadTime - params.maxFutureBlockTimeSecs - 3600;
  const c = await startTestNode(params, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
    clock: { nowSecs: () => now },
  });
  const port = c.manager.listenPort!;
  const log = () => c.lines.join("\n");
  const early = await servingPeer(params, port, [ahead]);
  try {
    await until(() => c.manager.sync.stats.futureBlocks >= 1, 10_000, log);
    const aheadId = blockId(params.magic, ahead.block.header);
    // Refused for now, not invalid, its sender kept and not discouraged.
    assert.equal(c.node.chainstate.height(), 0);
    assert.equal(c.node.chainstate.getBlockStatus(aheadId), undefined);
    assert.equal(c.manager.sync.stats.invalidBlocks, 0);
    assert.equal(early.peer.closeReason, undefined);
    assert.equal(c.manager.peers().length, 1);
    assert.deepEqual(c.manager.bans.list(), []);
    assert.match(log(), /ahead of our clock \(time-too-new\)/);

    const cheat = await servingPeer(params, port, [liar]);
    assert.match(await cheat.running, /closed/);
    await until(() => c.manager.sync.stats.invalidBlocks === 1, 10_000, log);
    const bans = c.manager.bans.list();
    assert.deepEqual(bans.map((b) => [b.address, b.reason]), [
      [`id:${toHex(cheat.identity.publicKey)}`, "invalid-block"],
    ]);
    assert.equal(early.peer.closeReason, undefined);

    // Still refused a while later (retried only from its time), then the clock catches up.
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(c.node.chainstate.height(), 0);
    now = aheadTime - params.maxFutureBlockTimeSecs;
    await until(() => c.node.chainstate.height() === 1, 10_000, log);
    assert.equal(toHex(c.node.chainstate.tip().hash), toHex(aheadId));
    assert.equal(early.peer.closeReason, undefined);
    assert.equal(c.manager.bans.list().length, 1);
  } finally {
    early.peer.disconnect("done");
    await early.running;
    await c.close();
  }
});

Deno.test("blocks kept for a lagging clock are bounded: past maxFutureBlocks the farthest ahead is forgotten, not marked invalid", async () => {
  const evaluator = new ScriptedEvaluator();
  const day = 86_400;
  const near = await mineBlock(new TestChain(params), evaluator, 1, {
    timestampSecs: params.genesisTimestampSecs + 30 * day,
  });
  const far = await mineBlock(new TestChain(params), evaluator, 2, {
    timestampSecs: params.genesisTimestampSecs + 40 * day,
  });
  const nearTime = near.block.header.timestampSecs;
  let now = nearTime - params.maxFutureBlockTimeSecs - 3600;
  const c = await startTestNode(params, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
    clock: { nowSecs: () => now },
    sync: { maxFutureBlocks: 1 },
  });
  const log = () => c.lines.join("\n");
  const server = await servingPeer(params, c.manager.listenPort!, [near, far]);
  try {
    await until(() => c.manager.sync.stats.futureBlocks === 2, 10_000, log);
    assert.equal(c.manager.sync.pendingHeaders, 1, "only the nearest is kept");
    assert.equal(c.manager.sync.stats.invalidBlocks, 0);
    now = nearTime - params.maxFutureBlockTimeSecs;
    await until(() => c.node.chainstate.height() === 1, 10_000, log);
    assert.equal(
      toHex(c.node.chainstate.tip().hash),
      toHex(blockId(params.magic, near.block.header)),
    );
    // The forgotten block was not marked invalid: announcing it again is no misbehaviour.
    server.peer.send({ type: "headers", headers: [far.block.header] });
    await until(() => c.manager.sync.pendingHeaders === 1, 10_000, log);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.peer.closeReason, undefined);
    assert.deepEqual(c.manager.bans.list(), []);
  } finally {
    server.peer.disconnect("done");
    await server.running;
    await c.close();
  }
});

Deno.test("a block whose body a peer mutated costs that peer, not the block: another peer's good copy is accepted", async () => {
  const evaluator = new ScriptedEvaluator();
  const good = await mineBlock(new TestChain(params), evaluator, 1);
  // Same header, every transaction twice: the body no longer matches the header's roots.
  const txs = [...good.block.txs, ...good.block.txs];
  const mutated = { block: { ...good.block, txs }, checkpoint: good.checkpoint };
  const c = await startTestNode(params, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const log = () => c.lines.join("\n");
  const port = c.manager.listenPort!;
  const mutator = await servingPeer(params, port, [mutated]);
  let honest: Awaited<ReturnType<typeof servingPeer>> | undefined;
  try {
    assert.match(await mutator.running, /closed/);
    const bans = c.manager.bans.list();
    assert.deepEqual(bans.map((b) => [b.address, b.reason]), [
      [`id:${toHex(mutator.identity.publicKey)}`, "invalid-block"],
    ]);
    honest = await servingPeer(params, port, [good]);
    await until(() => c.node.chainstate.height() === 1, 10_000, log);
    assert.equal(honest.peer.closeReason, undefined);
    assert.equal(c.manager.bans.list().length, 1);
  } finally {
    honest?.peer.disconnect("done");
    await honest?.running;
    await c.close();
  }
});

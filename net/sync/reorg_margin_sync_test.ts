/**
 * The sync spends nothing on a side branch that cannot clear the reorganisation margin
 * (PROTOCOL §6.3): from its headers alone the node knows it could never switch to it, so it
 * neither downloads nor evaluates its blocks, and looks again when the branch grows. A branch
 * that can clear the margin on its headers but whose blocks are forged costs one evaluation
 * and its sender's connection. In-process nodes on a scripted evaluator (its `calls` count the
 * evaluations); the same with real nodes and trained checkpoints: tests/pot_attacks_test.ts.
 *
 * @module
 */
import assert from "node:assert/strict";
import { mineBlock, type MinedBlock, referenceChain } from "../../core/chain/_test_util.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { blockId } from "../../core/primitives/block.ts";
import { servingPeer, startTestNode, until } from "../connman/_test_nodes.ts";

const params = REGTEST;
const FORK = 2;

function hashOf(b: MinedBlock): string {
  return toHex(blockId(params.magic, b.block.header));
}

/** The victim's chain: `FORK + 4` blocks, each claiming exactly μ (work `1 + μ`). */
async function mainChain(evaluator: ScriptedEvaluator): Promise<MinedBlock[]> {
  const chain = await referenceChain(params, []);
  const out: MinedBlock[] = [];
  for (let i = 0; i < FORK + 4; i++) {
    out.push(
      await mineBlock(chain, evaluator, i + 1, { progressPpm: params.sampleMinImprovementPpm }),
    );
  }
  return out;
}

/**
 * `n` blocks on the victim's block `FORK`, at the capped work unless `progressPpm` is given;
 * `forgeFirst` lies in the first.
 */
async function sideBranch(
  main: readonly MinedBlock[],
  evaluator: ScriptedEvaluator,
  n: number,
  forgeFirst = false,
  progressPpm?: number,
): Promise<MinedBlock[]> {
  const chain = await referenceChain(params, main.slice(0, FORK));
  const out: MinedBlock[] = [];
  for (let i = 0; i < n; i++) {
    // The first block's checkpoint evaluates to 9 nats, not the loss its header claims.
    const wrong = forgeFirst && i === 0 ? { wrongLossNats: 9 } : {};
    const claim = progressPpm === undefined ? {} : { progressPpm };
    out.push(await mineBlock(chain, evaluator, 1000 + i, { ...wrong, ...claim }));
  }
  return out;
}

Deno.test("a side branch whose headers cannot clear the reorg margin is neither downloaded nor evaluated; grown long enough it is fetched and taken", async () => {
  const evaluator = new ScriptedEvaluator();
  // The tip is 4 blocks of 1 + μ above the fork; replacing them owes 3 capped blocks more, so
  // 4 side blocks at the cap (mineBlock's default claim is 2μ) out-weigh the tip but can never
  // clear the margin, 6 can (5 · (1 + 2μ) = 4 · (1 + μ) + 3 · (1 + 2μ) − 2).
  const main = await mainChain(evaluator);
  const side = await sideBranch(main, evaluator, 6);
  const victim = await startTestNode(params, evaluator, main, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const before = evaluator.calls;
  const short = await servingPeer(params, victim.manager.listenPort!, side.slice(0, 4));
  try {
    const line = new RegExp(
      `not fetching branch tip ${hashOf(side[3]!)} height=6: even at the per-block maximum ` +
        "its 4 headers cannot clear the reorg margin",
    );
    await until(
      () => victim.lines.some((l) => line.test(l)),
      10_000,
      () => victim.lines.join("\n"),
    );
    await new Promise((r) => setTimeout(r, 500)); // a tick or two in which it could ask
    assert.equal(evaluator.calls, before);
    assert.ok(short.peer.bytesSent < side[0]!.checkpoint.length, `${short.peer.bytesSent} bytes`);
    for (const b of side.slice(0, 4)) {
      assert.equal(
        victim.node.chainstate.getEntry(blockId(params.magic, b.block.header)),
        undefined,
      );
    }
    assert.equal(victim.lines.filter((l) => line.test(l)).length, 1);

    // The branch grows to 6 capped headers: now it can clear the margin, and it does.
    const long = await servingPeer(params, victim.manager.listenPort!, side);
    try {
      await until(
        () => toHex(victim.node.chainstate.tip().hash) === hashOf(side[5]!),
        20_000,
        () => victim.lines.join("\n"),
      );
      assert.ok(evaluator.calls > before);
      assert.ok(
        !victim.lines.some((l) => l.includes(`not fetching branch tip ${hashOf(side[5]!)}`)),
      );
    } finally {
      long.peer.disconnect("test over");
    }
  } finally {
    short.peer.disconnect("test over");
    await victim.close();
  }
});

Deno.test("a side branch whose headers could clear the reorg margin at the cap but claim too little is not downloaded either", async () => {
  const evaluator = new ScriptedEvaluator();
  const main = await mainChain(evaluator);
  // 6 blocks claiming 1.5μ each weigh 6 · 15,001 = 90,006: more than the tip's 4 · 10,001 above
  // the fork, not more than the 4 · 10,001 + 3 · 20,001 = 100,007 the reorganisation needs; at
  // the cap the same 6 headers could reach 120,006, so only their claims rule them out.
  const side = await sideBranch(main, evaluator, 6, false, 15_000);
  const victim = await startTestNode(params, evaluator, main, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const before = evaluator.calls;
  const peer = await servingPeer(params, victim.manager.listenPort!, side);
  try {
    const line = new RegExp(
      `not fetching branch tip ${hashOf(side[5]!)} height=8: its 6 headers claim work \\d+, ` +
        "not more than the \\d+ a 4-block reorg needs",
    );
    await until(
      () => victim.lines.some((l) => line.test(l)),
      10_000,
      () => victim.lines.join("\n"),
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(evaluator.calls, before);
    assert.ok(peer.peer.bytesSent < side[0]!.checkpoint.length, `${peer.peer.bytesSent} bytes`);
    for (const b of side) {
      assert.equal(
        victim.node.chainstate.getEntry(blockId(params.magic, b.block.header)),
        undefined,
      );
    }
  } finally {
    peer.peer.disconnect("test over");
    await victim.close();
  }
});

Deno.test("a side branch that clears the reorg margin on its headers but whose first block is forged costs one evaluation and its sender's connection", async () => {
  const evaluator = new ScriptedEvaluator();
  const main = await mainChain(evaluator);
  const side = await sideBranch(main, evaluator, 8, true);
  const victim = await startTestNode(params, evaluator, main, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const tip = toHex(victim.node.chainstate.tip().hash);
  const before = evaluator.calls;
  const attacker = await servingPeer(params, victim.manager.listenPort!, side);
  try {
    const reason = await Promise.race([
      attacker.running,
      new Promise<string>((r) => setTimeout(() => r("still open"), 20_000)),
    ]);
    assert.notEqual(reason, "still open", victim.lines.join("\n"));
    await until(
      () => victim.lines.some((l) => /discouraging .* invalid-block/.test(l)),
      10_000,
      () => victim.lines.join("\n"),
    );
    // One paired evaluation (the forged child and its parent on the child's sample), no more:
    // the 7 blocks above it are never evaluated.
    const spent = evaluator.calls - before;
    assert.ok(spent >= 1 && spent <= 2, `${spent} evaluations`);
    assert.equal(toHex(victim.node.chainstate.tip().hash), tip);
    assert.equal(
      victim.node.chainstate.getBlockStatus(blockId(params.magic, side[0]!.block.header))
        ?.invalidReason,
      "sample-loss-mismatch",
    );
  } finally {
    attacker.peer.disconnect("test over");
    await victim.close();
  }
});

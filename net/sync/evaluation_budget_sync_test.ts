import assert from "node:assert/strict";
import { mineBlock, referenceChain } from "../../core/chain/_test_util.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { mineTestBlocks, startTestNode, until } from "../connman/_test_nodes.ts";

const params = REGTEST;

Deno.test("a peer that never delivered a connected block is held to its address group's evaluation budget; a proven peer is not", async () => {
  const evaluator = new ScriptedEvaluator();
  const honest = await mineTestBlocks(params, evaluator, 4);
  // A competing branch from another peer that would replace the honest chain: 6 blocks at the
  // cap against 3 above the fork, more than the 3 + 2 the reorg margin asks (fewer would not
  // even be downloaded: PROTOCOL §6.3).
  const fork = await referenceChain(params, honest.slice(0, 1));
  const branch = [];
  for (let i = 0; i < 6; i++) branch.push(await mineBlock(fork, evaluator, 500 + i));
  const listen = { hostname: "127.0.0.1", port: 0 };
  const h = await startTestNode(params, evaluator, honest, { listen });
  const u = await startTestNode(params, evaluator, [...honest.slice(0, 1), ...branch], { listen });
  // A tiny budget: the first evaluation for 127.0/16 overdraws it for minutes.
  const v = await startTestNode(params, evaluator, [], {
    listen,
    sync: { evaluationBudget: { burstSecs: 0.000_001, share: 0.000_01 } },
  });
  try {
    await v.manager.connectTo({ host: "127.0.0.1", port: h.manager.listenPort! });
    // H's first block is evaluated (the burst), connects, and H is proven: the rest follow.
    await until(() => v.node.chainstate.height() === 4, 20_000, () => v.lines.join("\n"));
    assert.equal(toHex(v.node.chainstate.tip().hash), toHex(h.node.chainstate.tip().hash));
    // U, unproven and in the same group, offers a branch that would win: it waits.
    await v.manager.connectTo({ host: "127.0.0.1", port: u.manager.listenPort! });
    await until(() => v.manager.sync.stats.budgetWaits > 0, 20_000, () => v.lines.join("\n"));
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(toHex(v.node.chainstate.tip().hash), toHex(h.node.chainstate.tip().hash));
    assert.equal(v.manager.peers().length, 2, "waiting is not a penalty");
  } finally {
    await v.close();
    await u.close();
    await h.close();
  }
});

/**
 * `rnt node` as a process under a flood of side-branch blocks over `submitblock` (issue 15 bug
 * 2): the checkpoints it keeps for branches it never evaluates stay within the bounds of
 * PROTOCOL §6.6 and the node keeps working.
 */
import assert from "node:assert/strict";
import { sideBranchLimits } from "../core/chain/side_branch_budget.ts";
import { genesisEntry } from "../core/consensus/genesis.ts";
import { nextModelConfig } from "../core/consensus/growth.ts";
import { REGTEST } from "../core/consensus/params.ts";
import {
  buildChildBlock,
  defaultParentLoss,
  testCheckpoint,
} from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { blockId, decodeBlock, encodeBlock } from "../core/primitives/block.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

async function dirBytes(path: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(path)) {
    if (e.isFile) n += (await Deno.stat(`${path}/${e.name}`)).size;
  }
  return n;
}

Deno.test("rnt node keeps the side-branch checkpoints submitblock floods it with within bounds and keeps working", async () => {
  await using dir = await tempDir();
  await using node = await NodeProcess.start(dir.path);
  const fixture = await readChainFixture();
  await importChainFixture(node, fixture, 2);
  const tipHash = await node.rpc<string>("getbestblockhash");
  const tipCheckpoint = fixture[1]!.checkpoint.length;
  const branchBound = sideBranchLimits(REGTEST, tipCheckpoint).branchBytes;
  const folder = `${dir.path}/checkpoints`;
  const activeBytes = await dirBytes(folder);

  // Children of genesis that claim just the minimum improvement: valid headers, but less work
  // than the two-block tip, so each is stored on a side branch and never evaluated.
  const genesis = genesisEntry(REGTEST);
  const loss = Math.floor(
    defaultParentLoss(genesis) * (1e6 - REGTEST.sampleMinImprovementPpm) / 1e6,
  );
  const config = nextModelConfig(REGTEST, genesis);
  const flood = 2 * (REGTEST.maxReorgDepth + 1) + 12;
  let inconclusive = 0;
  let peak = 0;
  for (let i = 0; i < flood; i++) {
    const ck = testCheckpoint(config, 1000 + i);
    const block = buildChildBlock(REGTEST, genesis, {
      sampleLossMicroNats: loss,
      checkpoint: { root: ck.root, size: ck.size },
    });
    const result = await node.rpc("submitblock", [toHex(encodeBlock(block)), toHex(ck.bytes)]);
    if (result === "inconclusive") inconclusive++;
    const side = (await dirBytes(folder)) - activeBytes;
    peak = Math.max(peak, side);
    assert.ok(side <= branchBound, `${side} side-branch bytes after ${i + 1} blocks`);
  }
  assert.equal(inconclusive, flood);
  // The branch filled up to its bound: the flood was over it and was cut there.
  assert.ok(peak > branchBound - 2 * tipCheckpoint, `peak ${peak}`);

  // Still the same tip, and the chain still grows.
  assert.equal(await node.rpc<string>("getbestblockhash"), tipHash);
  const third = fixture[2]!;
  assert.equal(await node.rpc("submitblock", [toHex(third.block), toHex(third.checkpoint)]), null);
  assert.equal(await node.rpc<number>("getblockcount"), 3);
  const thirdHash = blockId(REGTEST.magic, decodeBlock(third.block, REGTEST).header);
  assert.equal(await node.rpc<string>("getbestblockhash"), toHex(thirdHash));
});

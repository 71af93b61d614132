/**
 * The issue-14 attacks against real nodes under the sampled, paired rule (PROTOCOL §5.9, §6.3):
 *
 * - memorising the public validation text no longer wins: a block trained on it, forked from
 *   height 5 of a 25-block honest chain (the attack that reorganised 20 blocks under the old
 *   rule), neither passes its own sample nor outweighs the honest chain, whatever it claims;
 * - a stalled chain resumes: a block whose checkpoint learnt less than μ is refused while μ_t is
 *   full, and taken once the parent is old enough for μ_t to have decayed (regtest
 *   `setmocktime`);
 * - re-publishing the honest chain's own checkpoints under the attacker's headers (grinding each
 *   header's sample), which out-weighs the honest blocks without any training, does not
 *   reorganise a node that has the honest chain (the reorg margin, PROTOCOL §6.3), and over P2P
 *   that node does not even download it (its headers alone cannot clear the margin), while a
 *   longer branch that clears the margin is fetched and taken; a node that never saw the honest
 *   blocks takes the copy (the limit of the margin, measured). Evaluations are counted from the
 *   node's log (`verified height=… hash=…`, tests/pot_flood_peers.ts).
 *
 * @module
 */
import assert from "node:assert/strict";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import { requiredImprovementPpm } from "../core/consensus/paired_improvement.ts";
import { improvementPpm, nextModelConfig } from "../core/consensus/growth.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { reorgMarginWork } from "../core/consensus/chain_work.ts";
import { TestChain } from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { type Block, blockId, decodeBlock, encodeBlock } from "../core/primitives/block.ts";
import { loadSampleTrain, loadValidationSet } from "../gpu/model/datasets.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";
import { createAdamState, trainStepCpu } from "../gpu/ref/model.ts";
import { type FixtureBlock, importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { startP2pNode, waitUntil } from "./p2p_helpers.ts";
import { type BlockWithCheckpoint, evaluatedBlocks } from "./pot_flood_peers.ts";
import { type SampleClaims, sampleClaims } from "./sample_claims.ts";

const params = REGTEST;
const MINER = new Uint8Array(32).fill(0x6d);
type Json = Record<string, unknown>;

/** A TestChain holding the first `n` fixture blocks (to build children on them). */
async function fixtureChain(n: number): Promise<{ chain: TestChain; ckpts: Uint8Array[] }> {
  const fixture = await readChainFixture();
  const chain = new TestChain(params);
  chain.nowSecs = Math.floor(Date.now() / 1000) + 10 * 86_400;
  for (const b of fixture.slice(0, n)) await chain.accept(decodeBlock(b.block, params));
  return { chain, ckpts: fixture.map((b) => b.checkpoint) };
}

/** A signed child of `chain`'s tip carrying `checkpoint` with the given claims and time. */
function childBlock(
  chain: TestChain,
  checkpoint: Uint8Array,
  claims: { parentSampleLossMicroNats: number; sampleLossMicroNats: number },
  timestampSecs: number,
): Block {
  return chain.build({
    minerSeed: MINER,
    parentSampleLossMicroNats: claims.parentSampleLossMicroNats,
    sampleLossMicroNats: claims.sampleLossMicroNats,
    timestampSecs,
    checkpoint: { root: checkpointRoot(checkpoint), size: checkpoint.length },
  });
}

async function submit(node: NodeProcess, block: Block, checkpoint: Uint8Array): Promise<unknown> {
  return await node.rpc("submitblock", [toHex(encodeBlock(block)), toHex(checkpoint)]);
}

Deno.test("a block memorising the public validation text, forked from height 5, does not replace a 25-block honest chain", async () => {
  await using dir = await tempDir("rnt-memorise-");
  await using node = await NodeProcess.start(dir.path);
  const fixture = await readChainFixture();
  await importChainFixture(node, fixture, 25);
  const before = await node.rpc<Json>("getblockchaininfo");
  assert.equal(before.blocks, 25);

  // The attacker: block 5's checkpoint grown for height 6 and trained 20 steps on the public
  // 4 KiB regtest validation text (what won every block under the old rule).
  const { chain, ckpts } = await fixtureChain(5);
  const parent: ChainEntry = chain.tip;
  const memo = growCheckpoint(decodeCheckpoint(ckpts[4]!), nextModelConfig(params, parent), 6);
  const publicText = await loadValidationSet("regtest");
  const W = params.validationWindowBytes;
  const state = createAdamState(memo);
  for (let step = 0; step < 20; step++) {
    const first = (step * 8) % (publicText.length / W - 8);
    const tokens = Uint32Array.from(publicText.subarray(first * W, (first + 8) * W));
    trainStepCpu(memo, state, tokens, 8, W, {
      lr: 1e-2,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0,
      maxGradNorm: 1,
    });
  }
  const bytes = encodeCheckpoint(memo);
  // Most favourable to the attacker: stamped late enough that μ_t has decayed to 0, so its
  // sample need only score below the parent's.
  const late = parent.header.timestampSecs + params.improvementGraceSecs +
    31 * params.improvementHalfLifeSecs;
  assert.equal(requiredImprovementPpm(params, parent.header.timestampSecs, late), 0);
  const honest = await sampleClaims(params, parent, ckpts[4]!, bytes, late, MINER);
  const exact = childBlock(chain, bytes, honest, late);
  if (honest.sampleLossMicroNats < honest.parentSampleLossMicroNats) {
    // It beat its parent on held-out windows after all: a valid block of at most 1 + cap work,
    // stored on a side branch, far below 20 honest blocks.
    assert.equal(await submit(node, exact, bytes), "inconclusive");
  } else {
    // Memorising 4 KiB made it worse on the corpus: its own honest claims fail the rule.
    await assert.rejects(submit(node, exact, bytes), /insufficient-sample-improvement/);
  }
  console.log(
    `memoriser on its sample: ${honest.sampleLossMicroNats} µnats vs parent ` +
      `${honest.parentSampleLossMicroNats}`,
  );
  // Lying about it: a claim of 50 % progress is stored unevaluated (it weighs at most 1 + cap,
  // less than the 20 honest blocks above the fork) and so never reorganises anything.
  const lie = childBlock(chain, bytes, {
    parentSampleLossMicroNats: honest.parentSampleLossMicroNats,
    sampleLossMicroNats: Math.floor(honest.parentSampleLossMicroNats / 2),
  }, late + 1);
  assert.equal(await submit(node, lie, bytes), "inconclusive");

  const after = await node.rpc<Json>("getblockchaininfo");
  assert.equal(after.bestblockhash, before.bestblockhash);
  assert.equal(after.blocks, 25);
  assert.equal(after.minted, before.minted);
  const tips = await node.rpc<Json[]>("getchaintips");
  assert.ok(tips.some((t) => t.status === "active" && t.height === 25));
  assert.ok(tips.every((t) => t.status === "active" || (t.height as number) === 6));
});

Deno.test("a stalled regtest chain resumes: a block that learnt less than μ is refused at full μ and taken once μ_t has decayed (setmocktime)", async () => {
  await using dir = await tempDir("rnt-stall-");
  await using node = await NodeProcess.start(dir.path);
  const fixture = await readChainFixture();
  await importChainFixture(node, fixture, 3);
  const { chain, ckpts } = await fixtureChain(3);
  const parent = chain.tip;
  const soon = parent.header.timestampSecs + 10;
  // Slow training: the tip's checkpoint grown to the next config (growth alone makes it worse
  // on every sample — 0 of 200 samples scored it below its parent), trained one small step at
  // a time until its sample at `soon` shows some progress, but less than μ.
  const model = growCheckpoint(decodeCheckpoint(ckpts[2]!), nextModelConfig(params, parent), 4);
  const text = await loadSampleTrain();
  const W = params.validationWindowBytes;
  const state = createAdamState(model);
  let slow: { bytes: Uint8Array; claims: SampleClaims } | undefined;
  for (let step = 0; step < 200 && !slow; step++) {
    const tokens = Uint32Array.from(text.subarray(step * 4 * W, (step + 1) * 4 * W));
    trainStepCpu(model, state, tokens, 4, W, {
      lr: 2e-3,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0,
      maxGradNorm: 1,
    });
    const bytes = encodeCheckpoint(model);
    const claims = await sampleClaims(params, parent, ckpts[2]!, bytes, soon, MINER);
    const progress = improvementPpm(claims.parentSampleLossMicroNats, claims.sampleLossMicroNats);
    if (progress > 0 && progress < params.sampleMinImprovementPpm) slow = { bytes, claims };
    if (progress >= params.sampleMinImprovementPpm) break; // learnt too fast: no stall to show
  }
  assert.ok(slow, "no training step gave a sample progress between 0 and μ");
  // Within the grace μ_t = μ: its exact claims are refused.
  await node.rpc("setmocktime", [soon]);
  await assert.rejects(
    submit(node, childBlock(chain, slow.bytes, slow.claims, soon), slow.bytes),
    /insufficient-sample-improvement/,
  );
  assert.equal(await node.rpc("getblockcount"), 3);

  // Later μ_t has halved down to 0: one exact unit below the parent on the block's own sample is
  // enough. A miner tries timestamps (each draws another sample) until one passes.
  const start = parent.header.timestampSecs + params.improvementGraceSecs +
    31 * params.improvementHalfLifeSecs;
  assert.equal(requiredImprovementPpm(params, parent.header.timestampSecs, start), 0);
  await node.rpc("setmocktime", [start + 600]);
  let taken: { block: Block; tries: number } | undefined;
  for (let t = 0; t < 50 && !taken; t++) {
    const claims = await sampleClaims(params, parent, ckpts[2]!, slow.bytes, start + t, MINER);
    if (claims.sampleLossMicroNats < claims.parentSampleLossMicroNats) {
      taken = { block: childBlock(chain, slow.bytes, claims, start + t), tries: t + 1 };
    }
  }
  assert.ok(taken, "no sample in 50 tries scored the slowly trained checkpoint below its parent");
  assert.equal(await submit(node, taken.block, slow.bytes), null);
  assert.equal(await node.rpc("getblockcount"), 4);
  const info = await node.rpc<Json>("getblockheader", [await node.rpc("getbestblockhash")]);
  assert.ok((info.progress_ppm as number) < params.sampleMinImprovementPpm);
  console.log(
    `stalled chain resumed after ${taken.tries} sample(s); progress ${info.progress_ppm} ppm`,
  );
});

/**
 * Re-publishes fixture checkpoints `from`…`to` as children of `chain`'s tip under the attacker's
 * own signed headers, stamped late enough for μ_t to have decayed (any sample showing progress
 * is valid), trying timestamps (each draws another sample): with `grind` until the copy verifies
 * more progress than the honest block had (at most 12 tries), else the first that shows any.
 */
async function copyBlocks(
  chain: TestChain,
  fixture: readonly FixtureBlock[],
  from: number,
  to: number,
  grind: boolean,
): Promise<{ copies: BlockWithCheckpoint[]; tries: number }> {
  const copies: BlockWithCheckpoint[] = [];
  let tries = 0;
  for (let h = from; h <= to; h++) {
    const parent = chain.tip;
    const honest = decodeBlock(fixture[h - 1]!.block, params).header;
    const honestPpm = improvementPpm(honest.parentSampleLossMicroNats, honest.sampleLossMicroNats);
    const late = parent.header.timestampSecs + params.improvementGraceSecs +
      31 * params.improvementHalfLifeSecs;
    let best: { claims: SampleClaims; ppm: number } | undefined;
    for (let t = 0; t < 12 && !(best && (!grind || best.ppm > honestPpm)); t++, tries++) {
      const claims = await sampleClaims(
        params,
        parent,
        fixture[h - 2]!.checkpoint,
        fixture[h - 1]!.checkpoint,
        late + t,
        MINER,
      );
      const ppm = improvementPpm(claims.parentSampleLossMicroNats, claims.sampleLossMicroNats);
      if (ppm > 0 && (!best || ppm > best.ppm)) best = { claims, ppm };
    }
    assert.ok(best, `no sample for the copy of block ${h} showed progress in 12 tries`);
    const checkpoint = fixture[h - 1]!.checkpoint;
    const block = childBlock(chain, checkpoint, best.claims, best.claims.timestampSecs);
    await chain.accept(block);
    copies.push({ block, checkpoint, hash: toHex(chain.tip.hash) });
  }
  return { copies, tries };
}

/** The chain work of block `hash` on `node` (from `getblockheader`). */
async function workOf(node: NodeProcess, hash: string): Promise<bigint> {
  const h = await node.rpc<Json>("getblockheader", [hash]);
  return BigInt(`0x${h.chainwork as string}`);
}

/** Bytes `node` received from its only peer (`getpeerinfo`). */
async function bytesFromPeer(node: NodeProcess): Promise<number> {
  const peers = await node.rpc<{ bytesrecv: number }[]>("getpeerinfo");
  assert.equal(peers.length, 1);
  return peers[0]!.bytesrecv;
}

Deno.test("re-published honest checkpoints under ground headers out-weigh 4 honest blocks but are neither fetched nor switched to by a node that has them (reorg margin), while a longer branch that clears it is fetched and taken; a node that never saw them follows the copy", async () => {
  await using dir = await tempDir("rnt-replay-");
  const fixture = await readChainFixture();
  const honestP2p = await startP2pNode(dir.path + "/honest");
  await using honestNode = honestP2p.proc;
  await importChainFixture(honestNode, fixture, 8);

  // A branch that clears the margin is still fetched and taken: a node holding copies of blocks
  // 3 and 4 (d = 2 for it) meets the honest blocks 3…8 over P2P, six blocks of at least 1 + μ
  // each against two of at most 1 + cap plus one capped block of margin.
  {
    const { chain } = await fixtureChain(2);
    const { copies: short } = await copyBlocks(chain, fixture, 3, 4, false);
    const xP2p = await startP2pNode(dir.path + "/short");
    await using x = xP2p.proc;
    await importChainFixture(x, fixture, 2);
    for (const c of short) assert.equal(await submit(x, c.block, c.checkpoint), null);
    const honestTip = await honestNode.rpc<string>("getbestblockhash");
    const forkWork = chain.entries[2]!.chainWork;
    assert.ok(
      await workOf(honestNode, honestTip) - forkWork >
        chain.tip.chainWork - forkWork + reorgMarginWork(params, 2),
    );
    assert.equal(await x.rpc("addnode", [`127.0.0.1:${honestP2p.port}`, "onetry"]), null);
    await waitUntil(
      async () => (await x.rpc<string>("getbestblockhash")) === honestTip,
      60_000,
      () => x.log,
    );
    for (const c of short) assert.match(x.log, new RegExp(`disconnected block ${c.hash}`));
    const evaluated = evaluatedBlocks(x.log);
    for (const b of fixture.slice(2, 8)) {
      assert.ok(
        evaluated.includes(toHex(blockId(params.magic, decodeBlock(b.block, params).header))),
      );
    }
    assert.doesNotMatch(x.log, /not fetching branch tip/);
  }
  await importChainFixture(honestNode, fixture.slice(8));
  const before = await honestNode.rpc<Json>("getblockchaininfo");
  assert.equal(before.blocks, 30);

  // The attacker forks at 26 and re-publishes checkpoints 27…30 under its own signed headers,
  // trying timestamps until each block verifies more progress than the honest block had: the
  // same expected progress, plus the grind, no training.
  const FORK = 26;
  const { chain } = await fixtureChain(FORK);
  const honestWork = BigInt(parseInt(before.chainwork as string, 16)) - chain.tip.chainWork;
  const { copies, tries } = await copyBlocks(chain, fixture, FORK + 1, 30, true);
  const copyTip = copies.at(-1)!.hash;
  const copyWork = chain.tip.chainWork - chain.entries[FORK]!.chainWork;
  const margin = reorgMarginWork(params, 30 - FORK);
  console.log(
    `replayed ${
      30 - FORK
    } checkpoints in ${tries} sample tries: work ${copyWork} against the honest ` +
      `blocks' ${honestWork} (margin ${margin})`,
  );
  // The premise: without training, the copy out-weighs the blocks it would replace…
  assert.ok(copyWork > honestWork, `the copy (${copyWork}) did not out-weigh ${honestWork}`);
  // …but no copy of blocks that each weigh at most 1 + cap can clear the margin.
  assert.ok(copyWork <= honestWork + margin);

  // A node that never had the honest blocks 27…30 takes the copy: every copied block verifies.
  const freshP2p = await startP2pNode(dir.path + "/fresh");
  await using fresh = freshP2p.proc;
  await importChainFixture(fresh, fixture, FORK);
  for (const c of copies) assert.equal(await submit(fresh, c.block, c.checkpoint), null);
  assert.equal(await fresh.rpc("getbestblockhash"), copyTip);

  // Over P2P the node that has the honest blocks neither downloads nor evaluates the copy: from
  // its 4 headers alone it cannot clear the margin, whatever its blocks would verify.
  assert.equal(await honestNode.rpc("addnode", [`127.0.0.1:${freshP2p.port}`, "onetry"]), null);
  await waitUntil(
    () =>
      Promise.resolve(
        new RegExp(
          `not fetching branch tip ${copyTip} height=30: even at the per-block maximum its 4 ` +
            "headers cannot clear the reorg margin",
        ).test(honestNode.log),
      ),
    30_000,
    () => honestNode.log,
  );
  await new Promise((r) => setTimeout(r, 1_000)); // anything it would still ask for
  const received = await bytesFromPeer(honestNode);
  console.log(
    `copy over P2P: the honest node received ${received} bytes, evaluated ` +
      `${copies.filter((c) => evaluatedBlocks(honestNode.log).includes(c.hash)).length} of ` +
      `${copies.length} copied blocks (their checkpoints: ${
        copies.reduce((s, c) => s + c.checkpoint.length, 0)
      } bytes)`,
  );
  for (const c of copies) {
    assert.ok(!evaluatedBlocks(honestNode.log).includes(c.hash));
    await assert.rejects(honestNode.rpc("getblock", [c.hash]), /not found/);
  }
  assert.ok(received < copies[0]!.checkpoint.length);
  assert.equal(await honestNode.rpc("getbestblockhash"), before.bestblockhash);

  // Handed in directly, the copy is stored but not switched to (the chainstate's margin).
  for (const c of copies) {
    assert.equal(await submit(honestNode, c.block, c.checkpoint), "inconclusive");
  }
  const after = await honestNode.rpc<Json>("getblockchaininfo");
  assert.equal(after.bestblockhash, before.bestblockhash);
  assert.equal(after.minted, before.minted);
  assert.ok(await workOf(honestNode, copyTip) > BigInt(parseInt(before.chainwork as string, 16)));
  assert.match(
    honestNode.log,
    /refused reorg to branch tip [0-9a-f]{64} height=30: it would disconnect 4 blocks/,
  );
  for (const c of copies) assert.ok(!evaluatedBlocks(honestNode.log).includes(c.hash));
});

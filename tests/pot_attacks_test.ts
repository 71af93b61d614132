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
 *   reorganise a node that has the honest chain (the reorg margin, PROTOCOL §6.3), while a node
 *   that never saw the honest blocks takes that branch (the limit of the margin, measured).
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
import { type Block, decodeBlock, encodeBlock } from "../core/primitives/block.ts";
import { loadSampleTrain, loadValidationSet } from "../gpu/model/datasets.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";
import { createAdamState, trainStepCpu } from "../gpu/ref/model.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
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

Deno.test("re-published honest checkpoints under ground headers out-weigh 4 honest blocks but do not reorganise a node that has them (reorg margin); a node that never saw them follows the copy", async () => {
  await using dir = await tempDir("rnt-replay-");
  await using honestNode = await NodeProcess.start(dir.path + "/honest");
  const fixture = await readChainFixture();
  await importChainFixture(honestNode, fixture, 30);
  const before = await honestNode.rpc<Json>("getblockchaininfo");

  // The attacker forks at 26 and re-publishes checkpoints 27…30 under its own signed headers,
  // trying timestamps (each draws another sample) until each block verifies more progress than
  // the honest block had: the same expected progress, plus the grind, no training.
  const FORK = 26;
  const { chain, ckpts } = await fixtureChain(FORK);
  const honestWork = BigInt(parseInt(before.chainwork as string, 16)) - chain.tip.chainWork;
  const copies: { block: Block; checkpoint: Uint8Array }[] = [];
  let tries = 0;
  for (let h = FORK + 1; h <= 30; h++) {
    const parent = chain.tip;
    const honest = decodeBlock(fixture[h - 1]!.block, params).header;
    const honestPpm = improvementPpm(honest.parentSampleLossMicroNats, honest.sampleLossMicroNats);
    let best: { claims: SampleClaims; ppm: number } | undefined;
    // Stamped late enough for μ_t to have decayed: any sample that shows progress is valid.
    const late = parent.header.timestampSecs + params.improvementGraceSecs +
      31 * params.improvementHalfLifeSecs;
    for (let t = 0; t < 12 && !(best && best.ppm > honestPpm); t++, tries++) {
      const claims = await sampleClaims(
        params,
        parent,
        ckpts[h - 2]!,
        ckpts[h - 1]!,
        late + t,
        MINER,
      );
      const ppm = improvementPpm(claims.parentSampleLossMicroNats, claims.sampleLossMicroNats);
      if (ppm > 0 && (!best || ppm > best.ppm)) best = { claims, ppm };
    }
    assert.ok(best, `no sample for the copy of block ${h} showed progress in 12 tries`);
    const block = childBlock(chain, ckpts[h - 1]!, best.claims, best.claims.timestampSecs);
    await chain.accept(block);
    copies.push({ block, checkpoint: ckpts[h - 1]! });
  }
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

  for (const c of copies) {
    assert.equal(await submit(honestNode, c.block, c.checkpoint), "inconclusive");
  }
  const after = await honestNode.rpc<Json>("getblockchaininfo");
  assert.equal(after.bestblockhash, before.bestblockhash);
  assert.equal(after.minted, before.minted);
  const copyTip = await honestNode.rpc<Json>("getblockheader", [toHex(chain.tip.hash)]);
  assert.ok(
    BigInt(parseInt(copyTip.chainwork as string, 16)) >
      BigInt(parseInt(before.chainwork as string, 16)),
  );
  assert.match(
    honestNode.log,
    /refused reorg to branch tip [0-9a-f]{64} height=30: it would disconnect 4 blocks/,
  );

  // A node that never had the honest blocks 27…30 takes the copy: every copied block verifies.
  await using fresh = await NodeProcess.start(dir.path + "/fresh");
  await importChainFixture(fresh, fixture, FORK);
  for (const c of copies) assert.equal(await submit(fresh, c.block, c.checkpoint), null);
  assert.equal(await fresh.rpc("getbestblockhash"), toHex(chain.tip.hash));
});

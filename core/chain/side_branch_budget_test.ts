import assert from "node:assert/strict";
import { toHex } from "../crypto/keccak.ts";
import { blockId } from "../primitives/block.ts";
import { nextModelConfig } from "../consensus/growth.ts";
import { REGTEST } from "../consensus/params.ts";
import { defaultParentLoss, testCheckpoint } from "../consensus/testing/block_builder.ts";
import { Chainstate } from "./chainstate.ts";
import { type HeldBlock, pickEviction, sideBranchLimits } from "./side_branch_budget.ts";
import {
  mineBlock,
  type MinedBlock,
  referenceChain,
  referenceSnapshot,
  ScriptedEvaluator,
  TestChain,
  testClock,
  utxoSnapshot,
} from "./_test_util.ts";

const held = (key: string, over: Partial<HeldBlock> = {}): HeldBlock => ({
  key,
  bytes: 10,
  source: "a",
  fork: "f",
  chainWork: 9900n,
  seq: 0,
  leaf: true,
  ...over,
});

Deno.test("sideBranchLimits() scale with maxReorgDepth and the checkpoint size", () => {
  const l = sideBranchLimits(REGTEST, 1000);
  assert.equal(l.branchBytes, 2 * (REGTEST.maxReorgDepth + 1) * 1000);
  assert.equal(l.sourceBytes, 2 * l.branchBytes);
  assert.equal(l.totalBytes, 4 * l.branchBytes);
});

Deno.test("pickEviction() frees the newest block's branch, then its source, then all, worst leaf first", () => {
  const limits = { branchBytes: 20, sourceBytes: 30, totalBytes: 40 };
  // Within every bound: nothing goes.
  const two = [held("x"), held("y", { seq: 1 })];
  assert.equal(pickEviction(two, two[1]!, limits), undefined);
  // Branch over: its highest loss leaf goes; a block with children never does.
  const branch = [
    held("parent", { chainWork: 9500n, leaf: false }),
    held("good", { chainWork: 9910n, seq: 1 }),
    held("bad", { chainWork: 9880n, seq: 2 }),
    held("other", { fork: "g", chainWork: 9001n }),
  ];
  assert.equal(pickEviction(branch, branch[1]!, limits), "bad");
  // Equal losses: the later seen goes.
  const tie = [held("first", { seq: 1 }), held("later", { seq: 5 }), held("mid", { seq: 3 })];
  assert.equal(pickEviction(tie, tie[0]!, limits), "later");
  // Source over (branches within bounds): the source's worst leaf, not another source's.
  const source = [
    held("a1", { fork: "1" }),
    held("a2", { fork: "2", chainWork: 9700n }),
    held("a3", { fork: "3" }),
    held("a4", { fork: "4" }),
    held("b1", { fork: "5", source: "b", chainWork: 9100n }),
  ];
  assert.equal(pickEviction(source, source[0]!, limits), "a2");
  // Total over (each source within bounds): the worst leaf of anyone.
  const total = ["a", "b", "c", "d", "e"].map((s, i) =>
    held(s, { source: s, fork: s, chainWork: 9000n - BigInt(100 + (i === 3 ? 50 : 0)) })
  );
  assert.equal(pickEviction(total, total[0]!, limits), "d");
});

function blockHashOf(b: MinedBlock): Uint8Array {
  return blockId(REGTEST.magic, b.block.header);
}

/** Bytes of the files in the chainstate's checkpoint folder. */
async function checkpointDirBytes(dir: string): Promise<number> {
  let n = 0;
  for await (const e of Deno.readDir(`${dir}/checkpoints`)) {
    if (e.isFile) n += (await Deno.stat(`${dir}/checkpoints/${e.name}`)).size;
  }
  return n;
}

/**
 * A child of `fork`'s tip that is worse than the main chain's tip (its loss improves on its
 * parent by exactly μ): stored as an unevaluated side-branch block.
 */
function sideBlock(fork: TestChain, ev: ScriptedEvaluator, seed: number): MinedBlock {
  const parentLoss = defaultParentLoss(fork.tip);
  const loss = Math.floor(parentLoss * (1e6 - REGTEST.sampleMinImprovementPpm) / 1e6);
  const ck = testCheckpoint(nextModelConfig(REGTEST, fork.tip), seed);
  const block = fork.build({
    sampleLossMicroNats: loss,
    checkpoint: { root: ck.root, size: ck.size },
  });
  ev.register(ck.bytes, loss / 1e6);
  return { block, checkpoint: ck.bytes };
}

Deno.test("a flood of side-branch blocks stays within the per-branch, per-source and total bounds and leaves the active chain intact", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-flood-" });
  const ev = new ScriptedEvaluator();
  const main = new TestChain(REGTEST);
  const base: MinedBlock[] = [];
  for (let i = 0; i < 6; i++) base.push(await mineBlock(main, ev, 10 + i));
  const size = Math.max(...base.map((b) => b.checkpoint.length));
  const limits = { branchBytes: 3 * size, sourceBytes: 5 * size, totalBytes: 8 * size };
  const cs = await Chainstate.open(dir, REGTEST, ev, new Uint8Array(64), testClock, {
    sideBranchLimits: limits,
  });
  try {
    for (const b of base) await cs.acceptBlock(b.block, b.checkpoint);
    const activeBytes = await checkpointDirBytes(dir);
    const tip = cs.tip();
    const forks: TestChain[] = [];
    for (let h = 0; h < 5; h++) forks.push(await referenceChain(REGTEST, base.slice(0, h)));
    let seed = 100;
    const sent: { block: MinedBlock; fork: number; source: string; status: string }[] = [];
    const flood = async (fork: number, source: string, n: number) => {
      for (let i = 0; i < n; i++) {
        const block = sideBlock(forks[fork]!, ev, seed++);
        const { status } = await cs.acceptBlock(block.block, block.checkpoint, { source });
        sent.push({ block, fork, source, status });
        const sideBytes = (await checkpointDirBytes(dir)) - activeBytes;
        assert.ok(sideBytes <= limits.totalBytes, `${sideBytes} side-branch bytes on disk`);
      }
    };
    // One source on one branch: the branch keeps what fits (its checkpoints are one size, the
    // bound is three of the largest), the rest is discarded.
    await flood(0, "peer:1", 6);
    const fits = Math.floor(limits.branchBytes / sent[0]!.block.checkpoint.length);
    assert.ok(fits < 6);
    assert.deepEqual(sent.map((s) => s.status), [
      ...Array(fits).fill("side-branch"),
      ...Array(6 - fits).fill("discarded"),
    ]);
    // More from the same source on more branches, then from other sources.
    await flood(1, "peer:1", 3);
    await flood(2, "peer:1", 3);
    await flood(3, "peer:2", 4);
    await flood(4, "rpc", 4);
    await flood(2, "peer:3", 4);
    const held = sent.filter((s) => cs.getEntry(blockHashOf(s.block)) !== undefined);
    const bytes = (xs: typeof held) => xs.reduce((n, s) => n + s.block.checkpoint.length, 0);
    for (let f = 0; f < 5; f++) {
      assert.ok(bytes(held.filter((s) => s.fork === f)) <= limits.branchBytes, `branch ${f}`);
    }
    for (const src of ["peer:1", "peer:2", "peer:3", "rpc"]) {
      assert.ok(bytes(held.filter((s) => s.source === src)) <= limits.sourceBytes, src);
    }
    assert.ok(bytes(held) <= limits.totalBytes);
    assert.ok(bytes(held) > limits.totalBytes - 2 * size, "the total bound was reached");
    assert.equal((await checkpointDirBytes(dir)) - activeBytes, bytes(held));
    // Every block still held is a stored side branch; every other one is gone from the index.
    for (const s of sent) {
      const known = cs.getEntry(blockHashOf(s.block)) !== undefined;
      assert.equal(known, held.includes(s));
      if (known) assert.ok(await cs.getCheckpoint(blockHashOf(s.block)));
    }
    // The active chain is untouched: same tip, every checkpoint there, same UTXO set.
    assert.deepEqual(cs.tip(), tip);
    for (let h = 0; h <= cs.height(); h++) {
      assert.ok(await cs.getCheckpoint(cs.getEntryByHeight(h)!.hash), `checkpoint at ${h}`);
    }
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(main));
    // The chain still grows.
    const next = await mineBlock(main, ev, 500);
    assert.equal((await cs.acceptBlock(next.block, next.checkpoint)).status, "connected");
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an evicted side branch can be handed in again, and a branch that wins is evaluated and connected", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-flood-" });
  const ev = new ScriptedEvaluator();
  const main = new TestChain(REGTEST);
  const base: MinedBlock[] = [];
  for (let i = 0; i < 3; i++) {
    base.push(await mineBlock(main, ev, 10 + i, { progressPpm: 10_000 }));
  }
  const fork = await referenceChain(REGTEST, base.slice(0, 1));
  // A competing branch off height 1: two blocks that do not beat the tip by the reorg margin
  // (one capped block: 25 002 ≤ 20 002 + 20 001), then one that does (45 003).
  const b2 = await mineBlock(fork, ev, 40, { progressPpm: 10_000 });
  const b3 = await mineBlock(fork, ev, 41, { progressPpm: 15_000 });
  const pair = b2.checkpoint.length + b3.checkpoint.length;
  const limits = { branchBytes: pair, sourceBytes: 2 * pair, totalBytes: 4 * pair };
  const cs = await Chainstate.open(dir, REGTEST, ev, new Uint8Array(64), testClock, {
    sideBranchLimits: limits,
  });
  try {
    for (const b of base) await cs.acceptBlock(b.block, b.checkpoint);
    const b4 = await mineBlock(fork, ev, 42, {
      sampleLossMicroNats: Math.floor(main.tip.header.sampleLossMicroNats * 0.9),
    });
    const extra = sideBlock(await referenceChain(REGTEST, base.slice(0, 1)), ev, 43);
    assert.equal((await cs.acceptBlock(b2.block, b2.checkpoint)).status, "side-branch");
    assert.equal((await cs.acceptBlock(b3.block, b3.checkpoint)).status, "side-branch");
    // A third block off the same fork point is over the branch bound: the worst leaf goes.
    assert.equal((await cs.acceptBlock(extra.block, extra.checkpoint)).status, "discarded");
    assert.equal(cs.getEntry(extra.block.header.prevHash)?.height, 1);
    const result = await cs.acceptBlock(b4.block, b4.checkpoint);
    assert.equal(result.status, "connected");
    assert.equal(toHex(cs.tip().hash), toHex(fork.tip.hash));
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(fork));
    // The branch was evaluated and is active now: the discarded block is taken when sent again.
    assert.equal((await cs.acceptBlock(extra.block, extra.checkpoint)).status, "side-branch");
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
});

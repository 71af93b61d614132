/**
 * The issue-14 experiment under the sampled, paired rule (PROTOCOL §5.9, §6.3), on real
 * checkpoints of `tests/testdata/regtest_chain_30.bin.gz`:
 *
 * - a memoriser takes the height-5 checkpoint and trains it only on the old public 4 KiB
 *   regtest validation set (`STEPS` AdamW steps on the CPU reference);
 * - it reports the memoriser's loss on that set (what the old rule paid for), its loss on
 *   held-out windows of the KJV corpus, and whether its block passes the paired rule on
 *   `SEEDS` sample seeds drawn from the corpus;
 * - the honest chain is fixture blocks 6–25 (20 blocks): each block's paired sample is drawn
 *   from its real header's seed; their verified progress and work are summed;
 * - fork choice: the memoriser's one-block fork against the 20 honest blocks by chain work.
 *
 * The corpus is the 1 MiB KJV set (the regtest 4 KiB set is its first 4 KiB); the evaluator is
 * the rounded CPU stand-in of `gpu/model/window_evaluator.ts`.
 *
 * ```sh
 * deno run --allow-read bench/pot_memorise_bench.ts [STEPS] [SEEDS]
 * ```
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { blockProgressPpm, blockWork, chainWork } from "../core/consensus/chain_work.ts";
import { evalSampleSeed, sampleWindowStarts } from "../core/consensus/eval_sample.ts";
import { pairedSums } from "../core/consensus/paired_improvement.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { keccak256 } from "../core/crypto/keccak.ts";
import { decodeBlock } from "../core/primitives/block.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { CpuWindowEvaluator, windowLossesNatsCpu } from "../gpu/model/window_evaluator.ts";
import { createAdamState, trainStepCpu } from "../gpu/ref/model.ts";
import { readChainFixture } from "../tests/chain_fixture.ts";

const STEPS = Number(Deno.args[0] ?? 300);
const SEEDS = Number(Deno.args[1] ?? 10);
const W = REGTEST.validationWindowBytes, K = REGTEST.evalSampleWindows;
const mu = REGTEST.sampleMinImprovementPpm;

const corpus = await loadValidationSet("mainnet");
const publicSet = corpus.subarray(0, 4096);
const fixture = await readChainFixture();
const blocks = fixture.map((b) => decodeBlock(b.block, REGTEST));
const checkpoint = (i: number): Checkpoint => {
  const h = blocks[i]!.header;
  return decodeCheckpoint(fixture[i]!.checkpoint, { dModel: h.dModel, nLayers: h.nLayers });
};
const evaluator = new CpuWindowEvaluator();

/** Mean loss per predicted byte over windows at `starts`. */
function meanLoss(c: Checkpoint, starts: number[]): number {
  const l = windowLossesNatsCpu(c, corpus, starts, W);
  return l.reduce((a, b) => a + b, 0) / starts.length / (W - 1);
}
const publicStarts = Array.from({ length: 4096 / W }, (_, i) => i * W);
// Held out: 256 windows spread over the corpus after the public 4 KiB.
const heldOut = Array.from(
  { length: 256 },
  (_, i) => 4096 + i * Math.floor((corpus.length - 4096) / 256),
);

// Paired verdict of child vs parent on the sample of `seed`.
async function paired(parent: Checkpoint, child: Checkpoint, seed: Uint8Array) {
  const starts = sampleWindowStarts(seed, corpus.length, W, K);
  const sums = pairedSums(
    await evaluator.evaluateWindows(parent, corpus, starts, W),
    await evaluator.evaluateWindows(child, corpus, starts, W),
  );
  const passes = sums.childSum * 1_000_000n <= sums.parentSum * BigInt(1_000_000 - mu) &&
    sums.childSum < sums.parentSum;
  return { sums, passes, progress: blockProgressPpm(sums) };
}

// --- memoriser ---
const parent = checkpoint(4); // height 5
const memo = checkpoint(4);
const state = createAdamState(memo);
const t0 = performance.now();
const perStep = 16;
for (let s = 0; s < STEPS; s++) {
  const first = (s * perStep) % (publicStarts.length);
  const tokens = Uint32Array.from(publicSet.subarray(first * W, (first + perStep) * W));
  trainStepCpu(memo, state, tokens, perStep, W, {
    lr: 1e-2,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: 0,
    maxGradNorm: 1,
  });
}
const trainSecs = (performance.now() - t0) / 1000;
console.log(`memoriser: ${STEPS} steps on the public 4 KiB set in ${trainSecs.toFixed(0)} s`);
console.log(
  `  public 4 KiB set loss: parent ${meanLoss(parent, publicStarts).toFixed(4)} → memoriser ${
    meanLoss(memo, publicStarts).toFixed(4)
  } nats/byte (old rule: a block)`,
);
console.log(
  `  held-out corpus loss:  parent ${meanLoss(parent, heldOut).toFixed(4)} → memoriser ${
    meanLoss(memo, heldOut).toFixed(4)
  } nats/byte`,
);
let memoPasses = 0, memoBestWork = 0n;
for (let i = 0; i < SEEDS; i++) {
  const r = await paired(parent, memo, keccak256(new Uint8Array([i, 0xee])));
  if (r.passes) memoPasses++;
  const w = blockWork(REGTEST, r.sums);
  if (w > memoBestWork) memoBestWork = w;
  console.log(
    `  seed ${i}: sample ${r.sums.parentSum} → ${r.sums.childSum} progress ${r.progress} ppm ${
      r.passes ? "PASSES" : "rejected"
    }`,
  );
}
console.log(`  paired rule (μ = ${mu} ppm, K = ${K}): passes ${memoPasses}/${SEEDS} seeds`);

// --- honest chain: fixture blocks 6..25 on their own headers' seeds ---
let honestWork = 0n, honestPasses = 0;
const t1 = performance.now();
for (let i = 5; i < 25; i++) {
  const seed = evalSampleSeed(REGTEST.magic, blocks[i]!.header);
  const r = await paired(checkpoint(i - 1), checkpoint(i), seed);
  honestWork = chainWork(honestWork, blockWork(REGTEST, r.sums));
  if (r.passes) honestPasses++;
  console.log(
    `honest block ${i + 1}: progress ${r.progress} ppm ${r.passes ? "passes" : "fails μ"}`,
  );
}
const verifySecs = (performance.now() - t1) / 1000 / 20;
console.log(
  `honest 20 blocks: work ${honestWork}, ${honestPasses}/20 pass μ (fixture mined under the old rule); ` +
    `verify ${verifySecs.toFixed(2)} s per block (2 × ${K} windows)`,
);
console.log(
  `fork choice: memoriser's best one-block fork work ${memoBestWork} vs honest ${honestWork}: ${
    memoBestWork > honestWork ? "FORK WINS (bad)" : "honest chain stays"
  }`,
);

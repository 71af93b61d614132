import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { assertReject } from "../core/consensus/_assert_reject.ts";
import { genesisBlock } from "../core/consensus/genesis.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { checkSampledProofOfTraining } from "../core/consensus/sampled_proof_of_training.ts";
import { decodeBlock } from "../core/primitives/block.ts";
import { readChainFixture } from "./chain_fixture.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { CpuWindowEvaluator } from "../gpu/model/window_evaluator.ts";
import { evalSampleSeed, sampleWindowStarts } from "../core/consensus/eval_sample.ts";
import {
  checkPairedImprovement,
  pairedSums,
  requiredImprovementPpm,
} from "../core/consensus/paired_improvement.ts";

// Real checkpoints: fixture blocks 1 and 2 on genesis. The 1 MiB KJV set (held out of the
// fixture's training) stands in for the corpus to keep the test fast; the evaluator is the
// rounded CPU stand-in.
const corpus = await loadValidationSet("mainnet");
const ctx = { params: REGTEST, evaluator: new CpuWindowEvaluator(), corpus };
const fixture = await readChainFixture();
const genesis = genesisCheckpoint(
  { dModel: REGTEST.genesisDModel, nLayers: REGTEST.genesisLayers },
  REGTEST.genesisModelSeed,
);
const block1 = decodeBlock(fixture[0]!.block, REGTEST).header;
const block2 = decodeBlock(fixture[1]!.block, REGTEST).header;

Deno.test("checkSampledProofOfTraining() verifies a real trained block and returns its work", async () => {
  const r = await checkSampledProofOfTraining(
    block1,
    fixture[0]!.checkpoint,
    genesisBlock(REGTEST).header,
    genesis,
    ctx,
  );
  // The fixture was mined months after regtest's genesis timestamp: μ has decayed to 0.
  assert.equal(r.requiredPpm, 0);
  assert.ok(r.progressPpm > 300_000, `${r.progressPpm}`); // block 1 learns 37 % on held-out text
  assert.equal(r.work, 1n + BigInt(REGTEST.blockWorkCapPpm));
  // One second after its parent the full μ applies (and the new time draws another sample).
  const prompt = { ...block1, timestampSecs: REGTEST.genesisTimestampSecs + 1 };
  const full = await checkSampledProofOfTraining(
    prompt,
    fixture[0]!.checkpoint,
    genesisBlock(REGTEST).header,
    genesis,
    ctx,
  );
  assert.equal(full.requiredPpm, REGTEST.sampleMinImprovementPpm);
  assert.notEqual(full.childSum, r.childSum);
});

Deno.test("checkSampledProofOfTraining() rejects a checkpoint put on the wrong parent and a bad commitment", async () => {
  // Block 2's own checkpoint judged against block 2's checkpoint as parent: no improvement.
  const parent2 = decodeCheckpoint(fixture[1]!.checkpoint, {
    dModel: block2.dModel,
    nLayers: block2.nLayers,
  });
  await assertReject(
    () => checkSampledProofOfTraining(block2, fixture[1]!.checkpoint, block1, parent2, ctx),
    "insufficient-sample-improvement",
  );
  const tampered = fixture[1]!.checkpoint.slice();
  tampered[tampered.length - 1]! ^= 1;
  await assertReject(
    () => checkSampledProofOfTraining(block2, tampered, block1, parent2, ctx),
    "bad-checkpoint-root",
  );
});

Deno.test("a real trained block passes the paired rule on its own sample; its parent's copy does not", async () => {
  const corpus = await loadValidationSet("mainnet"); // stand-in corpus: KJV, held out of training
  const first = fixture[0];
  const { header } = decodeBlock(first!.block, REGTEST);
  const child = decodeCheckpoint(first!.checkpoint, {
    dModel: header.dModel,
    nLayers: header.nLayers,
  });
  const W = REGTEST.validationWindowBytes;
  const starts = sampleWindowStarts(
    evalSampleSeed(REGTEST.magic, header),
    corpus.length,
    W,
    REGTEST.evalSampleWindows,
  );
  const evaluator = new CpuWindowEvaluator();
  const parentLosses = await evaluator.evaluateWindows(genesis, corpus, starts, W);
  const mu = requiredImprovementPpm(REGTEST, REGTEST.genesisTimestampSecs, header.timestampSecs);
  checkPairedImprovement(
    pairedSums(parentLosses, await evaluator.evaluateWindows(child, corpus, starts, W)),
    mu,
  );
  await assertReject(
    () => checkPairedImprovement(pairedSums(parentLosses, parentLosses), 0),
    "insufficient-sample-improvement",
  );
});

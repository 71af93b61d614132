import assert from "node:assert/strict";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { assertReject } from "../../core/consensus/_assert_reject.ts";
import { evalSampleSeed, sampleWindowStarts } from "../../core/consensus/eval_sample.ts";
import {
  checkPairedImprovement,
  pairedSums,
  requiredImprovementPpm,
} from "../../core/consensus/paired_improvement.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { decodeBlock } from "../../core/primitives/block.ts";
import { readChainFixture } from "../../tests/chain_fixture.ts";
import { evaluateLossCpu } from "../ref/model.ts";
import { loadValidationSet } from "./datasets.ts";
import { CpuWindowEvaluator, windowLossesNatsCpu } from "./window_evaluator.ts";

const genesis = genesisCheckpoint(
  { dModel: REGTEST.genesisDModel, nLayers: REGTEST.genesisLayers },
  REGTEST.genesisModelSeed,
);

Deno.test("per-window losses add up to the consensus loss of the same windows", async () => {
  const set = await loadValidationSet("regtest");
  const W = REGTEST.validationWindowBytes;
  const starts = Array.from({ length: set.length / W }, (_, i) => i * W);
  const perWindow = windowLossesNatsCpu(genesis, set, starts, W);
  const mean = perWindow.reduce((a, b) => a + b, 0) / (starts.length * (W - 1));
  assert.ok(Math.abs(mean - evaluateLossCpu(genesis, set, W)) < 1e-9);
  const units = await new CpuWindowEvaluator().evaluateWindows(genesis, set, starts, W);
  assert.deepEqual(await new CpuWindowEvaluator().evaluateWindows(genesis, set, starts, W), units);
  assert.throws(() => windowLossesNatsCpu(genesis, set, [set.length - W + 1], W), RangeError);
});

Deno.test("a real trained block passes the paired rule on its own sample; its parent's copy does not", async () => {
  const corpus = await loadValidationSet("mainnet"); // stand-in corpus: KJV, held out of training
  const [first] = await readChainFixture();
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

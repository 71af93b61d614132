import assert from "node:assert/strict";
import { genesisCheckpointBytes, genesisEntry } from "../../core/consensus/genesis.ts";
import { checkProofOfTraining } from "../../core/consensus/proof_of_training.ts";
import { VerifiedCheckpoint } from "../../core/consensus/verified_checkpoint.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, TEST_MINER_SEED } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { type Block, verifyHeaderSignature } from "../../core/primitives/block.ts";
import {
  consensusEvaluator,
  cpuExactEvaluator,
  selectExactEvaluator,
} from "../../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../../gpu/model/eval_corpus.ts";
import { gpuTest } from "../../gpu/testing.ts";
import { BlockMiner } from "./block_miner.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "./mining_source.ts";

const params = REGTEST;
const parent = genesisEntry(params);
const to = heartbeatWallet(params, 2).address;

/** A scripted source on the regtest genesis; `tip` may be changed by the test. */
class FakeSource implements MiningSource {
  readonly params = params;
  readonly corpus: Uint8Array;
  readonly evaluator = consensusEvaluator(selectExactEvaluator("auto", null));
  readonly submitted: { block: Block; bytes: Uint8Array }[] = [];
  tip = toHex(parent.hash);
  jobs = 0;
  stop = false;

  constructor(corpus: Uint8Array) {
    this.corpus = corpus;
  }
  job(): Promise<MiningJob> {
    this.jobs++;
    return Promise.resolve({
      parent,
      parentCheckpoint: genesisCheckpointBytes(params),
      txs: [],
      feesResonances: 0n,
    });
  }
  tipHash(): string {
    return this.tip;
  }
  refreshTip(): Promise<void> {
    return Promise.resolve();
  }
  nowSecs(): number {
    return 1_800_000_000;
  }
  submit(block: Block, bytes: Uint8Array): Promise<SubmitOutcome> {
    this.submitted.push({ block, bytes });
    this.stop = true;
    return Promise.resolve({ status: "connected" });
  }
  stopRequested(): boolean {
    return this.stop;
  }
}

gpuTest(
  "BlockMiner.mineOnTip() trains until its sample beats the parent by μ_t and submits a block every node verifies",
  async (gpu) => {
    const source = new FakeSource(await loadEvalCorpus());
    const miner = new BlockMiner(gpu, TEST_MINER_SEED, { stepsPerRound: 10, maxRounds: 20 });
    try {
      const steps: number[] = [];
      const found = await miner.mineOnTip(source, to, { onProgress: (p) => steps.push(p.step) });
      assert.ok(found);
      assert.equal(found.outcome.status, "connected");
      const { block, bytes } = source.submitted[0]!;
      const next = nextModelConfig(params, parent);
      assert.equal(block.header.dModel, next.dModel);
      assert.ok(verifyHeaderSignature(params.magic, block.header));
      assert.equal(block.header.sampleLossMicroNats, found.sampleLossMicroNats);
      assert.equal(block.header.parentSampleLossMicroNats, found.parentSampleLossMicroNats);
      assert.ok(found.improvementPpm >= found.requiredPpm);
      // The verifier's view, with another exact path (the TypeScript reference): the full
      // Proof-of-Training check of the submitted bytes against genesis holds.
      const verified = await checkProofOfTraining(block.header, bytes, {
        header: parent.header,
        checkpoint: VerifiedCheckpoint.verify(parent.header, genesisCheckpointBytes(params)),
      }, {
        params,
        evaluator: consensusEvaluator(cpuExactEvaluator()),
        corpus: source.corpus,
      });
      assert.equal(verified.progressPpm, found.improvementPpm);
      assert.equal(verified.requiredPpm, found.requiredPpm);
      assert.equal(found.steps, found.rounds * 10);
      assert.equal(found.tokens, found.steps * 8 * params.validationWindowBytes);
      assert.deepEqual(steps, Array.from({ length: found.steps }, (_, i) => i + 1));
    } finally {
      miner.close();
    }
  },
);

gpuTest(
  "BlockMiner.run() stops within a step when the tip moves and starts over on the new tip",
  async (gpu) => {
    const source = new FakeSource(await loadEvalCorpus());
    const miner = new BlockMiner(gpu, TEST_MINER_SEED, { stepsPerRound: 10, maxRounds: 20 });
    const firstJobSteps: number[] = [];
    const newTips: string[] = [];
    try {
      await miner.run(source, to, {
        onProgress: (p) => {
          if (source.jobs === 1) {
            firstJobSteps.push(p.step);
            if (p.step === 3) source.tip = "ab".repeat(32);
          }
        },
        onNewTip: (hash) => {
          newTips.push(hash);
          source.tip = toHex(parent.hash); // the next job's parent is the tip again
        },
      }, 10);
      assert.deepEqual(firstJobSteps, [1, 2, 3], "stopped right after the step that saw it");
      assert.deepEqual(newTips, ["ab".repeat(32)]);
      assert.equal(source.jobs, 2);
      assert.equal(source.submitted.length, 1);
    } finally {
      miner.close();
    }
  },
);

import assert from "node:assert/strict";
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { lossToMicroNats } from "../../core/consensus/evaluator.ts";
import { genesisCheckpointBytes, genesisEntry } from "../../core/consensus/genesis.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, TEST_MINER_SEED } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { type Block, verifyHeaderSignature } from "../../core/primitives/block.ts";
import type { GpuContext } from "../../gpu/device.ts";
import { loadValidationSet } from "../../gpu/model/datasets.ts";
import { GpuEvaluator } from "../../gpu/model/evaluate.ts";
import { gpuTest } from "../../gpu/testing.ts";
import { minerTargetMicroNats } from "./block_assembly.ts";
import { BlockMiner } from "./block_miner.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "./mining_source.ts";

const params = REGTEST;
const parent = genesisEntry(params);
const to = heartbeatWallet(params, 2).address;

/** A scripted source on the regtest genesis; `tip` may be changed by the test. */
class FakeSource implements MiningSource {
  readonly params = params;
  readonly validation: Uint8Array;
  readonly submitted: { block: Block; bytes: Uint8Array }[] = [];
  readonly #evaluator: GpuEvaluator;
  tip = toHex(parent.hash);
  jobs = 0;
  stop = false;

  constructor(gpu: GpuContext, validation: Uint8Array) {
    this.validation = validation;
    this.#evaluator = new GpuEvaluator(gpu);
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
  evaluate(checkpoint: Checkpoint): Promise<number> {
    return this.#evaluator.evaluate(checkpoint, this.validation, params.validationWindowBytes);
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
  "BlockMiner.mineOnTip() trains the grown model past the target and submits a block whose claim re-evaluates the same",
  async (gpu) => {
    const source = new FakeSource(gpu, await loadValidationSet("regtest"));
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
      assert.ok(found.valLossMicroNats <= minerTargetMicroNats(params, parent));
      assert.equal(block.header.valLossMicroNats, found.valLossMicroNats);
      // The verifier's view: decode the submitted bytes with the header's config and evaluate.
      const again = await source.evaluate(decodeCheckpoint(bytes, next));
      assert.equal(lossToMicroNats(again), found.valLossMicroNats);
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
    const source = new FakeSource(gpu, await loadValidationSet("regtest"));
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

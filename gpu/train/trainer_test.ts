import assert from "node:assert/strict";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { gpuTest } from "../testing.ts";
import { loadSampleTrain, loadValidationSet, unigramEntropyNats } from "../model/datasets.ts";
import { evaluateLossGpu } from "../model/evaluate.ts";
import { decodeOptimizerState, encodeOptimizerState } from "./optimizer_state.ts";
import { train } from "./trainer.ts";
import { WindowSampler } from "./window_sampler.ts";

const constantLr = (lr: number, steps: number) => ({
  maxLr: lr,
  minLr: lr,
  warmupSteps: 0,
  totalSteps: steps,
});

gpuTest(
  "training on the sample text brings regtest held-out loss below the unigram entropy",
  async (gpu) => {
    const validation = await loadValidationSet("regtest");
    const entropy = unigramEntropyNats(validation);
    const genesis = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
    const before = await evaluateLossGpu(gpu, genesis, validation, 64);
    const sampler = WindowSampler.fromBytes(await loadSampleTrain(), 64, 1);
    const result = await train(gpu, genesis, sampler, {
      steps: 150,
      batch: 16,
      schedule: { maxLr: 1e-2, minLr: 1e-3, warmupSteps: 10, totalSteps: 150 },
      lossEvery: 50,
    });
    const after = await evaluateLossGpu(gpu, result.checkpoint, validation, 64);
    console.log(
      `regtest: held-out ${before.toFixed(4)} → ${after.toFixed(4)} nats; unigram entropy ${
        entropy.toFixed(4)
      }; ${Math.round(result.tokensPerSec)} tok/s`,
    );
    assert.ok(after < entropy, `held-out loss ${after} not below unigram entropy ${entropy}`);
  },
);

gpuTest(
  "training on the sample text brings testnet held-out loss below the unigram entropy",
  async (gpu) => {
    const validation = await loadValidationSet("testnet");
    const entropy = unigramEntropyNats(validation);
    const heldOut = validation.subarray(0, 16 << 10);
    const genesis = genesisCheckpoint({ dModel: 128, nLayers: 2 }, 1);
    const sampler = WindowSampler.fromBytes(await loadSampleTrain(), 128, 2);
    const result = await train(gpu, genesis, sampler, {
      steps: 50,
      batch: 4,
      schedule: { maxLr: 5e-3, minLr: 5e-4, warmupSteps: 5, totalSteps: 50 },
      lossEvery: 25,
    });
    const after = await evaluateLossGpu(gpu, result.checkpoint, heldOut, 256);
    console.log(
      `testnet: held-out ${after.toFixed(4)} nats; unigram entropy ${entropy.toFixed(4)}; ${
        Math.round(result.tokensPerSec)
      } tok/s`,
    );
    assert.ok(after < entropy, `held-out loss ${after} not below unigram entropy ${entropy}`);
  },
);

gpuTest("training resumed from saved optimizer state equals one uninterrupted run", async (gpu) => {
  const data = (await loadSampleTrain()).subarray(0, 200_000);
  const genesis = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const opts = { steps: 6, batch: 4, schedule: constantLr(3e-3, 12), lossEvery: 6 };
  const whole = await train(gpu, genesis, WindowSampler.fromBytes(data, 32, 9), {
    ...opts,
    steps: 12,
  });
  const first = await train(gpu, genesis, WindowSampler.fromBytes(data, 32, 9), opts);
  const saved = decodeOptimizerState(encodeOptimizerState(first.state), genesis.config);
  const second = await train(
    gpu,
    first.checkpoint,
    WindowSampler.fromBytes(data, 32, 12345), // the saved RNG state replaces this seed
    opts,
    saved,
  );
  assert.equal(second.state.step, 12);
  for (const [name, t] of whole.checkpoint.tensors) {
    assert.deepEqual(second.checkpoint.tensors.get(name), t, name);
  }
});

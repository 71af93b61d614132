/**
 * The WebGPU model against the CPU reference model: loss, every gradient, an AdamW step, and the
 * consensus evaluation (bit-identical repeats; CPU vs GPU relative difference ≤ 1e-5).
 */
import assert from "node:assert/strict";
import { cloneCheckpoint } from "../../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { CommandBatch } from "../device.ts";
import { assertClose, gpuTest, seededRandom } from "../testing.ts";
import { createAdamState, evaluateLossCpu, lossAndGradients, trainStepCpu } from "../ref/model.ts";
import { train } from "../train/trainer.ts";
import { WindowSampler } from "../train/window_sampler.ts";
import { loadSampleTrain, loadValidationSet } from "./datasets.ts";
import { evaluateLossGpu } from "./evaluate.ts";
import { GpuModel } from "./gpu_model.ts";
import { growCheckpoint } from "./grow.ts";

function randomTokens(n: number, seed: number): Uint32Array {
  const rand = seededRandom(seed);
  // English-ish bytes so the loss is in a realistic range.
  return Uint32Array.from({ length: n }, () => 97 + Math.floor(rand() * 26));
}

gpuTest("GpuModel loss and every gradient match the CPU reference model", async (gpu) => {
  // d=18 exercises matmul edges (not a multiple of the tiles); T=70 covers all 63 conv lags.
  const base = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 3);
  const checkpoint = growCheckpoint(base, { dModel: 18, nLayers: 2 }, 5);
  // Give the zero-initialised writers of the new layer some weight so their grads flow.
  for (const [name, t] of checkpoint.tensors) {
    if (name.startsWith("layers.1.") && t.every((x) => x === 0)) {
      const rand = seededRandom(name.length);
      for (let i = 0; i < t.length; i++) t[i] = (rand() - 0.5) * 0.1;
    }
  }
  const B = 2, T = 70;
  const tokens = randomTokens(B * T, 11);
  const ref = lossAndGradients(checkpoint, tokens, B, T);
  const model = GpuModel.create(gpu, checkpoint, B, T);
  try {
    model.setBatch(tokens);
    const b = new CommandBatch(gpu);
    model.recordForward(b);
    model.recordBackward(b);
    b.submit();
    const loss = await model.readMeanLoss();
    assert.ok(Math.abs(loss - ref.loss) <= 1e-5 * ref.loss, `loss ${loss} vs ${ref.loss}`);
    const grads = await model.readGradients();
    for (const [name, g] of ref.grads) {
      let scale = 0;
      for (const x of g) scale = Math.max(scale, Math.abs(x));
      assertClose(grads.get(name)!, g, 1e-4 * scale + 1e-7, 2e-3, name);
    }
  } finally {
    model.destroy();
  }
});

gpuTest("GpuModel training step equals the CPU reference AdamW step", async (gpu) => {
  const checkpoint = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 7);
  const B = 2, T = 33;
  const tokens = randomTokens(B * T, 5);
  const opts = {
    lr: 1e-3,
    beta1: 0.9,
    beta2: 0.95,
    eps: 1e-8,
    weightDecay: 0.01,
    maxGradNorm: 0.5,
  };
  const cpu = cloneCheckpoint(checkpoint);
  const state = createAdamState(cpu);
  for (let s = 0; s < 3; s++) trainStepCpu(cpu, state, tokens, B, T, opts);
  const model = GpuModel.create(gpu, checkpoint, B, T);
  try {
    model.setBatch(tokens);
    for (let s = 1; s <= 3; s++) model.trainStep(s, opts.lr, opts);
    const trained = await model.toCheckpoint();
    for (const [name, t] of cpu.tensors) {
      assertClose(trained.tensors.get(name)!, t, 2e-5, 1e-3, name);
    }
  } finally {
    model.destroy();
  }
});

gpuTest(
  "GPU evaluation is bit-identical run to run and within 1e-5 of the CPU (regtest)",
  async (gpu) => {
    const validation = await loadValidationSet("regtest");
    const checkpoint = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
    const a = await evaluateLossGpu(gpu, checkpoint, validation, 64);
    const b = await evaluateLossGpu(gpu, checkpoint, validation, 64);
    assert.equal(a, b);
    const cpu = evaluateLossCpu(checkpoint, validation, 64);
    const rel = Math.abs(a - cpu) / cpu;
    console.log(`regtest genesis: gpu ${a} cpu ${cpu} relative difference ${rel.toExponential(2)}`);
    assert.ok(rel <= 1e-5, `relative difference ${rel}`);
  },
);

gpuTest("GPU evaluation is within 1e-5 of the CPU on the testnet config", async (gpu) => {
  // The first 8 KiB of the testnet set keeps the CPU reference's share of the test short.
  const validation = (await loadValidationSet("testnet")).subarray(0, 8 << 10);
  const checkpoint = genesisCheckpoint({ dModel: 128, nLayers: 2 }, 1);
  const gpuLoss = await evaluateLossGpu(gpu, checkpoint, validation, 256);
  const cpu = evaluateLossCpu(checkpoint, validation, 256);
  const rel = Math.abs(gpuLoss - cpu) / cpu;
  console.log(
    `testnet genesis: gpu ${gpuLoss} cpu ${cpu} relative difference ${rel.toExponential(2)}`,
  );
  assert.ok(rel <= 1e-5, `relative difference ${rel}`);
});

gpuTest("GPU evaluation of a trained regtest model is within 1e-5 of the CPU", async (gpu) => {
  const validation = await loadValidationSet("regtest");
  const genesis = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const { checkpoint } = await train(
    gpu,
    genesis,
    WindowSampler.fromBytes(await loadSampleTrain(), 64, 3),
    {
      steps: 60,
      batch: 8,
      schedule: { maxLr: 1e-2, minLr: 1e-3, warmupSteps: 5, totalSteps: 60 },
      lossEvery: 60,
    },
  );
  const gpuLoss = await evaluateLossGpu(gpu, checkpoint, validation, 64);
  const cpu = evaluateLossCpu(checkpoint, validation, 64);
  const rel = Math.abs(gpuLoss - cpu) / cpu;
  console.log(
    `regtest trained: gpu ${gpuLoss} cpu ${cpu} relative difference ${rel.toExponential(2)}`,
  );
  assert.ok(rel <= 1e-5, `relative difference ${rel}`);
});

/**
 * The training loop shared by `rnt model train` and the miner: windows from a sampler, one GPU
 * submit per step, the loss read back only every few steps (each read-back waits ~11 ms for the
 * queue in Deno), progress through a callback, and resumable optimizer state.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import type { GpuContext } from "../device.ts";
import { DEFAULT_OPTIMIZER, GpuModel, type OptimizerOptions } from "../model/gpu_model.ts";
import type { OptimizerState } from "./optimizer_state.ts";
import { learningRate, type LrSchedule } from "./schedule.ts";
import type { WindowSampler } from "./window_sampler.ts";

/** Options of one training run. */
export interface TrainOptions {
  /** Steps to take in this run (on top of any resumed ones). */
  steps: number;
  /** Windows per step. */
  batch: number;
  /** Learning-rate schedule over the run (step numbers are relative to this run). */
  schedule: LrSchedule;
  /** AdamW and clipping settings. */
  optimizer?: OptimizerOptions;
  /** Read the loss back every this many steps (and at the last step). */
  lossEvery?: number;
  /** Called after each step; `loss` is set on steps where it was read back. */
  onStep?: (progress: TrainProgress) => void;
  /** Checked before each step; returning true stops the run early (e.g. a new tip arrived). */
  shouldStop?: () => boolean;
  /**
   * Checked before each step and before reading the result back: once aborted the run throws
   * `signal.reason` (no checkpoint read-back; e.g. the node is shutting down).
   */
  signal?: AbortSignal;
}

/** One progress report. */
export interface TrainProgress {
  /** Steps done in this run. */
  step: number;
  /** Steps planned in this run. */
  totalSteps: number;
  /** Mean training loss of this step's batch (nats), when read back. */
  loss?: number;
  /** Tokens trained per second so far in this run. */
  tokensPerSec: number;
  /** Seconds since the run began. */
  elapsedSecs: number;
}

/** Outcome of a run. */
export interface TrainResult {
  checkpoint: Checkpoint;
  state: OptimizerState;
  /** Last loss read back (NaN if none). */
  lastLoss: number;
  /** Steps actually taken (fewer than asked when stopped early). */
  steps: number;
  tokensPerSec: number;
}

/**
 * Trains `checkpoint` on windows from `sampler`. With `resume`, the AdamW moments, step count
 * and sampler position continue from a previous run of the same model. Throws
 * `options.signal.reason` once the signal aborts (checked at every step boundary).
 */
export async function train(
  gpu: GpuContext,
  checkpoint: Checkpoint,
  sampler: WindowSampler,
  options: TrainOptions,
  resume?: OptimizerState,
): Promise<TrainResult> {
  const model = GpuModel.create(gpu, checkpoint, options.batch, sampler.windowLen);
  const optimizer = options.optimizer ?? DEFAULT_OPTIMIZER;
  const lossEvery = Math.max(1, options.lossEvery ?? 10);
  let baseStep = 0;
  if (resume) {
    model.writeMoments(resume.m, resume.v);
    baseStep = resume.step;
    sampler.rng.state = resume.rngState;
  }
  const started = performance.now();
  let lastLoss = NaN;
  let done = 0;
  try {
    for (let i = 1; i <= options.steps; i++) {
      options.signal?.throwIfAborted();
      if (options.shouldStop?.()) break;
      model.setBatch(await sampler.nextBatch(options.batch));
      model.trainStep(baseStep + i, learningRate(options.schedule, i), optimizer);
      done = i;
      let loss: number | undefined;
      if (i % lossEvery === 0 || i === options.steps) {
        loss = await model.readMeanLoss();
        lastLoss = loss;
        if (!Number.isFinite(loss)) throw new Error(`training diverged at step ${i}: loss ${loss}`);
      }
      const elapsedSecs = (performance.now() - started) / 1000;
      options.onStep?.({
        step: i,
        totalSteps: options.steps,
        ...(loss === undefined ? {} : { loss }),
        tokensPerSec: (i * model.rows) / Math.max(elapsedSecs, 1e-9),
        elapsedSecs,
      });
    }
    options.signal?.throwIfAborted();
    const trained = await model.toCheckpoint();
    const { m, v } = await model.readMoments();
    const elapsedSecs = (performance.now() - started) / 1000;
    return {
      checkpoint: trained,
      state: {
        config: { ...checkpoint.config },
        step: baseStep + done,
        rngState: sampler.rng.state,
        m,
        v,
      },
      lastLoss,
      steps: done,
      tokensPerSec: (done * model.rows) / Math.max(elapsedSecs, 1e-9),
    };
  } finally {
    model.destroy();
  }
}

/**
 * The training loop every miner shares (DESIGN §9): take the tip checkpoint, grow it to
 * `nextModelConfig(params, tip)` (seed = height), train it on the miner's own bytes in rounds of
 * AdamW steps (moments carried across rounds), and after each round draw the block's sample from
 * the header it would publish (PROTOCOL §5.9), evaluate the parent's and the trained checkpoint
 * on it with the exact evaluator — the same integers every node will compute — and once the
 * trained one beats the parent by μ_t, assemble, sign and submit the block with both losses.
 * When the tip moves (a block from elsewhere) training stops within a step and starts over on
 * the new tip. Talks to the node only through a {@linkcode MiningSource}. With an `AbortSignal`
 * (the node's shutdown) training stops at the next step boundary by throwing, and `run` ends.
 *
 * @module
 */
import { decodeCheckpoint, encodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { improvementPpm, nextModelConfig } from "../../core/consensus/growth.ts";
import {
  headerSums,
  meetsPairedImprovement,
  requiredImprovementPpm,
} from "../../core/consensus/paired_improvement.ts";
import { evaluateSample, type SampleEvaluation } from "../../core/consensus/proof_of_training.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import { blockId } from "../../core/primitives/block.ts";
import type { GpuContext } from "../../gpu/device.ts";
import { sampleTrainPath } from "../../gpu/model/datasets.ts";
import { growCheckpoint } from "../../gpu/model/grow.ts";
import type { OptimizerState } from "../../gpu/train/optimizer_state.ts";
import { train } from "../../gpu/train/trainer.ts";
import { WindowSampler } from "../../gpu/train/window_sampler.ts";
import { assembleBlock, headerDraft } from "./block_assembly.ts";
import type { MiningSource, SubmitOutcome } from "./mining_source.ts";

/** Training settings of a miner. */
export interface BlockMinerOptions {
  /** Training steps between evaluations (default 10). */
  stepsPerRound?: number;
  /** Windows per step (default 8). */
  batch?: number;
  /** Peak learning rate (default 1e-2). */
  lr?: number;
  /** Warm-up steps at the start of each round (default 2). */
  warmupSteps?: number;
  /** Give up on a block after this many rounds (default: never). */
  maxRounds?: number;
  /**
   * Rounds over which the best claim must close at least a tenth of the gap to the target; a
   * block that does not is reported once through `onStall` (default 20).
   */
  stallRounds?: number;
  /** Training data (default the bundled sample text). */
  dataPath?: string;
  /** Data-order seed (default 1). */
  seed?: number;
  /** Aborts training at the next step and ends {@linkcode BlockMiner.run} (node shutdown). */
  signal?: AbortSignal;
}

/** One progress report while training a block. */
export interface MiningProgress {
  /** Height being mined. */
  height: number;
  /** Training steps taken on this block. */
  step: number;
  /** Latest training-batch loss (nats), when read back. */
  loss: number | undefined;
  /** Training throughput of the current round (tokens/s). */
  tokensPerSec: number;
  /**
   * The trained checkpoint's exact loss on the sample of its best round so far (micro-nats;
   * Infinity before the first evaluation). Each round draws a new sample.
   */
  bestMicroNats: number;
  /** The loss needed on that sample: ⌊parent × (1 − μ_t)⌋ (micro-nats). */
  targetMicroNats: number;
  /** The parent checkpoint's loss on that sample (micro-nats; 0 before the first). */
  parentMicroNats: number;
  /** Estimated seconds to the target from the last two evaluations; undefined if unknown. */
  etaSecs: number | undefined;
  /** Seconds spent on this block. */
  elapsedSecs: number;
}

/** A block this miner trained and submitted. */
export interface FoundBlock {
  /** Block id. */
  hash: Uint8Array;
  height: number;
  /** The trained checkpoint's exact loss on the block's sample (micro-nats), as claimed. */
  sampleLossMicroNats: number;
  /** The parent checkpoint's exact loss on the same sample (micro-nats), as claimed. */
  parentSampleLossMicroNats: number;
  /** Relative improvement over the parent on the sample, ppm. */
  improvementPpm: number;
  /** μ_t the block had to meet, ppm. */
  requiredPpm: number;
  /** Block reward (without fees), resonances. */
  rewardResonances: bigint;
  /** Fees collected, resonances. */
  feesResonances: bigint;
  dModel: number;
  nLayers: number;
  /** Evaluation rounds and training steps spent. */
  rounds: number;
  steps: number;
  /** Training tokens spent (steps × batch × window). */
  tokens: number;
  /** Seconds from starting on the tip to submitting. */
  secs: number;
  /** Seconds of those spent evaluating samples (what every node spends to verify it). */
  evalSecs: number;
  /** Seconds of the last sample's evaluation: the block's own verification cost. */
  verifySecs: number;
  /** The checkpoint size in bytes. */
  checkpointBytes: number;
  /** How the node took it. */
  outcome: SubmitOutcome;
}

/** Callbacks of {@linkcode BlockMiner.run}. */
export interface MiningHooks {
  /** After every training step. */
  onProgress?: (progress: MiningProgress) => void;
  /** Once a block is trained, just before it is submitted. */
  onTrained?: () => void;
  /** After each submission. */
  onBlock?: (found: FoundBlock) => void;
  /** When the tip moved while training (`hash` is the new tip). */
  onNewTip?: (hash: string) => void;
  /** When a block attempt failed; the loop waits `retryMs` and goes on. */
  onError?: (error: unknown) => void;
  /** Once per block, when training stopped getting closer to the target (see `stallRounds`). */
  onStall?: (stall: MiningStall) => void;
}

/** A block whose training stopped getting closer to its target. */
export interface MiningStall {
  height: number;
  /** Rounds spent on the block so far. */
  rounds: number;
  /** Rounds looked back over. */
  window: number;
  /** The best claim now and `window` rounds ago (micro-nats). */
  bestMicroNats: number;
  bestBeforeMicroNats: number;
  /** The claim needed, and the parent's loss (micro-nats). */
  targetMicroNats: number;
  parentMicroNats: number;
}

/** What a mining run did, for the summary printed when a miner stops. */
export interface MiningSummary {
  /** Blocks submitted and connected. */
  blocks: number;
  /** Blocks submitted that the node did not connect. */
  rejected: number;
  /** Evaluation rounds and training steps, over all blocks tried. */
  rounds: number;
  steps: number;
  /** Seconds the run took. */
  secs: number;
  /** Rewards plus fees of the connected blocks, resonances. */
  rewardResonances: bigint;
  /** Set when the run ended because a block missed its target within `maxRounds`. */
  gaveUp?: TargetNotReachedError;
}

/**
 * Whether training has stalled: over the last `window` rounds the best claim closed less than a
 * tenth of the gap that remains to the target. `history[i]` is the best claim after round i+1.
 */
export function isStalled(history: readonly number[], target: number, window: number): boolean {
  if (window <= 0 || history.length <= window) return false;
  const now = history[history.length - 1]!;
  const before = history[history.length - 1 - window]!;
  if (now <= target) return false;
  if (!Number.isFinite(before)) return !Number.isFinite(now);
  return before - now < (now - target) / 10;
}

/** Thrown when a block could not reach its target within `maxRounds`. */
export class TargetNotReachedError extends Error {
  /** The height, rounds spent, and best and needed claims (micro-nats). */
  readonly height: number;
  readonly rounds: number;
  readonly bestMicroNats: number;
  readonly targetMicroNats: number;
  constructor(
    message: string,
    detail: { height: number; rounds: number; bestMicroNats: number; targetMicroNats: number } = {
      height: 0,
      rounds: 0,
      bestMicroNats: Number.POSITIVE_INFINITY,
      targetMicroNats: 0,
    },
  ) {
    super(message);
    this.name = "TargetNotReachedError";
    this.height = detail.height;
    this.rounds = detail.rounds;
    this.bestMicroNats = detail.bestMicroNats;
    this.targetMicroNats = detail.targetMicroNats;
  }
}

/** Trains blocks on the GPU for any {@linkcode MiningSource}. */
export class BlockMiner {
  readonly #gpu: GpuContext;
  readonly #minerSeed: Uint8Array;
  readonly #o: Required<Omit<BlockMinerOptions, "maxRounds" | "signal">> & { maxRounds: number };
  #rounds = 0;
  #steps = 0;
  readonly #signal: AbortSignal | undefined;
  #sampler: WindowSampler | null = null;

  constructor(gpu: GpuContext, minerSeed: Uint8Array, options: BlockMinerOptions = {}) {
    this.#gpu = gpu;
    this.#minerSeed = minerSeed;
    this.#signal = options.signal;
    this.#o = {
      stepsPerRound: options.stepsPerRound ?? 10,
      batch: options.batch ?? 8,
      lr: options.lr ?? 1e-2,
      warmupSteps: options.warmupSteps ?? 2,
      maxRounds: options.maxRounds ?? Number.POSITIVE_INFINITY,
      stallRounds: options.stallRounds ?? 20,
      dataPath: options.dataPath ?? sampleTrainPath(),
      seed: options.seed ?? 1,
    };
  }

  /** The miner's public key. */
  get minerKey(): Uint8Array {
    return keyPairFromSeed(this.#minerSeed).publicKey;
  }

  /** Opens the training data now (so a bad `--data` fails before mining starts). */
  async open(windowLen: number): Promise<void> {
    if (this.#sampler && this.#sampler.windowLen === windowLen) return;
    this.#sampler?.close();
    this.#sampler = await WindowSampler.open(this.#o.dataPath, windowLen, this.#o.seed);
  }

  /**
   * Mines one block on the source's current tip and submits it. Returns null when the tip
   * moved or a stop was requested before submission. Throws TargetNotReachedError after
   * `maxRounds` rounds without reaching the target.
   */
  async mineOnTip(
    source: MiningSource,
    address: AddressData,
    hooks: MiningHooks = {},
  ): Promise<FoundBlock | null> {
    const params = source.params;
    const job = await source.job();
    const parent = job.parent;
    const parentHex = toHex(parent.hash);
    const moved = () => source.stopRequested() || source.tipHash() !== parentHex;
    const next = nextModelConfig(params, parent);
    const height = parent.height + 1;
    // Decoded once: grown for training (growth copies) and kept as is for the samples.
    const parentCheckpoint = decodeCheckpoint(job.parentCheckpoint, {
      dModel: parent.header.dModel,
      nLayers: parent.header.nLayers,
    });
    let checkpoint = growCheckpoint(parentCheckpoint, next, height);
    await this.open(params.validationWindowBytes);
    const sampler = this.#sampler!;
    const o = this.#o;
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    const parentRooted = { checkpoint: parentCheckpoint, root: parent.header.checkpointRoot };
    const ctx = { params, evaluator: source.evaluator, corpus: source.corpus };
    let state: OptimizerState | undefined;
    // The best round so far (by shortfall from μ_t) and its sample's figures.
    let best = Number.POSITIVE_INFINITY, target = 0, parentLoss = 0;
    let shortfallBest = Number.POSITIVE_INFINITY;
    let passed: { sample: SampleEvaluation; draft: ReturnType<typeof headerDraft> } | undefined;
    let requiredPpm = 0;
    let bytes: Uint8Array = new Uint8Array(0);
    let rounds = 0;
    let steps = 0;
    let evalSecs = 0;
    let verifySecs = 0;
    let eta: number | undefined;
    let lastEval: { secs: number; shortfall: number } | undefined;
    let lastLoss: number | undefined;
    const history: number[] = [];
    const bestHistory: number[] = [];
    let stallReported = false;
    while (!passed) {
      this.#signal?.throwIfAborted();
      await source.refreshTip();
      if (moved()) return null;
      if (rounds >= o.maxRounds) {
        throw new TargetNotReachedError(
          `Could not beat the parent by μ on a sample for height ${height} in ${rounds} rounds ` +
            `(best ${best} µnats against ${target})`,
          { height, rounds, bestMicroNats: best, targetMicroNats: target },
        );
      }
      rounds++;
      this.#rounds++;
      const roundBase = steps;
      const result = await train(this.#gpu, checkpoint, sampler, {
        steps: o.stepsPerRound,
        batch: o.batch,
        schedule: {
          maxLr: o.lr,
          minLr: o.lr,
          warmupSteps: o.warmupSteps,
          totalSteps: o.stepsPerRound,
        },
        lossEvery: Math.min(o.stepsPerRound, 5),
        shouldStop: moved,
        ...(this.#signal ? { signal: this.#signal } : {}),
        onStep: (p) => {
          if (p.loss !== undefined) lastLoss = p.loss;
          hooks.onProgress?.({
            height,
            step: roundBase + p.step,
            loss: lastLoss,
            tokensPerSec: p.tokensPerSec,
            bestMicroNats: best,
            targetMicroNats: target,
            parentMicroNats: parentLoss,
            etaSecs: eta,
            elapsedSecs: elapsed(),
          });
        },
      }, state);
      steps += result.steps;
      this.#steps += result.steps;
      if (result.steps < o.stepsPerRound) return null;
      checkpoint = result.checkpoint;
      state = result.state;
      // The header this checkpoint would be published with fixes the sample (PROTOCOL §5.9).
      bytes = encodeCheckpoint(checkpoint);
      const draft = headerDraft(params, parent, bytes, source.nowSecs(), this.minerKey);
      requiredPpm = requiredImprovementPpm(
        params,
        parent.header.timestampSecs,
        draft.timestampSecs,
      );
      const evalStart = performance.now();
      const sample = await evaluateSample(
        draft,
        parentRooted,
        { checkpoint, root: draft.checkpointRoot },
        ctx,
      );
      verifySecs = (performance.now() - evalStart) / 1000;
      evalSecs += verifySecs;
      const roundTarget = Number(
        BigInt(sample.parentSampleLossMicroNats) * BigInt(1_000_000 - requiredPpm) / 1_000_000n,
      );
      // How far this round is from passing, in ppm of the parent's sample loss: positive until
      // it passes (at least 1 while the loss is not below the parent's, even when μ_t is 0).
      const signedProgress = Number(
        (BigInt(sample.parentSampleLossMicroNats) - BigInt(sample.sampleLossMicroNats)) *
          1_000_000n / BigInt(Math.max(1, sample.parentSampleLossMicroNats)),
      );
      const shortfall = Math.max(requiredPpm, 1) - signedProgress;
      if (shortfall < shortfallBest) {
        shortfallBest = shortfall;
        best = sample.sampleLossMicroNats;
        target = roundTarget;
        parentLoss = sample.parentSampleLossMicroNats;
      }
      if (meetsPairedImprovement(headerSums(sample), requiredPpm)) {
        passed = { sample, draft };
        break;
      }
      const now = elapsed();
      if (lastEval && lastEval.shortfall > shortfallBest) {
        const rate = (lastEval.shortfall - shortfallBest) / (now - lastEval.secs);
        eta = Math.max(0, shortfallBest / rate);
      } else if (lastEval) {
        eta = undefined;
      }
      lastEval = { secs: now, shortfall: shortfallBest };
      history.push(shortfallBest);
      bestHistory.push(best);
      if (!stallReported && isStalled(history, 0, o.stallRounds)) {
        stallReported = true;
        hooks.onStall?.({
          height,
          rounds,
          window: o.stallRounds,
          bestMicroNats: best,
          bestBeforeMicroNats: bestHistory[bestHistory.length - 1 - o.stallRounds]!,
          targetMicroNats: target,
          parentMicroNats: parentLoss,
        });
      }
    }
    if (moved()) return null;
    const { sample, draft } = passed;
    const block = assembleBlock(params, {
      parent,
      address,
      draft,
      parentSampleLossMicroNats: sample.parentSampleLossMicroNats,
      sampleLossMicroNats: sample.sampleLossMicroNats,
      txs: job.txs,
      feesResonances: job.feesResonances,
      minerSeed: this.#minerSeed,
    });
    hooks.onTrained?.();
    const outcome = await source.submit(block, bytes);
    const progress = improvementPpm(sample.parentSampleLossMicroNats, sample.sampleLossMicroNats);
    return {
      hash: blockId(params.magic, block.header),
      height,
      sampleLossMicroNats: sample.sampleLossMicroNats,
      parentSampleLossMicroNats: sample.parentSampleLossMicroNats,
      improvementPpm: progress,
      requiredPpm,
      rewardResonances: blockReward(params, parent, progress),
      feesResonances: job.feesResonances,
      dModel: next.dModel,
      nLayers: next.nLayers,
      rounds,
      steps,
      tokens: steps * o.batch * sampler.windowLen,
      secs: elapsed(),
      evalSecs,
      verifySecs,
      checkpointBytes: bytes.length,
      outcome,
    };
  }

  /**
   * Mines block after block until the source asks to stop: restarts on a new tip, reports each
   * submission, and after an error waits `retryMs` (default 1000) and tries again. A block that
   * misses its target within `maxRounds` ends the run. Returns what the run did.
   */
  async run(
    source: MiningSource,
    address: AddressData,
    hooks: MiningHooks = {},
    retryMs = 1000,
  ): Promise<MiningSummary> {
    const aborted = () => this.#signal?.aborted === true;
    const started = performance.now();
    const rounds0 = this.#rounds;
    const steps0 = this.#steps;
    let blocks = 0;
    let rejected = 0;
    let rewardResonances = 0n;
    let gaveUp: TargetNotReachedError | undefined;
    while (!source.stopRequested() && !aborted()) {
      try {
        const found = await this.mineOnTip(source, address, hooks);
        if (found) {
          if (found.outcome.status === "connected") {
            blocks++;
            rewardResonances += found.rewardResonances + found.feesResonances;
          } else {
            rejected++;
          }
          hooks.onBlock?.(found);
        } else if (!source.stopRequested()) hooks.onNewTip?.(source.tipHash());
      } catch (e) {
        if (source.stopRequested() || aborted()) break;
        if (e instanceof TargetNotReachedError) {
          gaveUp = e;
          break;
        }
        hooks.onError?.(e);
        await new Promise((r) => setTimeout(r, retryMs));
      }
    }
    return {
      blocks,
      rejected,
      rounds: this.#rounds - rounds0,
      steps: this.#steps - steps0,
      secs: (performance.now() - started) / 1000,
      rewardResonances,
      ...(gaveUp ? { gaveUp } : {}),
    };
  }

  /** Closes the training data file. */
  close(): void {
    this.#sampler?.close();
    this.#sampler = null;
  }
}

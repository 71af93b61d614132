/**
 * Stage 4 of the sampled rule (PROTOCOL §5.9), as one pure function over an injected
 * {@linkcode WindowEvaluator}: commitment and decode of the child checkpoint as today, then the
 * block's sample from its own header, the parent and child evaluated on the same windows, the
 * decayed μ from the two timestamps, the paired check, and the block's fork-choice work.
 * Not yet called by the chainstate (wiring plan in PROTOCOL §5.9).
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";
import type { BlockHeader } from "../primitives/block.ts";
import { blockProgressPpm, blockWork } from "./chain_work.ts";
import { evalSampleSeed, sampleWindowStarts } from "./eval_sample.ts";
import {
  checkPairedImprovement,
  type PairedSums,
  pairedSums,
  requiredImprovementPpm,
} from "./paired_improvement.ts";
import type { NetworkParams } from "./params.ts";
import { checkCheckpointCommitment, decodeBlockCheckpoint } from "./proof_of_training.ts";
import type { WindowEvaluator } from "./window_evaluator.ts";

/** What {@linkcode checkSampledProofOfTraining} needs besides the two blocks. */
export interface SampledPotContext {
  /** Network params (W, K, μ and its decay, work cap). */
  readonly params: NetworkParams;
  /** Per-window integer losses (the exact evaluator; a stand-in until issue 13 lands). */
  readonly evaluator: WindowEvaluator;
  /** The network's evaluation corpus. */
  readonly corpus: Uint8Array;
}

/** The verified result of a block's sample. */
export interface SampledPotResult extends PairedSums {
  /** μ_t the block had to meet, ppm. */
  readonly requiredPpm: number;
  /** Verified relative improvement on the sample, ppm. */
  readonly progressPpm: number;
  /** Fork-choice work of the block (PROTOCOL §6.3). */
  readonly work: bigint;
}

/**
 * Checks `header`'s checkpoint against its parent's on the block's own sample. Throws
 * ValidationError "bad-checkpoint-root", "bad-checkpoint" or "insufficient-sample-improvement".
 *
 * @example
 * ```ts ignore
 * const r = await checkSampledProofOfTraining(header, bytes, parentHeader, parentCkpt, ctx);
 * ```
 */
export async function checkSampledProofOfTraining(
  header: BlockHeader,
  checkpointBytes: Uint8Array,
  parentHeader: BlockHeader,
  parentCheckpoint: Checkpoint,
  ctx: SampledPotContext,
): Promise<SampledPotResult> {
  checkCheckpointCommitment(header, checkpointBytes);
  const child = decodeBlockCheckpoint(header, checkpointBytes);
  const { params, evaluator, corpus } = ctx;
  const W = params.validationWindowBytes;
  const starts = sampleWindowStarts(
    evalSampleSeed(params.magic, header),
    corpus.length,
    W,
    params.evalSampleWindows,
  );
  const sums = pairedSums(
    await evaluator.evaluateWindows(parentCheckpoint, corpus, starts, W),
    await evaluator.evaluateWindows(child, corpus, starts, W),
  );
  const requiredPpm = requiredImprovementPpm(
    params,
    parentHeader.timestampSecs,
    header.timestampSecs,
  );
  checkPairedImprovement(sums, requiredPpm);
  return {
    ...sums,
    requiredPpm,
    progressPpm: blockProgressPpm(sums),
    work: blockWork(params, sums),
  };
}

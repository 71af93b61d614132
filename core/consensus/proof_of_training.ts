/**
 * Stage 4, last and most expensive: the sampled, paired Proof-of-Training check (PROTOCOL §5.5,
 * §5.9). Cheap checks first (size, chunk root, decode with the expected config, finite values),
 * then the block's own sample of the evaluation corpus, the parent's and the block's checkpoints
 * evaluated on it with the exact integer evaluator (§3.10), and the header's two claimed sample
 * losses compared with the recomputed integers for equality: there is no tolerance.
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../checkpoint/rnet.ts";
import { DecodeError } from "../errors.ts";
import type { BlockHeader, UnsignedHeader } from "../primitives/block.ts";
import { blockProgressPpm, blockWork } from "./chain_work.ts";
import { evalSampleSeed, sampleBytes, sampleWindowStarts } from "./eval_sample.ts";
import type { Evaluator } from "./evaluator.ts";
import { exactLossMicroNats, totalOf } from "./exact_loss.ts";
import {
  checkPairedImprovement,
  headerSums,
  requiredImprovementPpm,
} from "./paired_improvement.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";
import { checkCheckpointCommitment, VerifiedCheckpoint } from "./verified_checkpoint.ts";

export { checkCheckpointCommitment };

/**
 * How a block's checkpoint is checked when the block is accepted (PROTOCOL §8.10):
 * `"evaluate"` (the default) runs {@linkcode checkProofOfTraining} on the checkpoint;
 * `"assumed-pruned"` accepts a block that comes without its checkpoint, because every peer had
 * pruned it, with every other rule checked. Only the caller (the sync) decides when that is
 * allowed; consensus code only receives the flag.
 */
export type CheckpointMode = "evaluate" | "assumed-pruned";

/** What {@linkcode checkProofOfTraining} needs besides the block and its parent. */
export interface ProofOfTrainingContext {
  /** Network params (W, K, μ and its decay, the work cap). */
  readonly params: NetworkParams;
  /** The exact evaluator (PROTOCOL §3.10). */
  readonly evaluator: Evaluator;
  /** The network's evaluation corpus (PROTOCOL §4). */
  readonly corpus: Uint8Array;
}

/** A checkpoint and the root it was verified against (the memo key of the evaluator). */
export interface RootedCheckpoint {
  /** The decoded checkpoint. */
  readonly checkpoint: Checkpoint;
  /** The header's `checkpointRoot` the encoding was verified against. */
  readonly root: Uint8Array;
}

/** The two checkpoints' exact losses on one block's sample. */
export interface SampleEvaluation {
  /** Byte offsets of the sample's windows in the corpus, in draw order. */
  readonly windowStarts: readonly number[];
  /** Predictions scored per checkpoint: K × (W − 1). */
  readonly predictions: number;
  /** The parent checkpoint's exact loss total on the sample (nats·2^20). */
  readonly parentTotal: bigint;
  /** The block's checkpoint's exact loss total on the sample (nats·2^20). */
  readonly childTotal: bigint;
  /** The header value of `parentTotal`: micro-nats per prediction. */
  readonly parentSampleLossMicroNats: number;
  /** The header value of `childTotal`. */
  readonly sampleLossMicroNats: number;
}

/** The verified result of a block's Proof-of-Training. */
export interface ProofOfTrainingResult extends SampleEvaluation {
  /** μ_t the block had to meet, ppm. */
  readonly requiredPpm: number;
  /** Verified relative improvement on the sample, ppm. */
  readonly progressPpm: number;
  /** Fork-choice work of the block (PROTOCOL §6.3). */
  readonly work: bigint;
}

/** Decodes with the header's config, all values finite ("bad-checkpoint"). */
export function decodeBlockCheckpoint(
  header: Pick<BlockHeader, "dModel" | "nLayers">,
  checkpointBytes: Uint8Array,
): Checkpoint {
  try {
    return decodeCheckpoint(checkpointBytes, { dModel: header.dModel, nLayers: header.nLayers });
  } catch (e) {
    if (e instanceof DecodeError) reject("bad-checkpoint", e.message);
    throw e;
  }
}

/**
 * The sample of `header` (its seed ignores the loss fields and transaction roots, so a miner
 * calls this before filling them in) and both checkpoints' exact losses on it. `order` says
 * which checkpoint is evaluated first; `after` runs between the two evaluations and may throw to
 * skip the second (stage 4 rejects a wrong child claim at half the cost).
 *
 * @example Not run as a doc test: it needs two checkpoints, the corpus and an exact evaluator.
 * ```ts ignore
 * const s = await evaluateSample(header, parent, child, { params, evaluator, corpus });
 * ```
 */
export async function evaluateSample(
  header: UnsignedHeader,
  parent: RootedCheckpoint,
  child: RootedCheckpoint,
  ctx: ProofOfTrainingContext,
  afterChild?: (childTotal: bigint, sampleLossMicroNats: number) => void,
): Promise<SampleEvaluation> {
  const { params, evaluator, corpus } = ctx;
  const W = params.validationWindowBytes;
  const windowStarts = sampleWindowStarts(
    evalSampleSeed(params.magic, header),
    corpus.length,
    W,
    params.evalSampleWindows,
  );
  const bytes = sampleBytes(corpus, windowStarts, W);
  const predictions = windowStarts.length * (W - 1);
  const childTotal = totalOf(
    await evaluator.evaluateWindows(child.checkpoint, bytes, W, child.root),
  );
  const sampleLossMicroNats = exactLossMicroNats(childTotal, predictions);
  afterChild?.(childTotal, sampleLossMicroNats);
  const parentTotal = totalOf(
    await evaluator.evaluateWindows(parent.checkpoint, bytes, W, parent.root),
  );
  return {
    windowStarts,
    predictions,
    parentTotal,
    childTotal,
    parentSampleLossMicroNats: exactLossMicroNats(parentTotal, predictions),
    sampleLossMicroNats,
  };
}

/**
 * The full Proof-of-Training check of `header` on `parent`: the block's checkpoint commitment
 * and decode, its sample, the exact losses of both checkpoints on it, equality with the header's
 * claims ("sample-loss-mismatch"), and μ_t ("insufficient-sample-improvement", already checked
 * on the claims at stage 2). Raw bytes get their commitment checked here; a
 * {@linkcode VerifiedCheckpoint} was checked when it was made and is only compared with the
 * header. Returns the verified progress and the block's work.
 *
 * @example Not run as a doc test: it needs a mined block, both checkpoints and an evaluator.
 * ```ts ignore
 * const r = await checkProofOfTraining(header, bytes, parent, { params, evaluator, corpus });
 * ```
 */
export async function checkProofOfTraining(
  header: BlockHeader,
  checkpointBytes: Uint8Array | VerifiedCheckpoint,
  parent: { readonly header: BlockHeader; readonly checkpoint: VerifiedCheckpoint },
  ctx: ProofOfTrainingContext,
): Promise<ProofOfTrainingResult> {
  let verified: VerifiedCheckpoint;
  if (checkpointBytes instanceof VerifiedCheckpoint) {
    if (!checkpointBytes.matches(header)) {
      reject("bad-checkpoint-root", "checkpoint was verified against another header");
    }
    verified = checkpointBytes;
  } else {
    verified = VerifiedCheckpoint.verify(header, checkpointBytes);
  }
  const child = decodeBlockCheckpoint(header, verified.bytes);
  if (!parent.checkpoint.matches(parent.header)) {
    throw new RangeError("the parent checkpoint was verified against another header");
  }
  const parentCheckpoint = decodeBlockCheckpoint(parent.header, parent.checkpoint.bytes);
  const sample = await evaluateSample(
    header,
    { checkpoint: parentCheckpoint, root: parent.checkpoint.root },
    { checkpoint: child, root: verified.root },
    ctx,
    (_, sampleLoss) => {
      if (sampleLoss !== header.sampleLossMicroNats) {
        reject(
          "sample-loss-mismatch",
          `checkpoint loss on the sample ${sampleLoss} µnats, header ${header.sampleLossMicroNats}`,
        );
      }
    },
  );
  if (sample.parentSampleLossMicroNats !== header.parentSampleLossMicroNats) {
    reject(
      "sample-loss-mismatch",
      `parent loss on the sample ${sample.parentSampleLossMicroNats} µnats, header ` +
        `${header.parentSampleLossMicroNats}`,
    );
  }
  const requiredPpm = requiredImprovementPpm(
    ctx.params,
    parent.header.timestampSecs,
    header.timestampSecs,
  );
  const sums = headerSums(header);
  checkPairedImprovement(sums, requiredPpm);
  return {
    ...sample,
    requiredPpm,
    progressPpm: blockProgressPpm(sums),
    work: blockWork(ctx.params, sums),
  };
}

/**
 * Stage 4, last and most expensive: the Proof-of-Training check (DESIGN §4, PROTOCOL §5.5).
 * Cheap checks first (size, chunk root, decode with the expected config, finite values), the
 * evaluation last.
 *
 * @module
 */
import { checkpointRoot } from "../checkpoint/chunks.ts";
import type { Checkpoint } from "../checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../checkpoint/rnet.ts";
import { DecodeError } from "../errors.ts";
import type { BlockHeader } from "../primitives/block.ts";
import type { Evaluator } from "./evaluator.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/**
 * How a block's checkpoint is checked when the block is accepted (PROTOCOL §8.10):
 * `"evaluate"` (the default) runs {@linkcode checkProofOfTraining} on the checkpoint;
 * `"assumed-pruned"` accepts a block that comes without its checkpoint, because every peer had
 * pruned it, with every other rule checked. Only the caller (the sync) decides when that is
 * allowed; consensus code only receives the flag.
 */
export type CheckpointMode = "evaluate" | "assumed-pruned";

/** What {@linkcode checkProofOfTraining} needs besides the header and the checkpoint. */
export interface ProofOfTrainingContext {
  /** Network params (τ, window length). */
  readonly params: NetworkParams;
  /** The loss evaluator (WebGPU or CPU reference). */
  readonly evaluator: Evaluator;
  /** The network's pinned validation set. */
  readonly validation: Uint8Array;
  /**
   * The bytes were already checked against this header's size and chunk root (the chainstate
   * does so before it stores a checkpoint file): skip hashing them again.
   */
  readonly commitmentChecked?: boolean;
}

/**
 * The checkpoint's length equals `checkpointSize` and its chunk root `checkpointRoot`
 * ("bad-checkpoint-root").
 */
export function checkCheckpointCommitment(header: BlockHeader, checkpointBytes: Uint8Array): void {
  if (checkpointBytes.length !== header.checkpointSize) {
    reject(
      "bad-checkpoint-root",
      `checkpoint is ${checkpointBytes.length} bytes, header says ${header.checkpointSize}`,
    );
  }
  const root = checkpointRoot(checkpointBytes);
  if (!bytesEqual(root, header.checkpointRoot)) reject("bad-checkpoint-root");
}

/** Decodes with the header's config, all values finite ("bad-checkpoint"). */
export function decodeBlockCheckpoint(
  header: BlockHeader,
  checkpointBytes: Uint8Array,
): Checkpoint {
  try {
    return decodeCheckpoint(checkpointBytes, { dModel: header.dModel, nLayers: header.nLayers });
  } catch (e) {
    if (e instanceof DecodeError) reject("bad-checkpoint", e.message);
    throw e;
  }
}

/** `|L − valLoss| ≤ τ × valLoss` with L in nats and valLoss in micro-nats ("val-loss-mismatch"). */
export function checkLossClaim(
  lossNats: number,
  valLossMicroNats: number,
  params: NetworkParams,
): void {
  if (!Number.isFinite(lossNats)) reject("val-loss-mismatch", `evaluated loss ${lossNats}`);
  const diff = Math.abs(lossNats * 1e6 - valLossMicroNats);
  const allowed = valLossMicroNats * params.tolerancePpm / 1e6;
  if (diff > allowed) {
    reject("val-loss-mismatch", `evaluated ${lossNats} nats, header ${valLossMicroNats} μnats`);
  }
}

/**
 * The full Proof-of-Training check; returns the evaluated loss.
 *
 * @example Not run as a doc test: it needs a mined block, its checkpoint and a model evaluator.
 * ```ts ignore
 * const { lossNats } = await checkProofOfTraining(header, bytes, { params, evaluator, validation });
 * ```
 */
export async function checkProofOfTraining(
  header: BlockHeader,
  checkpointBytes: Uint8Array,
  ctx: ProofOfTrainingContext,
): Promise<{ lossNats: number }> {
  if (!ctx.commitmentChecked) checkCheckpointCommitment(header, checkpointBytes);
  const checkpoint = decodeBlockCheckpoint(header, checkpointBytes);
  const lossNats = await ctx.evaluator.evaluate(
    checkpoint,
    ctx.validation,
    ctx.params.validationWindowBytes,
  );
  checkLossClaim(lossNats, header.valLossMicroNats, ctx.params);
  return { lossNats };
}

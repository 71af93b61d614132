/**
 * Stage 4, last and most expensive: the Proof-of-Training check (DESIGN §4, PROTOCOL §5.5).
 * Cheap checks first (size, chunk root, decode with the expected config, finite values), the
 * evaluation last.
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../checkpoint/rnet.ts";
import { DecodeError } from "../errors.ts";
import type { BlockHeader } from "../primitives/block.ts";
import type { Evaluator } from "./evaluator.ts";
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

/** What {@linkcode checkProofOfTraining} needs besides the header and the checkpoint. */
export interface ProofOfTrainingContext {
  /** Network params (τ, window length). */
  readonly params: NetworkParams;
  /** The loss evaluator (WebGPU or CPU reference). */
  readonly evaluator: Evaluator;
  /** The network's pinned validation set. */
  readonly validation: Uint8Array;
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
 * The full Proof-of-Training check; returns the evaluated loss. Raw bytes get their
 * commitment checked here; a {@linkcode VerifiedCheckpoint} was checked when it was made and is
 * only compared with the header (size and root, no hashing). The evaluator is told the root,
 * which identifies the bytes (a memo can key on it).
 *
 * @example Not run as a doc test: it needs a mined block, its checkpoint and a model evaluator.
 * ```ts ignore
 * const { lossNats } = await checkProofOfTraining(header, bytes, { params, evaluator, validation });
 * ```
 */
export async function checkProofOfTraining(
  header: BlockHeader,
  checkpointBytes: Uint8Array | VerifiedCheckpoint,
  ctx: ProofOfTrainingContext,
): Promise<{ lossNats: number }> {
  let verified: VerifiedCheckpoint;
  if (checkpointBytes instanceof VerifiedCheckpoint) {
    if (!checkpointBytes.matches(header)) {
      reject("bad-checkpoint-root", "checkpoint was verified against another header");
    }
    verified = checkpointBytes;
  } else {
    verified = VerifiedCheckpoint.verify(header, checkpointBytes);
  }
  const checkpoint = decodeBlockCheckpoint(header, verified.bytes);
  const lossNats = await ctx.evaluator.evaluate(
    checkpoint,
    ctx.validation,
    ctx.params.validationWindowBytes,
    verified.root,
  );
  checkLossClaim(lossNats, header.valLossMicroNats, ctx.params);
  return { lossNats };
}

/**
 * The model evaluator consensus depends on, as an interface: `core/` never runs the model
 * itself. The node injects the WebGPU implementation (or the CPU reference when the runtime has
 * no adapter).
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";

/** Computes the consensus validation loss of a checkpoint (PROTOCOL.md §3.3). */
export interface Evaluator {
  /** Short description for logs, e.g. "webgpu (llvmpipe …)" or "cpu reference". */
  readonly name: string;
  /**
   * Mean next-byte cross-entropy in nats of `checkpoint` over `validation`, cut into windows of
   * `windowLen` bytes that each start from zero state. `checkpointRoot`, when given, is the
   * chunk Merkle root (PROTOCOL §3.5) of the encoding `checkpoint` was decoded from (the
   * header's `checkpointRoot`, already verified): it identifies the checkpoint, so a caching
   * wrapper can key on it without encoding and hashing the checkpoint again. Evaluators that
   * compute the loss ignore it.
   */
  evaluate(
    checkpoint: Checkpoint,
    validation: Uint8Array,
    windowLen: number,
    checkpointRoot?: Uint8Array,
  ): Promise<number>;
}

/** Converts a loss in nats to the header's u32 micro-nats (round half up, clamped). */
export function lossToMicroNats(lossNats: number): number {
  if (!Number.isFinite(lossNats) || lossNats < 0) throw new RangeError(`bad loss ${lossNats}`);
  return Math.min(0xffffffff, Math.floor(lossNats * 1e6 + 0.5));
}

/**
 * The model evaluator consensus depends on, as an interface: `core/` never runs the model
 * itself. The node injects an exact evaluator (PROTOCOL §3.10: WebAssembly SIMD, WebGPU integer
 * kernels or the TypeScript reference — every path returns the same integers).
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";

/** Computes exact per-window consensus losses of a checkpoint (PROTOCOL §3.10). */
export interface Evaluator {
  /** Short description for logs, e.g. "exact wasm simd (2 workers)". */
  readonly name: string;
  /**
   * The exact loss total (nats·2^20, an integer below 2^40) of each of the
   * `⌊bytes.length / windowLen⌋` windows of `bytes`, in order; each window starts from zero
   * state. `checkpointRoot`, when given, is the chunk Merkle root (PROTOCOL §3.5) of the
   * encoding `checkpoint` was decoded from, already verified: it identifies the checkpoint, so a
   * caching wrapper can key on it. Evaluators that compute the losses ignore it.
   */
  evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    checkpointRoot?: Uint8Array,
  ): Promise<number[]>;
}

/**
 * Converts a float loss in nats to micro-nats (round half up, clamped to u32), for reports of
 * the f32 evaluators only: consensus values come from `exactLossMicroNats`.
 */
export function lossToMicroNats(lossNats: number): number {
  if (!Number.isFinite(lossNats) || lossNats < 0) throw new RangeError(`bad loss ${lossNats}`);
  return Math.min(0xffffffff, Math.floor(lossNats * 1e6 + 0.5));
}

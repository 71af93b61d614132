/**
 * What the sampled Proof-of-Training rule (PROTOCOL §5.9) needs from a model evaluator: the
 * loss of a checkpoint on chosen windows of the evaluation corpus, one exact integer per window.
 *
 * The exact integer evaluator (issue 13, branch `exact`) implements this directly. Until it
 * lands, `gpu/model/window_evaluator.ts` adapts the f32 evaluators by rounding each window's
 * loss to {@linkcode WINDOW_LOSS_UNITS_PER_NAT}: a STAND-IN whose integers can differ between
 * devices by a unit, so it must not decide consensus between different machines.
 *
 * @module
 */
import type { Checkpoint } from "../checkpoint/checkpoint.ts";

/** Fixed-point unit of a window loss: one unit is 10⁻⁶ nats, summed over the window. */
export const WINDOW_LOSS_UNITS_PER_NAT = 1_000_000;

/** Per-window integer losses of a checkpoint (PROTOCOL §5.9). */
export interface WindowEvaluator {
  /** Short description for logs. */
  readonly name: string;
  /**
   * For each start in `windowStarts` (byte offsets into `corpus`, each with
   * `start + windowLen ≤ corpus.length`), the window's summed next-byte cross-entropy over its
   * `windowLen − 1` predictions, from zero state, in {@linkcode WINDOW_LOSS_UNITS_PER_NAT}
   * units; same order as `windowStarts`.
   */
  evaluateWindows(
    checkpoint: Checkpoint,
    corpus: Uint8Array,
    windowStarts: readonly number[],
    windowLen: number,
  ): Promise<bigint[]>;
}

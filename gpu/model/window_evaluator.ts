/**
 * STAND-IN for the exact integer evaluator (issue 13): the per-window losses the sampled
 * Proof-of-Training rule needs ({@linkcode WindowEvaluator}), computed with the f32 CPU
 * reference forward pass and rounded to integer micro-nats per window. One device gives the
 * same integers run to run; two devices can differ by a unit where a window's f32 loss lies
 * near a rounding boundary, so this must be replaced by the exact evaluator before the sampled
 * rule decides consensus between machines.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { VOCAB } from "../../core/checkpoint/model_config.ts";
import {
  WINDOW_LOSS_UNITS_PER_NAT,
  type WindowEvaluator,
} from "../../core/consensus/window_evaluator.ts";
import { crossEntropy } from "../ref/cross_entropy.ts";
import { forwardLogits, nextByteTargets } from "../ref/model.ts";

/**
 * Per-window summed loss in nats (f64 sums of f32 per-position losses) of `checkpoint` on the
 * windows of `corpus` starting at `windowStarts`, `windowsPerBatch` windows per forward pass.
 */
export function windowLossesNatsCpu(
  checkpoint: Checkpoint,
  corpus: Uint8Array,
  windowStarts: readonly number[],
  windowLen: number,
  windowsPerBatch = 16,
): Float64Array {
  if (!Number.isInteger(windowLen) || windowLen < 2) {
    throw new RangeError(`windowLen must be an integer >= 2, got ${windowLen}`);
  }
  for (const s of windowStarts) {
    if (!Number.isInteger(s) || s < 0 || s + windowLen > corpus.length) {
      throw new RangeError(`window at ${s} does not fit a corpus of ${corpus.length} bytes`);
    }
  }
  const out = new Float64Array(windowStarts.length);
  for (let w0 = 0; w0 < windowStarts.length; w0 += windowsPerBatch) {
    const batch = Math.min(windowsPerBatch, windowStarts.length - w0);
    const tokens = new Uint32Array(batch * windowLen);
    for (let b = 0; b < batch; b++) {
      const s = windowStarts[w0 + b]!;
      for (let t = 0; t < windowLen; t++) tokens[b * windowLen + t] = corpus[s + t]!;
    }
    const logits = forwardLogits(checkpoint, tokens, batch, windowLen);
    const targets = nextByteTargets(tokens, batch, windowLen);
    const { losses } = crossEntropy(logits, targets, batch * windowLen, VOCAB);
    for (let b = 0; b < batch; b++) {
      let sum = 0;
      for (let t = 0; t < windowLen - 1; t++) sum += losses[b * windowLen + t]!;
      out[w0 + b] = sum;
    }
  }
  return out;
}

/** Rounds a window loss in nats to integer units (half up). */
export function windowLossUnits(nats: number): bigint {
  if (!Number.isFinite(nats) || nats < 0) throw new RangeError(`bad window loss ${nats}`);
  return BigInt(Math.floor(nats * WINDOW_LOSS_UNITS_PER_NAT + 0.5));
}

/** The CPU-reference stand-in {@linkcode WindowEvaluator} (see the module note). */
export class CpuWindowEvaluator implements WindowEvaluator {
  readonly name = "cpu reference, rounded per window (stand-in for the exact evaluator)";
  evaluateWindows(
    checkpoint: Checkpoint,
    corpus: Uint8Array,
    windowStarts: readonly number[],
    windowLen: number,
  ): Promise<bigint[]> {
    const nats = windowLossesNatsCpu(checkpoint, corpus, windowStarts, windowLen);
    return Promise.resolve(Array.from(nats, windowLossUnits));
  }
}

/**
 * Per-window f32 losses of the CPU reference forward pass, for the noise measurements of the
 * sampled Proof-of-Training rule (bench/pot_noise_bench.ts). Not consensus: blocks are scored
 * with the exact evaluators (gpu/exact, PROTOCOL §3.10).
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { VOCAB } from "../../core/checkpoint/model_config.ts";
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

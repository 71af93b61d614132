/**
 * CPU reference for softmax cross-entropy over `[rows, vocab]` logits with integer targets.
 *
 * @module
 */

/**
 * Per-row loss −log softmax(logits)[target] in nats, and dlogits = softmax − onehot(target).
 * A target of −1 marks a row with no prediction: its loss and gradient are 0. The gradient is
 * unscaled (the caller divides by the number of counted rows).
 *
 * @param logits `[rows, vocab]`
 * @param targets `[rows]`, each in [0, vocab) or −1
 * @returns losses `[rows]` and dlogits `[rows, vocab]`
 *
 * @example
 * ```ts
 * const { losses } = crossEntropy(new Float32Array([0, 0]), new Int32Array([1]), 1, 2);
 * // losses[0] ≈ Math.LN2
 * ```
 */
export function crossEntropy(
  logits: Float32Array,
  targets: Int32Array,
  rows: number,
  vocab: number,
): { losses: Float32Array; dlogits: Float32Array } {
  if (logits.length !== rows * vocab) {
    throw new RangeError(`logits must have ${rows * vocab} elements, got ${logits.length}`);
  }
  if (targets.length !== rows) throw new RangeError(`targets must have ${rows} elements`);
  const losses = new Float32Array(rows);
  const dlogits = new Float32Array(rows * vocab);
  for (let r = 0; r < rows; r++) {
    const t = targets[r]!;
    if (t === -1) continue;
    if (t < 0 || t >= vocab) throw new RangeError(`targets[${r}] must be < ${vocab}, got ${t}`);
    const off = r * vocab;
    let max = -Infinity;
    for (let v = 0; v < vocab; v++) max = Math.max(max, logits[off + v]!);
    let sum = 0;
    for (let v = 0; v < vocab; v++) sum += Math.exp(logits[off + v]! - max);
    losses[r] = Math.log(sum) + max - logits[off + t]!;
    for (let v = 0; v < vocab; v++) {
      dlogits[off + v] = Math.exp(logits[off + v]! - max) / sum - (v === t ? 1 : 0);
    }
  }
  return { losses, dlogits };
}

/**
 * The header value of the exact consensus loss (PROTOCOL.md §3.10.10): pure integer arithmetic
 * on the integer loss total, so every node derives the same u32 from the same total.
 *
 * @module
 */

/** Fractional bits of the per-position loss unit: the total is in nats·2^20. */
export const LOSS_FRACTION_BITS = 20;

/**
 * The header's u32 micro-nats from an exact loss total (nats·2^20) over `count` predictions:
 * round(total·10^6 / (count·2^20)), ties up, computed in BigInt, clamped to 2^32 − 1.
 *
 * @example
 * ```ts
 * import { exactLossMicroNats } from "./exact_loss.ts";
 * exactLossMicroNats(5n * 2n ** 20n, 1); // 5_000_000
 * ```
 */
export function exactLossMicroNats(total: bigint, count: number): number {
  if (!Number.isSafeInteger(count) || count < 1) {
    throw new RangeError(`Prediction count must be a positive integer, got ${count}`);
  }
  if (total < 0n) throw new RangeError(`Loss total must be non-negative, got ${total}`);
  const den = BigInt(count) << BigInt(LOSS_FRACTION_BITS);
  const micro = (2n * total * 1_000_000n + den) / (2n * den);
  return micro > 0xffffffffn ? 0xffffffff : Number(micro);
}

/**
 * The exact total (nats·2^20) of per-window loss sums: an integer sum, order-free. Each sum must
 * be a non-negative safe integer (an evaluator's output; RangeError otherwise).
 *
 * @example
 * ```ts
 * import { totalOf } from "./exact_loss.ts";
 * totalOf([3, 4]); // 7n
 * ```
 */
export function totalOf(sums: readonly number[]): bigint {
  let t = 0n;
  for (const s of sums) {
    if (!Number.isSafeInteger(s) || s < 0) throw new RangeError(`bad window loss ${s}`);
    t += BigInt(s);
  }
  return t;
}

/** The loss in nats as a float, for logs and fidelity reports only (never for consensus). */
export function exactLossNats(total: bigint, count: number): number {
  return Number(total) / 2 ** LOSS_FRACTION_BITS / count;
}

/**
 * Which HTLCs get no output in a commitment (PROTOCOL.md §9.7, §9.8): the same test the
 * commitment builder applies (`commitment_tx.ts`), so the update protocol counts exactly the HTLC
 * outputs the transaction will have when it sets the fee.
 *
 * @module
 */
import { MRES_PER_RESONANCE } from "./commitment_tx.ts";

/**
 * Whether an HTLC of `amountMres` is left out of a commitment whose owner has the dust limit
 * `dustLimitResonances`: its whole resonances are 0 or below the limit (no second-stage HTLC
 * transactions in rnt, so no HTLC fee is added as BOLT 3 does).
 *
 * @example
 * ```ts
 * import { isDustHtlc } from "./channel_dust.ts";
 * console.log(isDustHtlc(545_999n, 546n), isDustHtlc(546_000n, 546n)); // true false
 * ```
 */
export function isDustHtlc(amountMres: bigint, dustLimitResonances: bigint): boolean {
  const value = amountMres / MRES_PER_RESONANCE;
  return value === 0n || value < dustLimitResonances;
}

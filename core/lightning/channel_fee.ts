/**
 * The commitment fee of the channel update protocol (PROTOCOL.md §9.9): both peers compute the
 * fee of every commitment from the funder's fee rate and the number of HTLC outputs, so a
 * `CommitmentSpec`'s `feeResonances` is agreed without either side building the transaction.
 *
 * @module
 */

/** Bytes counted for a commitment with its two balance outputs and no HTLC output. */
export const COMMITMENT_BASE_BYTES = 400;
/** Bytes counted per HTLC output (value u64 ‖ address 34). */
export const COMMITMENT_HTLC_OUTPUT_BYTES = 42;
/** Milli-resonances per resonance. */
export const MRES_PER_RESONANCE = 1000n;

/**
 * The fee of a commitment with `htlcOutputs` HTLC outputs at `feeratePerKb` resonances per 1000
 * bytes: ⌊feerate × (400 + 42 × outputs) / 1000⌋ resonances. The byte counts are the size of a
 * commitment spending the 2-of-2 funding output (one input, a `multi(2, …)` witness with two
 * signatures, two balance outputs); the transaction built may differ by a few bytes, the fee is
 * this number either way.
 *
 * @example
 * ```ts
 * import { commitmentFeeResonances } from "./channel_fee.ts";
 * console.log(commitmentFeeResonances(1000, 2)); // 484n
 * ```
 */
export function commitmentFeeResonances(feeratePerKb: number, htlcOutputs: number): bigint {
  if (!Number.isSafeInteger(feeratePerKb) || feeratePerKb < 0) {
    throw new RangeError(`fee rate must be a non-negative integer, got ${feeratePerKb}`);
  }
  if (!Number.isSafeInteger(htlcOutputs) || htlcOutputs < 0) {
    throw new RangeError(`HTLC output count must be a non-negative integer, got ${htlcOutputs}`);
  }
  const bytes = BigInt(COMMITMENT_BASE_BYTES + COMMITMENT_HTLC_OUTPUT_BYTES * htlcOutputs);
  return BigInt(feeratePerKb) * bytes / 1000n;
}

/**
 * Whether an HTLC of `amountMres` gets no output in a commitment whose owner has the dust limit
 * `dustLimitResonances`: its whole resonances are below the limit (no second-stage HTLC
 * transactions in rnt, so no HTLC fee is added as BOLT 3 does).
 */
export function isDustHtlc(amountMres: bigint, dustLimitResonances: bigint): boolean {
  return amountMres / MRES_PER_RESONANCE < dustLimitResonances;
}

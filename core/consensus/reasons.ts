/**
 * Consensus reject reasons: one union of stable kebab-case strings (Bitcoin Core style), each
 * mapped once to a category that decides the peer penalty.
 *
 * - `header`: the header alone or against its parent is wrong (bad link, time, config, loss
 *   claim, signature);
 * - `block`: the block's structure is wrong (roots, size, coinbase placement, duplicates);
 * - `tx`: a transaction breaks a rule (values, spends, policies, recovery, timelocks);
 * - `pot`: the Proof-of-Training check failed (checkpoint bytes or the re-evaluated loss).
 *
 * @module
 */
import { ValidationError } from "../errors.ts";

/** Every reason with its category (the single source of truth). */
export const REJECT_REASONS = Object.freeze(
  {
    // header (alone or with the parent)
    "bad-version": "header",
    "bad-prevblk": "header",
    "bad-height": "header",
    "time-too-old": "header",
    "time-too-new": "header",
    "bad-model-config": "header",
    "bad-checkpoint-size": "header",
    "insufficient-improvement": "header",
    "bad-blk-sig": "header",
    // block structure
    "bad-blk-length": "block",
    "bad-txnmrklroot": "block",
    "bad-witness-root": "block",
    "bad-cb-missing": "block",
    "bad-cb-multiple": "block",
    "bad-cb-witness": "block",
    "bad-cb-height": "block",
    "bad-cb-amount": "block",
    "bad-txns-duplicate": "block",
    "supply-cap": "block",
    // transactions
    "bad-txns-vin-empty": "tx",
    "bad-txns-vout-empty": "tx",
    "bad-txns-oversize": "tx",
    "bad-txns-witness-count": "tx",
    "bad-txns-vout-toolarge": "tx",
    "bad-txns-txouttotal-toolarge": "tx",
    "bad-txns-inputs-duplicate": "tx",
    "bad-txns-prevout-null": "tx",
    "bad-txns-inputs-missingorspent": "tx",
    "bad-txns-premature-spend-of-coinbase": "tx",
    "bad-txns-inputvalues-outofrange": "tx",
    "bad-txns-in-belowout": "tx",
    "bad-txns-nonfinal": "tx",
    "bad-recovery-kind": "tx",
    "bad-recovery-policy": "tx",
    "bad-policy-hash": "tx",
    "bad-satisfaction": "tx",
    "timelock-not-met": "tx",
    "bad-social-covenant": "tx",
    "bad-emission-sweep": "tx",
    // proof of training
    "bad-checkpoint-root": "pot",
    "bad-checkpoint": "pot",
    "val-loss-mismatch": "pot",
    "insufficient-sample-improvement": "pot",
  } as const,
);

/** A stable consensus reject reason. */
export type RejectReason = keyof typeof REJECT_REASONS;

/** What part of a block a reason blames; decides the peer penalty. */
export type ReasonCategory = "header" | "block" | "tx" | "pot";

/**
 * The category of `reason`.
 *
 * @example
 * ```ts
 * import { reasonCategory } from "./reasons.ts";
 * console.log(reasonCategory("bad-txnmrklroot")); // "block"
 * ```
 */
export function reasonCategory(reason: RejectReason): ReasonCategory {
  return REJECT_REASONS[reason];
}

/** True iff `s` is one of the consensus reject reasons. */
export function isRejectReason(s: string): s is RejectReason {
  return Object.hasOwn(REJECT_REASONS, s);
}

/** Throws `ValidationError(reason, message)`. */
export function reject(reason: RejectReason, message?: string): never {
  throw new ValidationError(reason, message);
}

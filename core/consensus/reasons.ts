/**
 * Reject reasons: one union of stable kebab-case strings (Bitcoin Core style), each mapped once
 * to a category that decides the peer penalty (net/peer/penalty.ts, docs/PROTOCOL.md §8).
 *
 * Consensus-invalid for good (the same bytes never become valid):
 * - `header`: the header alone or against its parent is wrong (bad link, time too old, config,
 *   sample-loss claims too small for μ_t, signature);
 * - `block`: the block's structure is wrong (roots, size, coinbase placement, duplicates);
 * - `tx`: a transaction breaks a rule (values, spends, policies, recovery, timelocks);
 * - `pot`: the Proof-of-Training check failed (checkpoint bytes, or a claimed sample loss that is
 *   not the recomputed exact integer).
 *
 * Not invalid for good:
 * - `time-future`: the header's time is too far ahead of the local clock (Core's
 *   `BLOCK_TIME_FUTURE`): it may become valid once the clock catches up, so it is never cached
 *   as invalid and its sender is not punished;
 * - `policy`: a loose transaction is refused by local mempool policy (standardness, fees,
 *   conflicts, a full pool); never a consensus verdict, never a penalty.
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
    "time-too-new": "time-future",
    "bad-model-config": "header",
    "bad-checkpoint-size": "header",
    "insufficient-sample-improvement": "header",
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
    "sample-loss-mismatch": "pot",
  } as const,
);

/**
 * The mempool's policy reasons (core/mempool), all of category `policy`: a loose transaction
 * this node will not relay, whatever the consensus rules say. Kept apart from the consensus
 * reasons, which a rule must produce (reasons_test.ts).
 */
export const POLICY_REASONS = Object.freeze(
  {
    "coinbase": "policy",
    "tx-size": "policy",
    "nonstandard-no-witness": "policy",
    "min-relay-fee-not-met": "policy",
    "txn-already-in-mempool": "policy",
    "txn-mempool-conflict": "policy",
    "mempool-full": "policy",
  } as const,
);

/** A stable consensus reject reason. */
export type ConsensusReason = keyof typeof REJECT_REASONS;

/** A stable mempool policy reason. */
export type PolicyReason = keyof typeof POLICY_REASONS;

/** A stable reject reason, consensus or policy (a typo in a literal fails `deno check`). */
export type RejectReason = ConsensusReason | PolicyReason;

/** What a reason blames and whether it may pass later; decides the peer penalty. */
export type ReasonCategory =
  | (typeof REJECT_REASONS)[ConsensusReason]
  | (typeof POLICY_REASONS)[PolicyReason];

/** Every reject reason, consensus then policy. */
export const ALL_REJECT_REASONS: readonly RejectReason[] = Object.freeze([
  ...Object.keys(REJECT_REASONS) as ConsensusReason[],
  ...Object.keys(POLICY_REASONS) as PolicyReason[],
]);

/**
 * Whether a block rejected for `reason` may become valid later (the same bytes, another time):
 * such a block is never marked invalid, in memory or in the block index.
 */
export function mayBecomeValid(reason: RejectReason): boolean {
  const category = reasonCategory(reason);
  return category === "time-future" || category === "policy";
}

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
  return Object.hasOwn(REJECT_REASONS, reason)
    ? REJECT_REASONS[reason as ConsensusReason]
    : POLICY_REASONS[reason as PolicyReason];
}

/** True iff `s` is one of the reject reasons. */
export function isRejectReason(s: string): s is RejectReason {
  return Object.hasOwn(REJECT_REASONS, s) || Object.hasOwn(POLICY_REASONS, s);
}

/** Throws `ValidationError(reason, message)`. */
export function reject(reason: RejectReason, message?: string): never {
  throw new ValidationError(reason, message);
}

/**
 * What one commitment transaction holds, independent of its bytes (BOLT 2 "Updating Fees and
 * Balances", BOLT 3 "Commitment Transaction"): the channel's update protocol produces these and
 * the transaction builder turns one into a signed transaction. Keeping the two apart lets the
 * state machine be tested without signatures and the builder without a peer.
 *
 * Amounts are milli-resonances (PROTOCOL §9.1); on chain each output is rounded down to whole
 * resonances and an output below the owner's dust limit is left out (its value goes to the fee).
 * Timelocks are seconds of median-time-past, like every rnt timelock.
 *
 * @module
 */

/** Which side of a channel, seen from the node holding the state. */
export type ChannelSide = "local" | "remote";

/** One HTLC as both commitments of a channel see it. */
export interface HtlcSpec {
  /** Per-direction counter from `update_add_htlc`: ids of HTLCs offered by one side never repeat. */
  readonly id: bigint;
  /** The side that offered (sent) the HTLC. */
  readonly offeredBy: ChannelSide;
  /** Value in milli-resonances. */
  readonly amountMres: bigint;
  /** keccak256d of the payment preimage (32 bytes), as the chain's `hash(H)` policy checks. */
  readonly paymentHash: Uint8Array;
  /** Absolute expiry, seconds of median-time-past (the timeout path opens at this time). */
  readonly expirySecs: number;
}

/**
 * The contents of the commitment transaction that `owner` can publish, at one commitment number.
 * `toOwnerMres` pays the owner after the other side's `to_self_delay` (revocable);
 * `toOtherMres` pays the other side at once.
 */
export interface CommitmentSpec {
  /** Whose commitment this is (who holds the signature to publish it). */
  readonly owner: ChannelSide;
  /** 0 for the first commitment after funding, then +1 per update (BOLT 3's commitment number). */
  readonly commitmentNumber: bigint;
  /** The owner's balance, milli-resonances, before the fee. */
  readonly toOwnerMres: bigint;
  /** The other side's balance, milli-resonances. */
  readonly toOtherMres: bigint;
  /** The on-chain fee of this commitment, whole resonances, paid by the channel's funder. */
  readonly feeResonances: bigint;
  /** HTLCs in flight in this commitment, in ascending (offeredBy, id) order. */
  readonly htlcs: readonly HtlcSpec[];
}

/** One side's fixed channel parameters, exchanged in `ln_open_channel` / `ln_accept_channel`. */
export interface ChannelPartyParams {
  /** Ed25519 public key of this side's half of the funding 2-of-2. */
  readonly fundingKey: Uint8Array;
  /** ristretto255 basepoints (PROTOCOL §9.6). */
  readonly revocationBasepoint: Uint8Array;
  readonly paymentBasepoint: Uint8Array;
  readonly delayedPaymentBasepoint: Uint8Array;
  readonly htlcBasepoint: Uint8Array;
  /** Seconds the OTHER side must wait before spending its own to_owner output (BOLT's to_self_delay). */
  readonly toSelfDelaySecs: number;
  /** Outputs below this many resonances are left out of this side's commitment. */
  readonly dustLimitResonances: bigint;
}

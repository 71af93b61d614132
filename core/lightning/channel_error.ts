/**
 * The one error of the channel update protocol (PROTOCOL.md §9.8): a message or a local action
 * that the channel's state does not allow. The state it was applied to is left unchanged, so the
 * node can report the reason, fail the channel or drop the connection as the reason asks.
 *
 * @module
 */

/**
 * Why a channel update was refused:
 * - `wrong-channel`: the message names another channel;
 * - `unexpected-message`: not allowed now (before `channel_reestablish`, or a second one);
 * - `bad-htlc-id`: an `update_add_htlc` id that is not the sender's next id;
 * - `amount-below-minimum`: an HTLC of zero or below the receiver's `htlcMinimumMres`;
 * - `bad-expiry`: an HTLC expiry that is not a positive safe integer of seconds;
 * - `too-many-htlcs`: more HTLCs offered than the receiver's `maxAcceptedHtlcs`;
 * - `max-in-flight-exceeded`: offered HTLCs worth more than the receiver's `maxHtlcValueInFlightMres`;
 * - `insufficient-balance`: the sender cannot pay the HTLC (and, as funder, the worst-case fee)
 *   while keeping its reserve;
 * - `unknown-htlc`: no such HTLC offered by the other side, or it is already being removed;
 * - `htlc-not-committed`: the HTLC is not yet irrevocably committed in both commitments;
 * - `wrong-preimage`: keccak256d(preimage) is not the HTLC's payment hash;
 * - `bad-failure-code`: an `update_fail_malformed_htlc` code without the BADONION bit;
 * - `not-funder`: `update_fee` from the side that does not pay the fee;
 * - `bad-feerate`: a fee rate of zero;
 * - `fee-unaffordable`: the funder cannot pay the worst-case fee at that rate;
 * - `too-many-updates`: more than 4096 updates pending (a peer flooding `update_fee`);
 * - `no-changes`: a `commitment_signed` that would commit nothing new;
 * - `awaiting-revocation`: signing again before the peer revoked its previous commitment;
 * - `bad-signature`: the commitment signature does not verify;
 * - `unexpected-revocation`: a `revoke_and_ack` when no commitment awaits revocation;
 * - `bad-revocation-secret`: the secret does not give the point sent earlier, or does not derive
 *   the secrets already received (shachain);
 * - `bad-per-commitment-point`: not a canonical, non-identity ristretto255 point;
 * - `bad-reestablish`: a `channel_reestablish` whose secret or point is not the one we know;
 * - `peer-lost-state`: the peer is behind what it has provably received (it must not publish its
 *   old commitment; close the channel from our side);
 * - `local-lost-state`: the peer proves it is ahead of us (we restored old state: never publish
 *   our commitment, ask the peer to close).
 */
export type ChannelErrorReason =
  | "wrong-channel"
  | "unexpected-message"
  | "bad-htlc-id"
  | "amount-below-minimum"
  | "bad-expiry"
  | "too-many-htlcs"
  | "max-in-flight-exceeded"
  | "insufficient-balance"
  | "unknown-htlc"
  | "htlc-not-committed"
  | "wrong-preimage"
  | "bad-failure-code"
  | "not-funder"
  | "bad-feerate"
  | "fee-unaffordable"
  | "too-many-updates"
  | "no-changes"
  | "awaiting-revocation"
  | "bad-signature"
  | "unexpected-revocation"
  | "bad-revocation-secret"
  | "bad-per-commitment-point"
  | "bad-reestablish"
  | "peer-lost-state"
  | "local-lost-state";

/** A channel update refused with a named {@link ChannelErrorReason}; the state is unchanged. */
export class ChannelError extends Error {
  /** Stable machine-readable code. */
  readonly code = "channel-error";
  /** What is wrong. */
  readonly reason: ChannelErrorReason;
  constructor(reason: ChannelErrorReason, message: string) {
    super(`${reason}: ${message}`);
    this.name = "ChannelError";
    this.reason = reason;
  }
}

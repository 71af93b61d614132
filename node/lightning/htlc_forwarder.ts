/**
 * Forwarding at an intermediate hop (PROTOCOL §9.11 "Forwarding"): an HTLC irrevocably committed
 * to us whose onion names a next channel is checked against our forwarding policy
 * (`checkForward`, §9.9) and, when it passes, becomes an HTLC on that channel carrying the
 * peeled onion. This module holds the pure parts the service runs: the node's forwarding policy,
 * the alias that names an unannounced channel in onions and invoice route hints, and the verdict
 * on one incoming HTLC with a next hop.
 *
 * @module
 */
import type { ChannelHtlc } from "../../core/lightning/channel_types.ts";
import { createErrorPacket, type FailureMessage } from "../../core/lightning/error_onion.ts";
import { type ChannelUpdate, compareBytes } from "../../core/lightning/gossip_messages.ts";
import type { ChannelPolicyFields } from "../../core/lightning/graph.ts";
import { checkForward } from "../../core/lightning/route_forward.ts";
import { decodeHopPayload } from "../../core/lightning/route_payload.ts";
import { FailureCode } from "../../core/lightning/route_failure.ts";
import { OnionError, peelOnion } from "../../core/lightning/sphinx.ts";
import type { IncomingVerdict } from "./incoming_htlc.ts";

/**
 * The policy this node forwards with, on every channel and in both directions (fixed for now;
 * the same on every node, so a payee's route hints can state its peers' policy): 1 resonance
 * base plus 0.1 %, one hour of expiry delta.
 */
export const FORWARDING_POLICY: Omit<ChannelPolicyFields, "timestamp" | "htlcMaximumMres"> = {
  disabled: false,
  timeLockDeltaSecs: 3600,
  htlcMinimumMres: 1n,
  feeBaseMres: 1000,
  feeProportionalMillionths: 1000,
};

/**
 * The 64-bit name of a channel in onions and route hints: the first 8 bytes (big-endian) of its
 * channel id. Channels are not announced yet (no gossip in the node), so they have no
 * position-based short channel id; like BOLT's `scid_alias`, the alias is known to both ends.
 */
export function channelAlias(channelId: Uint8Array): bigint {
  return new DataView(channelId.buffer, channelId.byteOffset, 8).getBigUint64(0);
}

/** The 8 bytes of {@link channelAlias} (an invoice route hint's channel id). */
export function channelAliasBytes(channelId: Uint8Array): Uint8Array {
  return channelId.slice(0, 8);
}

/**
 * Our policy for forwarding from `fromNode` (us) to `toNode` over the channel `alias` of
 * `capacityMres`, as a `channel_update` (unsigned: it is not gossiped, only checked and
 * enclosed in failures).
 */
export function ownChannelUpdate(
  alias: bigint,
  fromNode: Uint8Array,
  toNode: Uint8Array,
  capacityMres: bigint,
  nowSecs: number,
): ChannelUpdate {
  return {
    ...FORWARDING_POLICY,
    signature: new Uint8Array(64),
    shortChannelId: alias,
    timestamp: nowSecs,
    direction: compareBytes(fromNode, toNode) < 0 ? 0 : 1,
    htlcMaximumMres: capacityMres,
  };
}

/** An HTLC to send on: where, how much, until when, and with which onion. */
export interface ForwardPlan {
  readonly kind: "forward";
  /** The outgoing channel's alias. */
  readonly shortChannelId: bigint;
  readonly amountMres: bigint;
  readonly expirySecs: number;
  /** The peeled onion for the next node. */
  readonly onion: Uint8Array;
  /** Our shared secret with the payer (wraps the errors coming back). */
  readonly sharedSecret: Uint8Array;
}

/**
 * Judges an incoming `htlc` at a possible forwarding hop: undefined when its onion has no next
 * hop (we are the payee: `judgeIncomingHtlc` decides), a failure verdict, or the HTLC to send on.
 * `updateOf` finds our update for the outgoing channel named in the onion (undefined: no such
 * usable channel); `nowSecs` is the chain's median-time-past.
 */
export function judgeForward(
  htlc: ChannelHtlc,
  onionScalar: bigint,
  updateOf: (shortChannelId: bigint) => ChannelUpdate | undefined,
  nowSecs: number,
): IncomingVerdict | ForwardPlan | undefined {
  let peeled;
  try {
    peeled = peelOnion(htlc.onion, onionScalar, htlc.paymentHash);
  } catch (e) {
    if (!(e instanceof OnionError)) throw e;
    return undefined; // judgeIncomingHtlc answers the malformed onion
  }
  if (peeled.nextPacket === null) return undefined;
  const fail = (failure: FailureMessage): IncomingVerdict => ({
    kind: "fail",
    reason: createErrorPacket(peeled.sharedSecret, failure),
    failure,
  });
  let payload;
  try {
    payload = decodeHopPayload(peeled.payload);
  } catch {
    return fail({ code: FailureCode.INVALID_ONION_PAYLOAD, data: new Uint8Array(3) });
  }
  if (payload.shortChannelId === undefined) {
    return fail({ code: FailureCode.INVALID_ONION_PAYLOAD, data: new Uint8Array(3) });
  }
  const failure = checkForward({
    incomingAmountMres: htlc.amountMres,
    incomingExpirySecs: htlc.expirySecs,
    payload,
    outgoingUpdate: updateOf(payload.shortChannelId),
    nowSecs,
  });
  if (failure) return fail(failure);
  return {
    kind: "forward",
    shortChannelId: payload.shortChannelId,
    amountMres: payload.amountToForwardMres,
    expirySecs: payload.outgoingExpirySecs,
    onion: peeled.nextPacket,
    sharedSecret: peeled.sharedSecret,
  };
}

/**
 * The error packet we return upstream when the next node answered our HTLC with
 * `update_fail_malformed_htlc` (BOLT 4: the hop before it reports the failure, with the SHA-256
 * of the onion it sent).
 */
export function malformedFailurePacket(
  sharedSecret: Uint8Array,
  failureCode: number,
  sha256OfOnion: Uint8Array,
): Uint8Array {
  return createErrorPacket(sharedSecret, { code: failureCode, data: sha256OfOnion });
}

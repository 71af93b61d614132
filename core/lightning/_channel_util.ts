/**
 * Small helpers of the channel state machine (private): our per-commitment secrets and points,
 * retransmittable messages, copying, and the argument checks.
 *
 * @module
 */
import { ChannelError } from "./channel_error.ts";
import { CHANNEL_ID_BYTES, type ChannelMessage, type RevokeAndAck } from "./channel_messages.ts";
import {
  type ChannelConfig,
  type ChannelState,
  type LoggedUpdate,
  MAX_ACCEPTED_HTLCS_LIMIT,
  MAX_FEERATE_PER_BYTE,
} from "./channel_types.ts";
import type { ChannelSide } from "./commitment_spec.ts";
import { perCommitmentPoint } from "./commitment_keys.ts";
import { decodeOnionPublicKey } from "./onion_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "./shachain.ts";

/** Our `revoke_and_ack` revoking our commitment `revoked` (its secret, the point of `revoked + 2`). */
export function revocationOf(state: ChannelState, revoked: bigint): RevokeAndAck {
  return {
    type: "revoke_and_ack",
    channelId: state.config.channelId,
    perCommitmentSecret: localSecret(state, revoked),
    nextPerCommitmentPoint: localPoint(state, revoked + 2n),
  };
}

/** The secret of our commitment `number` (§9.5: index 2⁴⁸ − 1 − number). */
export function localSecret(state: ChannelState, number: bigint): Uint8Array {
  return perCommitmentSecret(state.localSeed, FIRST_COMMITMENT_INDEX - Number(number));
}

/** The point of our commitment `number`. */
export function localPoint(state: ChannelState, number: bigint): Uint8Array {
  return perCommitmentPoint(localSecret(state, number));
}

/** The message to retransmit for a logged update of ours. */
export function messageOfUpdate(state: ChannelState, entry: LoggedUpdate): ChannelMessage {
  const channelId = state.config.channelId;
  const u = entry.update;
  switch (u.kind) {
    case "add":
      return {
        type: "update_add_htlc",
        channelId,
        id: u.htlc.id,
        amountMres: u.htlc.amountMres,
        paymentHash: u.htlc.paymentHash,
        expirySecs: u.htlc.expirySecs,
        onion: u.htlc.onion,
      };
    case "fulfill":
      return { type: "update_fulfill_htlc", channelId, id: u.htlcId, preimage: u.preimage };
    case "fail":
      return { type: "update_fail_htlc", channelId, id: u.htlcId, reason: u.reason };
    case "fail-malformed":
      return {
        type: "update_fail_malformed_htlc",
        channelId,
        id: u.htlcId,
        sha256OfOnion: u.sha256OfOnion,
        failureCode: u.failureCode,
      };
    case "fee":
      return { type: "update_fee", channelId, feeratePerByte: u.feeratePerByte };
  }
}

/** A deep copy (structured clone: plain data, bigint and Uint8Array only). */
export function cloneState(state: ChannelState): ChannelState {
  return structuredClone(state);
}

/** Throws `wrong-channel` unless `channelId` is this channel's. */
export function requireChannel(state: ChannelState, channelId: Uint8Array): void {
  if (!equalBytes(channelId, state.config.channelId)) {
    throw new ChannelError("wrong-channel", "the message is for another channel");
  }
}

/** Constant-time equality of two byte strings. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/** Whether a ristretto255 point encoding is canonical and not the identity. */
export function isValidPoint(bytes: Uint8Array): boolean {
  return bytes.length === 32 && decodeOnionPublicKey(bytes) !== undefined;
}

export function requireConnected(state: ChannelState): void {
  if (!state.connected) {
    throw new ChannelError("unexpected-message", "the channel awaits channel_reestablish");
  }
}

export function checkConfig(config: ChannelConfig): void {
  checkLength(config.channelId, CHANNEL_ID_BYTES, "channel id");
  if (config.capacityMres <= 0n || config.capacityMres >= 2n ** 64n) {
    throw new RangeError(`capacity must be in (0, 2^64) mres, got ${config.capacityMres}`);
  }
  for (const limits of [config.localLimits, config.remoteLimits]) {
    if (
      !Number.isInteger(limits.maxAcceptedHtlcs) || limits.maxAcceptedHtlcs < 1 ||
      limits.maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT
    ) {
      throw new RangeError(`maxAcceptedHtlcs must be in [1, 483], got ${limits.maxAcceptedHtlcs}`);
    }
    for (const [name, v] of Object.entries(limits)) {
      if (typeof v === "bigint" && (v < 0n || v >= 2n ** 64n)) {
        throw new RangeError(`${name} must be a u64, got ${v}`);
      }
    }
  }
  for (const params of [config.localParams, config.remoteParams]) {
    if (params.dustLimitResonances < 0n || params.dustLimitResonances >= 2n ** 64n) {
      throw new RangeError(`dust limit must be a u64, got ${params.dustLimitResonances}`);
    }
  }
}

export function checkFeerateRange(feeratePerByte: number): void {
  if (
    !Number.isSafeInteger(feeratePerByte) || feeratePerByte < 1 ||
    feeratePerByte > MAX_FEERATE_PER_BYTE
  ) {
    throw new RangeError(`fee rate must be in [1, 2^32 - 1], got ${feeratePerByte}`);
  }
}

export function checkLength(bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
}

export function checkPoint(bytes: Uint8Array): void {
  if (!isValidPoint(bytes)) {
    throw new RangeError(
      "per-commitment point is not a canonical, non-identity ristretto255 point",
    );
  }
}

/** The other side. */
export function otherSide(side: ChannelSide): ChannelSide {
  return side === "local" ? "remote" : "local";
}

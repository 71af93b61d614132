/**
 * The `ln_*` messages of the channel update protocol (PROTOCOL.md §9.8) and their byte encodings.
 * Ids are BOLT 2's type numbers, which fall in the `0x80…0xbf` range the P2P layer reserves for
 * Lightning and hands over undecoded (§8.2). Integers are little-endian as everywhere in rnt.
 *
 * ```
 * 0x80 update_add_htlc      channel_id 32 ‖ id u64 ‖ amount_mres u64 ‖ payment_hash 32 ‖ expiry_secs u64 ‖ onion 1365
 * 0x82 update_fulfill_htlc  channel_id 32 ‖ id u64 ‖ preimage 32
 * 0x83 update_fail_htlc     channel_id 32 ‖ id u64 ‖ CompactSize(len ≤ 1024) ‖ reason
 * 0x84 commitment_signed    channel_id 32 ‖ signature 64
 * 0x85 revoke_and_ack       channel_id 32 ‖ per_commitment_secret 32 ‖ next_per_commitment_point 32
 * 0x86 update_fee           channel_id 32 ‖ feerate_per_byte u32
 * 0x87 update_fail_malformed_htlc  channel_id 32 ‖ id u64 ‖ sha256_of_onion 32 ‖ failure_code u16
 * 0x88 channel_reestablish  channel_id 32 ‖ next_commitment_number u64 ‖ next_revocation_number u64
 *                           ‖ your_last_per_commitment_secret 32 ‖ my_current_per_commitment_point 32
 * ```
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";

/** Length of a channel id. */
export const CHANNEL_ID_BYTES = 32;
/** Length of a commitment signature (Ed25519). */
export const COMMITMENT_SIGNATURE_BYTES = 64;
/** The longest `update_fail_htlc` reason accepted (an error packet is 292 bytes, §9.4). */
export const MAX_FAIL_REASON_BYTES = 1024;
/** Commitment numbers are below 2⁴⁸ (the shachain index space, §9.5). */
export const MAX_COMMITMENT_NUMBER = 2n ** 48n - 1n;

/** Message ids of the update protocol (BOLT 2's type numbers). */
export const ChannelMessageId = {
  update_add_htlc: 0x80,
  update_fulfill_htlc: 0x82,
  update_fail_htlc: 0x83,
  commitment_signed: 0x84,
  revoke_and_ack: 0x85,
  update_fee: 0x86,
  update_fail_malformed_htlc: 0x87,
  channel_reestablish: 0x88,
} as const;

/** `update_add_htlc`: offer an HTLC. */
export interface UpdateAddHtlc {
  readonly type: "update_add_htlc";
  readonly channelId: Uint8Array;
  readonly id: bigint;
  readonly amountMres: bigint;
  readonly paymentHash: Uint8Array;
  readonly expirySecs: number;
  readonly onion: Uint8Array;
}
/** `update_fulfill_htlc`: settle an HTLC offered by the receiver of this message. */
export interface UpdateFulfillHtlc {
  readonly type: "update_fulfill_htlc";
  readonly channelId: Uint8Array;
  readonly id: bigint;
  readonly preimage: Uint8Array;
}
/** `update_fail_htlc`: fail an HTLC offered by the receiver of this message. */
export interface UpdateFailHtlc {
  readonly type: "update_fail_htlc";
  readonly channelId: Uint8Array;
  readonly id: bigint;
  /** Opaque error onion (§9.4), passed back to the payer. */
  readonly reason: Uint8Array;
}
/**
 * `update_fail_malformed_htlc`: fail an HTLC whose onion the receiver could not parse; the
 * previous hop turns it into an error packet (BOLT 4).
 */
export interface UpdateFailMalformedHtlc {
  readonly type: "update_fail_malformed_htlc";
  readonly channelId: Uint8Array;
  readonly id: bigint;
  /** SHA-256 of the onion packet as received. */
  readonly sha256OfOnion: Uint8Array;
  /** A BOLT 4 failure code with the BADONION bit (0x8000). */
  readonly failureCode: number;
}
/** `update_fee`: the funder's new fee rate, resonances per byte. */
export interface UpdateFee {
  readonly type: "update_fee";
  readonly channelId: Uint8Array;
  readonly feeratePerByte: number;
}
/** `commitment_signed`: the sender's signature on the receiver's next commitment. */
export interface CommitmentSigned {
  readonly type: "commitment_signed";
  readonly channelId: Uint8Array;
  readonly signature: Uint8Array;
}
/** `revoke_and_ack`: revokes the sender's previous commitment and gives a new point. */
export interface RevokeAndAck {
  readonly type: "revoke_and_ack";
  readonly channelId: Uint8Array;
  /** Secret of the commitment now revoked. */
  readonly perCommitmentSecret: Uint8Array;
  /** Point of the sender's commitment after its next one. */
  readonly nextPerCommitmentPoint: Uint8Array;
}
/** `channel_reestablish`: the first message of each side after a (re)connection. */
export interface ChannelReestablish {
  readonly type: "channel_reestablish";
  readonly channelId: Uint8Array;
  /** The number of the next commitment the sender expects to be signed for it (its current + 1). */
  readonly nextCommitmentNumber: bigint;
  /** How many of the receiver's commitments the sender holds revocations for. */
  readonly nextRevocationNumber: bigint;
  /** The latest revocation secret received from the receiver (32 zero bytes when none). */
  readonly yourLastPerCommitmentSecret: Uint8Array;
  /** The point of the sender's current commitment. */
  readonly myCurrentPerCommitmentPoint: Uint8Array;
}

/** Any message of the update protocol. */
export type ChannelMessage =
  | UpdateAddHtlc
  | UpdateFulfillHtlc
  | UpdateFailHtlc
  | UpdateFailMalformedHtlc
  | UpdateFee
  | CommitmentSigned
  | RevokeAndAck
  | ChannelReestablish;

/** A message as the P2P layer carries it: id (0x80…0xbf) and payload. */
export interface EncodedChannelMessage {
  readonly id: number;
  readonly payload: Uint8Array;
}

/**
 * Encodes a message as its id and payload. Throws RangeError on a field of the wrong length or
 * out of range (the state machine never produces one).
 *
 * @example
 * ```ts
 * import { decodeChannelMessage, encodeChannelMessage } from "./channel_messages.ts";
 * const { id, payload } = encodeChannelMessage({
 *   type: "update_fee", channelId: new Uint8Array(32), feeratePerByte: 2,
 * });
 * console.log(id, decodeChannelMessage(id, payload).type); // 134 update_fee
 * ```
 */
export function encodeChannelMessage(message: ChannelMessage): EncodedChannelMessage {
  const w = new ByteWriter(64);
  writeFixed(w, message.channelId, CHANNEL_ID_BYTES, "channel id");
  switch (message.type) {
    case "update_add_htlc":
      w.writeU64(checkU64(message.id, "HTLC id"));
      w.writeU64(checkU64(message.amountMres, "amount"));
      writeFixed(w, message.paymentHash, 32, "payment hash");
      if (!Number.isSafeInteger(message.expirySecs) || message.expirySecs < 0) {
        throw new RangeError(
          `expiry must be a safe non-negative integer, got ${message.expirySecs}`,
        );
      }
      w.writeU64(message.expirySecs);
      writeFixed(w, message.onion, ONION_PACKET_BYTES, "onion");
      break;
    case "update_fulfill_htlc":
      w.writeU64(checkU64(message.id, "HTLC id"));
      writeFixed(w, message.preimage, 32, "preimage");
      break;
    case "update_fail_htlc":
      w.writeU64(checkU64(message.id, "HTLC id"));
      if (message.reason.length > MAX_FAIL_REASON_BYTES) {
        throw new RangeError(`fail reason of ${message.reason.length} bytes exceeds 1024`);
      }
      w.writeVarBytes(message.reason);
      break;
    case "update_fail_malformed_htlc":
      w.writeU64(checkU64(message.id, "HTLC id"));
      writeFixed(w, message.sha256OfOnion, 32, "onion hash");
      w.writeU16(message.failureCode);
      break;
    case "update_fee":
      w.writeU32(message.feeratePerByte);
      break;
    case "commitment_signed":
      writeFixed(w, message.signature, COMMITMENT_SIGNATURE_BYTES, "signature");
      break;
    case "revoke_and_ack":
      writeFixed(w, message.perCommitmentSecret, 32, "per-commitment secret");
      writeFixed(w, message.nextPerCommitmentPoint, 32, "per-commitment point");
      break;
    case "channel_reestablish":
      w.writeU64(checkCommitmentNumber(message.nextCommitmentNumber));
      w.writeU64(checkCommitmentNumber(message.nextRevocationNumber));
      writeFixed(w, message.yourLastPerCommitmentSecret, 32, "per-commitment secret");
      writeFixed(w, message.myCurrentPerCommitmentPoint, 32, "per-commitment point");
      break;
  }
  return { id: ChannelMessageId[message.type], payload: w.finish() };
}

/**
 * Decodes the payload of message `id`. Strict: an id outside the table, a wrong length, a
 * reason over 1024 bytes, a non-canonical CompactSize, a commitment number ≥ 2⁴⁸, an expiry
 * above 2⁵³ − 1 or trailing bytes throw DecodeError (and nothing else is ever thrown).
 */
export function decodeChannelMessage(id: number, payload: Uint8Array): ChannelMessage {
  const r = new ByteReader(payload);
  const channelId = r.readBytes(CHANNEL_ID_BYTES);
  let message: ChannelMessage;
  switch (id) {
    case ChannelMessageId.update_add_htlc:
      message = {
        type: "update_add_htlc",
        channelId,
        id: r.readU64(),
        amountMres: r.readU64(),
        paymentHash: r.readBytes(32),
        expirySecs: r.readU64Number(),
        onion: r.readBytes(ONION_PACKET_BYTES),
      };
      break;
    case ChannelMessageId.update_fulfill_htlc:
      message = {
        type: "update_fulfill_htlc",
        channelId,
        id: r.readU64(),
        preimage: r.readBytes(32),
      };
      break;
    case ChannelMessageId.update_fail_htlc:
      message = {
        type: "update_fail_htlc",
        channelId,
        id: r.readU64(),
        reason: r.readVarBytes(MAX_FAIL_REASON_BYTES),
      };
      break;
    case ChannelMessageId.update_fail_malformed_htlc:
      message = {
        type: "update_fail_malformed_htlc",
        channelId,
        id: r.readU64(),
        sha256OfOnion: r.readBytes(32),
        failureCode: r.readU16(),
      };
      break;
    case ChannelMessageId.update_fee:
      message = { type: "update_fee", channelId, feeratePerByte: r.readU32() };
      break;
    case ChannelMessageId.commitment_signed:
      message = {
        type: "commitment_signed",
        channelId,
        signature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case ChannelMessageId.revoke_and_ack:
      message = {
        type: "revoke_and_ack",
        channelId,
        perCommitmentSecret: r.readBytes(32),
        nextPerCommitmentPoint: r.readBytes(32),
      };
      break;
    case ChannelMessageId.channel_reestablish:
      message = {
        type: "channel_reestablish",
        channelId,
        nextCommitmentNumber: readCommitmentNumber(r),
        nextRevocationNumber: readCommitmentNumber(r),
        yourLastPerCommitmentSecret: r.readBytes(32),
        myCurrentPerCommitmentPoint: r.readBytes(32),
      };
      break;
    default:
      throw new DecodeError(`unknown channel message id 0x${id.toString(16)}`);
  }
  r.expectEnd();
  return message;
}

function readCommitmentNumber(r: ByteReader): bigint {
  const at = r.offset;
  const n = r.readU64();
  if (n > MAX_COMMITMENT_NUMBER) {
    throw new DecodeError(`commitment number at offset ${at} exceeds 2^48 - 1: ${n}`);
  }
  return n;
}

function writeFixed(w: ByteWriter, bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
  w.writeBytes(bytes);
}

function checkU64(value: bigint, what: string): bigint {
  if (value < 0n || value >= 2n ** 64n) throw new RangeError(`${what} is not a u64: ${value}`);
  return value;
}

function checkCommitmentNumber(value: bigint): bigint {
  if (value < 0n || value > MAX_COMMITMENT_NUMBER) {
    throw new RangeError(`commitment number must be in [0, 2^48 - 1], got ${value}`);
  }
  return value;
}

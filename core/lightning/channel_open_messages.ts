/**
 * The `ln_*` messages that open and close a channel (PROTOCOL.md §9.11; BOLT 2 "Channel
 * Establishment" and "Channel Close", adapted): their data and strict byte encodings. Ids sit in
 * the free part of the Lightning range (§8.2), after the update protocol's 0x80–0x88.
 *
 * ```
 * party  = funding_key 32 ‖ revocation_basepoint 32 ‖ payment_basepoint 32 ‖ delayed_payment_basepoint 32
 *          ‖ htlc_basepoint 32 ‖ to_self_delay_secs u32 ‖ dust_limit_resonances u64
 * limits = reserve_mres u64 ‖ max_accepted_htlcs u16 (1…483) ‖ max_htlc_value_in_flight_mres u64
 *          ‖ htlc_minimum_mres u64
 * 0x90 open_channel     temporary_channel_id 32 ‖ funding_resonances u64 ‖ push_mres u64
 *                       ‖ feerate_per_byte u32 (≥ 1) ‖ party ‖ limits ‖ first_point 32 ‖ second_point 32
 * 0x91 accept_channel   temporary_channel_id 32 ‖ minimum_depth u32 ‖ party ‖ limits ‖ first_point 32 ‖ second_point 32
 * 0x92 funding_created  temporary_channel_id 32 ‖ funding_txid 32 ‖ funding_vout u32 ‖ signature 64
 * 0x93 funding_signed   channel_id 32 ‖ signature 64
 * 0x94 channel_ready    channel_id 32
 * 0x95 shutdown         channel_id 32 ‖ address payload 34 (version 0 ‖ kind ‖ hash 32)
 * 0x96 closing_signed   channel_id 32 ‖ fee_resonances u64 ‖ signature 64
 * 0x97 channel_error    channel_id 32 ‖ CompactSize(len ≤ 1024) ‖ UTF-8 text
 * ```
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { type AddressData, readAddressData, writeAddressData } from "../primitives/address.ts";
import type { ChannelLimits } from "./channel_types.ts";
import { MAX_ACCEPTED_HTLCS_LIMIT } from "./channel_types.ts";
import type { ChannelPartyParams } from "./commitment_spec.ts";
import { CHANNEL_ID_BYTES, COMMITMENT_SIGNATURE_BYTES } from "./channel_messages.ts";
import { isValidPoint } from "./_channel_util.ts";

/** The longest `channel_error` text accepted, bytes. */
export const MAX_CHANNEL_ERROR_BYTES = 1024;

/** Ids of the establishment and close messages. */
export const OpenMessageId = {
  open_channel: 0x90,
  accept_channel: 0x91,
  funding_created: 0x92,
  funding_signed: 0x93,
  channel_ready: 0x94,
  shutdown: 0x95,
  closing_signed: 0x96,
  channel_error: 0x97,
} as const;

/** `open_channel`: the funder proposes a channel. */
export interface OpenChannel {
  readonly type: "open_channel";
  /** Random id naming the channel until the funding outpoint is known. */
  readonly temporaryChannelId: Uint8Array;
  readonly fundingResonances: bigint;
  /** Given to the fundee in commitment 0 (BOLT 2 `push_msat`). */
  readonly pushMres: bigint;
  /** Fee rate of the first commitments, resonances per byte (≥ 1). */
  readonly feeratePerByte: number;
  readonly params: ChannelPartyParams;
  /** What the funder accepts from the fundee. */
  readonly limits: ChannelLimits;
  /** The funder's per-commitment points of commitments 0 and 1. */
  readonly firstPoint: Uint8Array;
  readonly secondPoint: Uint8Array;
}

/** `accept_channel`: the fundee agrees and gives its parameters. */
export interface AcceptChannel {
  readonly type: "accept_channel";
  readonly temporaryChannelId: Uint8Array;
  /** Confirmations of the funding transaction before `channel_ready`. */
  readonly minimumDepth: number;
  readonly params: ChannelPartyParams;
  readonly limits: ChannelLimits;
  readonly firstPoint: Uint8Array;
  readonly secondPoint: Uint8Array;
}

/** `funding_created`: the funding outpoint and the funder's signature on the fundee's commitment 0. */
export interface FundingCreated {
  readonly type: "funding_created";
  readonly temporaryChannelId: Uint8Array;
  readonly fundingTxid: Uint8Array;
  readonly fundingVout: number;
  readonly signature: Uint8Array;
}

/** `funding_signed`: the fundee's signature on the funder's commitment 0. */
export interface FundingSigned {
  readonly type: "funding_signed";
  readonly channelId: Uint8Array;
  readonly signature: Uint8Array;
}

/** `channel_ready`: the sender saw the funding transaction at the minimum depth. */
export interface ChannelReady {
  readonly type: "channel_ready";
  readonly channelId: Uint8Array;
}

/** `shutdown`: the sender wants to close cooperatively and be paid at `address`. */
export interface Shutdown {
  readonly type: "shutdown";
  readonly channelId: Uint8Array;
  readonly address: AddressData;
}

/** `closing_signed`: a signature on the cooperative close at `feeResonances`. */
export interface ClosingSigned {
  readonly type: "closing_signed";
  readonly channelId: Uint8Array;
  readonly feeResonances: bigint;
  readonly signature: Uint8Array;
}

/** `channel_error`: the sender gives up on the channel (all zeros: every channel with us). */
export interface ChannelErrorMessage {
  readonly type: "channel_error";
  readonly channelId: Uint8Array;
  readonly text: string;
}

/** Any establishment or close message. */
export type OpenMessage =
  | OpenChannel
  | AcceptChannel
  | FundingCreated
  | FundingSigned
  | ChannelReady
  | Shutdown
  | ClosingSigned
  | ChannelErrorMessage;

/** Whether `id` is one of {@link OpenMessageId}. */
export function isOpenMessageId(id: number): boolean {
  return id >= OpenMessageId.open_channel && id <= OpenMessageId.channel_error;
}

/**
 * Encodes a message as its id and payload. RangeError on a field of the wrong length or out of
 * range.
 *
 * @example
 * ```ts
 * import { decodeOpenMessage, encodeOpenMessage } from "./channel_open_messages.ts";
 * const { id, payload } = encodeOpenMessage({ type: "channel_ready", channelId: new Uint8Array(32) });
 * console.log(id, decodeOpenMessage(id, payload).type); // 148 channel_ready
 * ```
 */
export function encodeOpenMessage(m: OpenMessage): { id: number; payload: Uint8Array } {
  const w = new ByteWriter(128);
  switch (m.type) {
    case "open_channel":
      fixed(w, m.temporaryChannelId, CHANNEL_ID_BYTES, "temporary channel id");
      w.writeU64(u64(m.fundingResonances, "funding")).writeU64(u64(m.pushMres, "push"));
      if (!Number.isInteger(m.feeratePerByte) || m.feeratePerByte < 1) {
        throw new RangeError(`fee rate must be at least 1, got ${m.feeratePerByte}`);
      }
      w.writeU32(m.feeratePerByte);
      writeParty(w, m.params, m.limits, m.firstPoint, m.secondPoint);
      break;
    case "accept_channel":
      fixed(w, m.temporaryChannelId, CHANNEL_ID_BYTES, "temporary channel id");
      w.writeU32(m.minimumDepth);
      writeParty(w, m.params, m.limits, m.firstPoint, m.secondPoint);
      break;
    case "funding_created":
      fixed(w, m.temporaryChannelId, CHANNEL_ID_BYTES, "temporary channel id");
      fixed(w, m.fundingTxid, 32, "funding txid");
      w.writeU32(m.fundingVout);
      fixed(w, m.signature, COMMITMENT_SIGNATURE_BYTES, "signature");
      break;
    case "funding_signed":
      fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
      fixed(w, m.signature, COMMITMENT_SIGNATURE_BYTES, "signature");
      break;
    case "channel_ready":
      fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
      break;
    case "shutdown":
      fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
      writeAddressData(w, m.address);
      break;
    case "closing_signed":
      fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
      w.writeU64(u64(m.feeResonances, "fee"));
      fixed(w, m.signature, COMMITMENT_SIGNATURE_BYTES, "signature");
      break;
    case "channel_error": {
      fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
      const text = new TextEncoder().encode(m.text);
      if (text.length > MAX_CHANNEL_ERROR_BYTES) {
        throw new RangeError(`error text of ${text.length} bytes exceeds 1024`);
      }
      w.writeVarBytes(text);
      break;
    }
  }
  return { id: OpenMessageId[m.type], payload: w.finish() };
}

/**
 * Decodes the payload of message `id`. Strict: an unknown id, a wrong length, a fee rate of 0,
 * `max_accepted_htlcs` outside 1…483, a point that is not a canonical non-identity ristretto255
 * encoding, an address version other than 0, error text over 1024 bytes or not UTF-8, a
 * non-canonical CompactSize or trailing bytes throw DecodeError (and nothing else is thrown).
 */
export function decodeOpenMessage(id: number, payload: Uint8Array): OpenMessage {
  const r = new ByteReader(payload);
  let m: OpenMessage;
  switch (id) {
    case OpenMessageId.open_channel: {
      const temporaryChannelId = r.readBytes(CHANNEL_ID_BYTES);
      const fundingResonances = r.readU64();
      const pushMres = r.readU64();
      const at = r.offset;
      const feeratePerByte = r.readU32();
      if (feeratePerByte < 1) throw new DecodeError(`fee rate 0 at offset ${at}`);
      m = {
        type: "open_channel",
        temporaryChannelId,
        fundingResonances,
        pushMres,
        feeratePerByte,
        ...readParty(r),
      };
      break;
    }
    case OpenMessageId.accept_channel:
      m = {
        type: "accept_channel",
        temporaryChannelId: r.readBytes(CHANNEL_ID_BYTES),
        minimumDepth: r.readU32(),
        ...readParty(r),
      };
      break;
    case OpenMessageId.funding_created:
      m = {
        type: "funding_created",
        temporaryChannelId: r.readBytes(CHANNEL_ID_BYTES),
        fundingTxid: r.readBytes(32),
        fundingVout: r.readU32(),
        signature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case OpenMessageId.funding_signed:
      m = {
        type: "funding_signed",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        signature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case OpenMessageId.channel_ready:
      m = { type: "channel_ready", channelId: r.readBytes(CHANNEL_ID_BYTES) };
      break;
    case OpenMessageId.shutdown:
      m = {
        type: "shutdown",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        address: readAddressData(r),
      };
      break;
    case OpenMessageId.closing_signed:
      m = {
        type: "closing_signed",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        feeResonances: r.readU64(),
        signature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case OpenMessageId.channel_error: {
      const channelId = r.readBytes(CHANNEL_ID_BYTES);
      const at = r.offset;
      const bytes = r.readVarBytes(MAX_CHANNEL_ERROR_BYTES);
      let text: string;
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
      } catch {
        throw new DecodeError(`error text at offset ${at} is not UTF-8`);
      }
      m = { type: "channel_error", channelId, text };
      break;
    }
    default:
      throw new DecodeError(`unknown channel open message id 0x${id.toString(16)}`);
  }
  r.expectEnd();
  return m;
}

function writeParty(
  w: ByteWriter,
  p: ChannelPartyParams,
  l: ChannelLimits,
  first: Uint8Array,
  second: Uint8Array,
): void {
  fixed(w, p.fundingKey, 32, "funding key");
  fixed(w, p.revocationBasepoint, 32, "revocation basepoint");
  fixed(w, p.paymentBasepoint, 32, "payment basepoint");
  fixed(w, p.delayedPaymentBasepoint, 32, "delayed payment basepoint");
  fixed(w, p.htlcBasepoint, 32, "htlc basepoint");
  w.writeU32(p.toSelfDelaySecs).writeU64(u64(p.dustLimitResonances, "dust limit"));
  if (
    !Number.isInteger(l.maxAcceptedHtlcs) || l.maxAcceptedHtlcs < 1 ||
    l.maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT
  ) {
    throw new RangeError(`max accepted HTLCs must be in [1, 483], got ${l.maxAcceptedHtlcs}`);
  }
  w.writeU64(u64(l.reserveMres, "reserve")).writeU16(l.maxAcceptedHtlcs);
  w.writeU64(u64(l.maxHtlcValueInFlightMres, "max in flight"));
  w.writeU64(u64(l.htlcMinimumMres, "HTLC minimum"));
  fixed(w, first, 32, "first per-commitment point");
  fixed(w, second, 32, "second per-commitment point");
}

function readParty(r: ByteReader): {
  params: ChannelPartyParams;
  limits: ChannelLimits;
  firstPoint: Uint8Array;
  secondPoint: Uint8Array;
} {
  const fundingKey = r.readBytes(32);
  const revocationBasepoint = point(r, "revocation basepoint");
  const paymentBasepoint = point(r, "payment basepoint");
  const delayedPaymentBasepoint = point(r, "delayed payment basepoint");
  const htlcBasepoint = point(r, "htlc basepoint");
  const toSelfDelaySecs = r.readU32();
  const dustLimitResonances = r.readU64();
  const reserveMres = r.readU64();
  const at = r.offset;
  const maxAcceptedHtlcs = r.readU16();
  if (maxAcceptedHtlcs < 1 || maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT) {
    throw new DecodeError(
      `max accepted HTLCs at offset ${at} outside [1, 483]: ${maxAcceptedHtlcs}`,
    );
  }
  const maxHtlcValueInFlightMres = r.readU64();
  const htlcMinimumMres = r.readU64();
  return {
    params: {
      fundingKey,
      revocationBasepoint,
      paymentBasepoint,
      delayedPaymentBasepoint,
      htlcBasepoint,
      toSelfDelaySecs,
      dustLimitResonances,
    },
    limits: { reserveMres, maxAcceptedHtlcs, maxHtlcValueInFlightMres, htlcMinimumMres },
    firstPoint: point(r, "first per-commitment point"),
    secondPoint: point(r, "second per-commitment point"),
  };
}

function point(r: ByteReader, what: string): Uint8Array {
  const at = r.offset;
  const bytes = r.readBytes(32);
  if (!isValidPoint(bytes)) {
    throw new DecodeError(`${what} at offset ${at} is not a valid ristretto255 point`);
  }
  return bytes;
}

function fixed(w: ByteWriter, bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
  w.writeBytes(bytes);
}

function u64(value: bigint, what: string): bigint {
  if (value < 0n || value >= 2n ** 64n) throw new RangeError(`${what} is not a u64: ${value}`);
  return value;
}

/**
 * Per-hop onion payloads (BOLT 4 `tlv_payload`, PROTOCOL.md §9.9) and the onion hops of a
 * route, ready for `buildOnion` (sphinx.ts).
 *
 * ```
 * payload = TLV records in strictly ascending type, each BigSize(type) ‖ BigSize(len) ‖ value
 *   type 2  amt_to_forward         tu64 mres
 *   type 4  outgoing_expiry_secs   tu64 seconds of median-time-past (BOLT: a u32 block height)
 *   type 6  short_channel_id       8 bytes, the u64 big-endian       (forwarding hops only)
 *   type 8  payment_data           payment_secret 32 ‖ tu64 total_amount_mres  (final hop only)
 * tu64 = big-endian without leading zero bytes (0 is empty)
 * ```
 *
 * As BOLT 4: a forwarding hop's payload has 2, 4 and 6; the final hop's 2, 4 and 8. An unknown
 * even type is refused, an unknown odd type skipped. Decoders throw DecodeError only.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { onionPublicKeyOfNode } from "./onion_keys.ts";
import type { Route } from "./route_find.ts";
import type { OnionHop } from "./sphinx.ts";

const TYPE_AMOUNT = 2;
const TYPE_EXPIRY = 4;
const TYPE_CHANNEL = 6;
const TYPE_PAYMENT_DATA = 8;

/** What one hop reads from its onion payload. */
export interface HopPayload {
  /** Amount of the HTLC this hop sends on (the payee: what it must receive), mres. */
  amountToForwardMres: bigint;
  /** Expiry of the HTLC this hop sends on (the payee: its HTLC's expiry), seconds. */
  outgoingExpirySecs: number;
  /** The channel to forward over; absent for the final hop. */
  shortChannelId?: bigint;
  /** The invoice's payment secret; final hop only. */
  paymentSecret?: Uint8Array;
  /** The whole payment's amount (the invoice's); final hop only. */
  totalAmountMres?: bigint;
}

/**
 * Encodes a hop payload.
 *
 * @example
 * ```ts
 * import { decodeHopPayload, encodeHopPayload } from "./route_payload.ts";
 * const bytes = encodeHopPayload({
 *   amountToForwardMres: 1000n, outgoingExpirySecs: 1_800_000_000, shortChannelId: 7n,
 * });
 * console.log(decodeHopPayload(bytes).shortChannelId); // 7n
 * ```
 */
export function encodeHopPayload(payload: HopPayload): Uint8Array {
  const finalHop = payload.shortChannelId === undefined;
  if (finalHop !== (payload.paymentSecret !== undefined)) {
    throw new RangeError("a payload has either a short channel id or payment data");
  }
  if (!Number.isSafeInteger(payload.outgoingExpirySecs) || payload.outgoingExpirySecs < 0) {
    throw new RangeError(`outgoingExpirySecs must be a non-negative integer`);
  }
  const records: number[] = [];
  const push = (type: number, value: Uint8Array) => records.push(type, value.length, ...value);
  push(TYPE_AMOUNT, truncatedU64(payload.amountToForwardMres));
  push(TYPE_EXPIRY, truncatedU64(BigInt(payload.outgoingExpirySecs)));
  if (payload.shortChannelId !== undefined) {
    push(TYPE_CHANNEL, u64be(payload.shortChannelId));
  } else {
    const secret = payload.paymentSecret!;
    if (secret.length !== 32) throw new RangeError("paymentSecret must be 32 bytes");
    const total = truncatedU64(payload.totalAmountMres ?? payload.amountToForwardMres);
    push(TYPE_PAYMENT_DATA, new Uint8Array([...secret, ...total]));
  }
  return new Uint8Array(records);
}

/** Decodes a hop payload (see the module doc for what is refused). */
export function decodeHopPayload(bytes: Uint8Array): HopPayload {
  let at = 0;
  let lastType = -1;
  const values = new Map<number, Uint8Array>();
  while (at < bytes.length) {
    const type = readBigSize(bytes, at);
    at += type.size;
    const length = readBigSize(bytes, at);
    at += length.size;
    if (type.value <= lastType) throw new DecodeError("hop payload types must strictly ascend");
    lastType = type.value;
    if (at + length.value > bytes.length) throw new DecodeError("hop payload record is truncated");
    const value = bytes.slice(at, at + length.value);
    at += length.value;
    if ([TYPE_AMOUNT, TYPE_EXPIRY, TYPE_CHANNEL, TYPE_PAYMENT_DATA].includes(type.value)) {
      values.set(type.value, value);
    } else if (type.value % 2 === 0) {
      throw new DecodeError(`hop payload has unknown even type ${type.value}`);
    }
  }
  const amount = values.get(TYPE_AMOUNT);
  const expiry = values.get(TYPE_EXPIRY);
  if (!amount || !expiry) throw new DecodeError("hop payload lacks amount or expiry");
  const channel = values.get(TYPE_CHANNEL);
  const paymentData = values.get(TYPE_PAYMENT_DATA);
  if ((channel === undefined) === (paymentData === undefined)) {
    throw new DecodeError("hop payload must have exactly one of short_channel_id, payment_data");
  }
  const expirySecs = readTruncated(expiry, "outgoing_expiry_secs");
  if (expirySecs > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new DecodeError("hop payload expiry exceeds 2^53 - 1");
  }
  const payload: HopPayload = {
    amountToForwardMres: readTruncated(amount, "amt_to_forward"),
    outgoingExpirySecs: Number(expirySecs),
  };
  if (channel) {
    if (channel.length !== 8) throw new DecodeError("short_channel_id must be 8 bytes");
    payload.shortChannelId = new DataView(channel.buffer).getBigUint64(0);
  } else {
    const data = paymentData!;
    if (data.length < 32) throw new DecodeError("payment_data must hold a 32-byte secret");
    payload.paymentSecret = data.slice(0, 32);
    payload.totalAmountMres = readTruncated(data.subarray(32), "total_amount_mres");
  }
  return payload;
}

/**
 * The payloads of a route, in route order: hop i forwards over hop i+1's channel the amount and
 * expiry of hop i+1's HTLC; the payee gets its own HTLC's and the payment data.
 */
export function routeHopPayloads(
  route: Route,
  paymentSecret: Uint8Array,
  totalAmountMres: bigint = route.amountMres,
): HopPayload[] {
  return route.hops.map((hop, i) => {
    const next = route.hops[i + 1];
    if (next) {
      return {
        amountToForwardMres: next.amountMres,
        outgoingExpirySecs: next.expirySecs,
        shortChannelId: next.shortChannelId,
      };
    }
    return {
      amountToForwardMres: hop.amountMres,
      outgoingExpirySecs: hop.expirySecs,
      paymentSecret,
      totalAmountMres,
    };
  });
}

/** The onion hops of a route: each node's onion key (§9.3) and its encoded payload. */
export function routeOnionHops(
  route: Route,
  paymentSecret: Uint8Array,
  totalAmountMres: bigint = route.amountMres,
): OnionHop[] {
  const payloads = routeHopPayloads(route, paymentSecret, totalAmountMres);
  return route.hops.map((hop, i) => ({
    publicKey: onionPublicKeyOfNode(hop.nodeId),
    payload: encodeHopPayload(payloads[i]!),
  }));
}

function truncatedU64(value: bigint): Uint8Array {
  if (value < 0n || value > 0xffff_ffff_ffff_ffffn) throw new RangeError(`not a u64: ${value}`);
  const bytes = u64be(value);
  let first = 0;
  while (first < 8 && bytes[first] === 0) first++;
  return bytes.slice(first);
}

function u64be(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

function readTruncated(bytes: Uint8Array, name: string): bigint {
  if (bytes.length > 8) throw new DecodeError(`${name} is longer than 8 bytes`);
  if (bytes.length > 0 && bytes[0] === 0) throw new DecodeError(`${name} has a leading zero`);
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

function readBigSize(bytes: Uint8Array, at: number): { value: number; size: number } {
  const first = bytes[at];
  if (first === undefined) throw new DecodeError("hop payload record is truncated");
  if (first < 0xfd) return { value: first, size: 1 };
  const size = first === 0xfd ? 3 : first === 0xfe ? 5 : 9;
  if (at + size > bytes.length) throw new DecodeError("hop payload BigSize is truncated");
  let v = 0;
  if (size === 9) throw new DecodeError("hop payload BigSize is too large");
  for (let i = 1; i < size; i++) v = v * 256 + bytes[at + i]!;
  const min = size === 3 ? 0xfd : 0x1_0000;
  if (v < min) throw new DecodeError("hop payload BigSize is not canonical");
  return { value: v, size };
}

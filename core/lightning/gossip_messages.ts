/**
 * The three gossip messages (BOLT 7 shapes, rnt encodings; PROTOCOL.md §9.9): strict encoders
 * and decoders. Integers are little-endian (§1); amounts are milli-resonances (§9.1); times are
 * seconds; keys are 32-byte Ed25519 keys and signatures 64 bytes.
 *
 * ```
 * channel_announcement (392) = node_sig_1 64 ‖ node_sig_2 64 ‖ funding_sig_1 64 ‖ funding_sig_2 64
 *                              ‖ short_channel_id u64 ‖ node_id_1 32 ‖ node_id_2 32
 *                              ‖ funding_key_1 32 ‖ funding_key_2 32
 * channel_update (109)       = signature 64 ‖ short_channel_id u64 ‖ timestamp u64 ‖ flags u8
 *                              ‖ time_lock_delta_secs u32 ‖ htlc_minimum_mres u64
 *                              ‖ htlc_maximum_mres u64 ‖ fee_base_mres u32 ‖ fee_ppm u32
 * node_announcement (≤ 417)  = signature 64 ‖ node_id 32 ‖ timestamp u64 ‖ alias 32
 *                              ‖ CompactSize(n ≤ 8) ‖ n × address (§8.4)
 * ```
 *
 * Each signature covers everything after the signatures (gossip_signatures.ts). Decoders throw
 * {@linkcode DecodeError} and nothing else for any input: wrong length, unknown flag bits,
 * `node_id_1 ≥ node_id_2`, equal funding keys, htlc minimum above maximum, an alias that is not
 * UTF-8 followed by zero padding, a bad address.
 *
 * @module
 */
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { DecodeError } from "../errors.ts";

/** Proposed `ln_*` message id of `channel_announcement` (§8.2 range 0x80–0xbf). */
export const CHANNEL_ANNOUNCEMENT_MESSAGE_ID = 0xb0;
/** Proposed `ln_*` message id of `node_announcement`. */
export const NODE_ANNOUNCEMENT_MESSAGE_ID = 0xb1;
/** Proposed `ln_*` message id of `channel_update`. */
export const CHANNEL_UPDATE_MESSAGE_ID = 0xb2;

/** Size of an encoded `channel_announcement`. */
export const CHANNEL_ANNOUNCEMENT_BYTES = 4 * 64 + 8 + 4 * 32;
/** Size of an encoded `channel_update`. */
export const CHANNEL_UPDATE_BYTES = 64 + 8 + 8 + 1 + 4 + 8 + 8 + 4 + 4;
/** Bytes of the alias field (UTF-8, zero-padded). */
export const ALIAS_BYTES = 32;
/** Most addresses in a `node_announcement`. */
export const MAX_NODE_ADDRESSES = 8;
/** `channel_update` flag bit 0: the update is node 2's (forwarding from node 2 to node 1). */
export const UPDATE_FLAG_DIRECTION = 1;
/** `channel_update` flag bit 1: the direction is disabled. */
export const UPDATE_FLAG_DISABLED = 2;

/** A `channel_announcement`: both nodes and both funding keys prove the channel. */
export interface ChannelAnnouncement {
  /** Signature by node_id_1 over the signed part. */
  nodeSignature1: Uint8Array;
  /** Signature by node_id_2. */
  nodeSignature2: Uint8Array;
  /** Signature by funding_key_1. */
  fundingSignature1: Uint8Array;
  /** Signature by funding_key_2. */
  fundingSignature2: Uint8Array;
  /** Position of the funding output (gossip_channel_id.ts). */
  shortChannelId: bigint;
  /** The lesser node id (bytewise). */
  nodeId1: Uint8Array;
  /** The greater node id. */
  nodeId2: Uint8Array;
  /** node_id_1's half of the funding 2-of-2. */
  fundingKey1: Uint8Array;
  /** node_id_2's half of the funding 2-of-2. */
  fundingKey2: Uint8Array;
}

/** A `channel_update`: one direction's forwarding policy, signed by the node it comes from. */
export interface ChannelUpdate {
  /** Signature by the origin node (node_id_1 when direction is 0, else node_id_2). */
  signature: Uint8Array;
  /** The channel. */
  shortChannelId: bigint;
  /** Seconds since 1970; a newer update replaces an older one. */
  timestamp: number;
  /** 0: from node_id_1 towards node_id_2; 1: the other way. */
  direction: 0 | 1;
  /** The origin refuses to forward in this direction. */
  disabled: boolean;
  /** Seconds the origin adds between the incoming and the outgoing HTLC expiry (u32). */
  timeLockDeltaSecs: number;
  /** Smallest HTLC the origin forwards, mres. */
  htlcMinimumMres: bigint;
  /** Largest HTLC the origin forwards, mres. */
  htlcMaximumMres: bigint;
  /** Fixed fee per forwarded HTLC, mres (u32). */
  feeBaseMres: number;
  /** Fee per forwarded mres, in millionths (u32). */
  feeProportionalMillionths: number;
}

/** A network address as §8.4 encodes it. */
export interface NodeAddress {
  /** 1 = IPv4 (4 bytes), 2 = IPv6 (16 bytes), 4 = Tor v3 (32-byte service key). */
  network: 1 | 2 | 4;
  /** The address bytes. */
  bytes: Uint8Array;
  /** TCP port. */
  port: number;
}

/** A `node_announcement`: a node's alias and addresses, signed by the node. */
export interface NodeAnnouncement {
  /** Signature by `nodeId`. */
  signature: Uint8Array;
  /** The node's Ed25519 key. */
  nodeId: Uint8Array;
  /** Seconds since 1970; a newer announcement replaces an older one. */
  timestamp: number;
  /** Display name, at most 32 bytes of UTF-8 without NUL. */
  alias: string;
  /** Where the node listens (at most 8). */
  addresses: NodeAddress[];
}

const ADDRESS_BYTES: Record<number, number> = { 1: 4, 2: 16, 4: 32 };
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** Encodes a `channel_announcement` (392 bytes; the message id is not included). */
export function encodeChannelAnnouncement(msg: ChannelAnnouncement): Uint8Array {
  const w = new ByteWriter(CHANNEL_ANNOUNCEMENT_BYTES);
  for (const sig of [msg.nodeSignature1, msg.nodeSignature2, msg.fundingSignature1]) {
    w.writeBytes(fixed(sig, 64, "signature"));
  }
  w.writeBytes(fixed(msg.fundingSignature2, 64, "signature"));
  w.writeBytes(channelAnnouncementSignedPart(msg));
  return w.finish();
}

/**
 * The bytes the four signatures of a `channel_announcement` cover: everything after them.
 * Throws RangeError for a field of the wrong size or order.
 */
export function channelAnnouncementSignedPart(
  msg: Omit<
    ChannelAnnouncement,
    "nodeSignature1" | "nodeSignature2" | "fundingSignature1" | "fundingSignature2"
  >,
): Uint8Array {
  checkU64(msg.shortChannelId, "shortChannelId");
  if (compareBytes(fixed(msg.nodeId1, 32, "nodeId1"), fixed(msg.nodeId2, 32, "nodeId2")) >= 0) {
    throw new RangeError("nodeId1 must sort before nodeId2");
  }
  if (compareBytes(msg.fundingKey1, msg.fundingKey2) === 0) {
    throw new RangeError("funding keys must differ");
  }
  return new ByteWriter(CHANNEL_ANNOUNCEMENT_BYTES - 256)
    .writeU64(msg.shortChannelId)
    .writeBytes(msg.nodeId1)
    .writeBytes(msg.nodeId2)
    .writeBytes(fixed(msg.fundingKey1, 32, "fundingKey1"))
    .writeBytes(fixed(msg.fundingKey2, 32, "fundingKey2"))
    .finish();
}

/**
 * Decodes a `channel_announcement` payload.
 *
 * @example
 * ```ts
 * import { decodeChannelAnnouncement } from "./gossip_messages.ts";
 * try {
 *   decodeChannelAnnouncement(new Uint8Array(10));
 * } catch (e) {
 *   console.log((e as Error).name); // DecodeError
 * }
 * ```
 */
export function decodeChannelAnnouncement(bytes: Uint8Array): ChannelAnnouncement {
  expectLength(bytes, CHANNEL_ANNOUNCEMENT_BYTES, "channel_announcement");
  const r = new ByteReader(bytes);
  const msg: ChannelAnnouncement = {
    nodeSignature1: r.readBytes(64),
    nodeSignature2: r.readBytes(64),
    fundingSignature1: r.readBytes(64),
    fundingSignature2: r.readBytes(64),
    shortChannelId: r.readU64(),
    nodeId1: r.readBytes(32),
    nodeId2: r.readBytes(32),
    fundingKey1: r.readBytes(32),
    fundingKey2: r.readBytes(32),
  };
  r.expectEnd();
  if (compareBytes(msg.nodeId1, msg.nodeId2) >= 0) {
    throw new DecodeError("channel_announcement node_id_1 must sort before node_id_2");
  }
  if (compareBytes(msg.fundingKey1, msg.fundingKey2) === 0) {
    throw new DecodeError("channel_announcement funding keys must differ");
  }
  return msg;
}

/** Encodes a `channel_update` (109 bytes). */
export function encodeChannelUpdate(msg: ChannelUpdate): Uint8Array {
  return new ByteWriter(CHANNEL_UPDATE_BYTES)
    .writeBytes(fixed(msg.signature, 64, "signature"))
    .writeBytes(channelUpdateSignedPart(msg))
    .finish();
}

/** The bytes a `channel_update`'s signature covers: everything after it. */
export function channelUpdateSignedPart(msg: Omit<ChannelUpdate, "signature">): Uint8Array {
  checkU64(msg.shortChannelId, "shortChannelId");
  checkTime(msg.timestamp, "timestamp");
  if (msg.direction !== 0 && msg.direction !== 1) {
    throw new RangeError(`direction must be 0 or 1, got ${msg.direction}`);
  }
  checkU32(msg.timeLockDeltaSecs, "timeLockDeltaSecs");
  checkU64(msg.htlcMinimumMres, "htlcMinimumMres");
  checkU64(msg.htlcMaximumMres, "htlcMaximumMres");
  if (msg.htlcMinimumMres > msg.htlcMaximumMres) {
    throw new RangeError("htlcMinimumMres must not exceed htlcMaximumMres");
  }
  checkU32(msg.feeBaseMres, "feeBaseMres");
  checkU32(msg.feeProportionalMillionths, "feeProportionalMillionths");
  return new ByteWriter(CHANNEL_UPDATE_BYTES - 64)
    .writeU64(msg.shortChannelId)
    .writeU64(msg.timestamp)
    .writeU8(msg.direction | (msg.disabled ? UPDATE_FLAG_DISABLED : 0))
    .writeU32(msg.timeLockDeltaSecs)
    .writeU64(msg.htlcMinimumMres)
    .writeU64(msg.htlcMaximumMres)
    .writeU32(msg.feeBaseMres)
    .writeU32(msg.feeProportionalMillionths)
    .finish();
}

/** Decodes a `channel_update` payload. */
export function decodeChannelUpdate(bytes: Uint8Array): ChannelUpdate {
  expectLength(bytes, CHANNEL_UPDATE_BYTES, "channel_update");
  const r = new ByteReader(bytes);
  const signature = r.readBytes(64);
  const shortChannelId = r.readU64();
  const timestamp = r.readU64Number();
  const flags = r.readU8();
  if ((flags & ~(UPDATE_FLAG_DIRECTION | UPDATE_FLAG_DISABLED)) !== 0) {
    throw new DecodeError(`channel_update has unknown flag bits: 0x${flags.toString(16)}`);
  }
  const msg: ChannelUpdate = {
    signature,
    shortChannelId,
    timestamp,
    direction: (flags & UPDATE_FLAG_DIRECTION) as 0 | 1,
    disabled: (flags & UPDATE_FLAG_DISABLED) !== 0,
    timeLockDeltaSecs: r.readU32(),
    htlcMinimumMres: r.readU64(),
    htlcMaximumMres: r.readU64(),
    feeBaseMres: r.readU32(),
    feeProportionalMillionths: r.readU32(),
  };
  r.expectEnd();
  if (msg.htlcMinimumMres > msg.htlcMaximumMres) {
    throw new DecodeError(
      `channel_update htlc minimum ${msg.htlcMinimumMres} exceeds maximum ${msg.htlcMaximumMres}`,
    );
  }
  return msg;
}

/** Encodes a `node_announcement`. */
export function encodeNodeAnnouncement(msg: NodeAnnouncement): Uint8Array {
  return new ByteWriter(128)
    .writeBytes(fixed(msg.signature, 64, "signature"))
    .writeBytes(nodeAnnouncementSignedPart(msg))
    .finish();
}

/** The bytes a `node_announcement`'s signature covers: everything after it. */
export function nodeAnnouncementSignedPart(msg: Omit<NodeAnnouncement, "signature">): Uint8Array {
  checkTime(msg.timestamp, "timestamp");
  const alias = textEncoder.encode(msg.alias);
  if (alias.length > ALIAS_BYTES) {
    throw new RangeError(`alias must be at most ${ALIAS_BYTES} bytes, got ${alias.length}`);
  }
  if (alias.includes(0)) throw new RangeError("alias must not contain NUL");
  if (msg.addresses.length > MAX_NODE_ADDRESSES) {
    throw new RangeError(
      `at most ${MAX_NODE_ADDRESSES} addresses, got ${msg.addresses.length}`,
    );
  }
  const padded = new Uint8Array(ALIAS_BYTES);
  padded.set(alias);
  const w = new ByteWriter(128)
    .writeBytes(fixed(msg.nodeId, 32, "nodeId"))
    .writeU64(msg.timestamp)
    .writeBytes(padded)
    .writeCompactSize(msg.addresses.length);
  for (const a of msg.addresses) {
    const size = ADDRESS_BYTES[a.network];
    if (size === undefined) throw new RangeError(`unknown address network ${a.network}`);
    checkUint(a.port, 0xffff, "port");
    w.writeU8(a.network).writeBytes(fixed(a.bytes, size, "address")).writeU16(a.port);
  }
  return w.finish();
}

/** Decodes a `node_announcement` payload. */
export function decodeNodeAnnouncement(bytes: Uint8Array): NodeAnnouncement {
  const r = new ByteReader(bytes);
  const signature = r.readBytes(64);
  const nodeId = r.readBytes(32);
  const timestamp = r.readU64Number();
  const aliasBytes = r.readBytes(ALIAS_BYTES);
  const alias = decodeAlias(aliasBytes);
  const count = r.readCount(MAX_NODE_ADDRESSES, 1 + 4 + 2);
  const addresses: NodeAddress[] = [];
  for (let i = 0; i < count; i++) {
    const network = r.readU8();
    const size = ADDRESS_BYTES[network];
    if (size === undefined) {
      throw new DecodeError(`node_announcement address ${i} has unknown network ${network}`);
    }
    const address = r.readBytes(size);
    if (network === 2 && isIpv4Mapped(address)) {
      throw new DecodeError(`node_announcement address ${i} is IPv4-mapped IPv6`);
    }
    addresses.push({ network: network as 1 | 2 | 4, bytes: address, port: r.readU16() });
  }
  r.expectEnd();
  return { signature, nodeId, timestamp, alias, addresses };
}

/** A gossip message with its kind, as it travels in a frame (§8.1: `id u8 ‖ payload`). */
export type GossipMessage =
  | { kind: "channel_announcement"; message: ChannelAnnouncement }
  | { kind: "node_announcement"; message: NodeAnnouncement }
  | { kind: "channel_update"; message: ChannelUpdate };

/**
 * Encodes a gossip message with its id byte first.
 *
 * @example
 * ```ts
 * import { decodeGossipMessage, encodeGossipMessage } from "./gossip_messages.ts";
 * const bytes = encodeGossipMessage({
 *   kind: "node_announcement",
 *   message: {
 *     signature: new Uint8Array(64), nodeId: new Uint8Array(32).fill(1), timestamp: 1,
 *     alias: "n", addresses: [],
 *   },
 * });
 * console.log(bytes[0], decodeGossipMessage(bytes).kind); // 177 node_announcement
 * ```
 */
export function encodeGossipMessage(msg: GossipMessage): Uint8Array {
  let id: number;
  let payload: Uint8Array;
  switch (msg.kind) {
    case "channel_announcement":
      id = CHANNEL_ANNOUNCEMENT_MESSAGE_ID;
      payload = encodeChannelAnnouncement(msg.message);
      break;
    case "node_announcement":
      id = NODE_ANNOUNCEMENT_MESSAGE_ID;
      payload = encodeNodeAnnouncement(msg.message);
      break;
    case "channel_update":
      id = CHANNEL_UPDATE_MESSAGE_ID;
      payload = encodeChannelUpdate(msg.message);
      break;
  }
  const out = new Uint8Array(1 + payload.length);
  out[0] = id;
  out.set(payload, 1);
  return out;
}

/** Decodes `id u8 ‖ payload` of a gossip message; any other id is a DecodeError. */
export function decodeGossipMessage(bytes: Uint8Array): GossipMessage {
  if (bytes.length === 0) throw new DecodeError("gossip message is empty");
  const payload = bytes.subarray(1);
  switch (bytes[0]) {
    case CHANNEL_ANNOUNCEMENT_MESSAGE_ID:
      return { kind: "channel_announcement", message: decodeChannelAnnouncement(payload) };
    case NODE_ANNOUNCEMENT_MESSAGE_ID:
      return { kind: "node_announcement", message: decodeNodeAnnouncement(payload) };
    case CHANNEL_UPDATE_MESSAGE_ID:
      return { kind: "channel_update", message: decodeChannelUpdate(payload) };
    default:
      throw new DecodeError(`not a gossip message id: 0x${bytes[0]!.toString(16)}`);
  }
}

/** Bytewise order of two byte strings (negative, zero or positive). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}

function decodeAlias(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end === -1) end = bytes.length;
  for (let i = end; i < bytes.length; i++) {
    if (bytes[i] !== 0) throw new DecodeError("node_announcement alias has bytes after its NUL");
  }
  try {
    return textDecoder.decode(bytes.subarray(0, end));
  } catch {
    throw new DecodeError("node_announcement alias is not UTF-8");
  }
}

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

function expectLength(bytes: Uint8Array, expected: number, what: string): void {
  if (bytes.length !== expected) {
    throw new DecodeError(`${what} must be ${expected} bytes, got ${bytes.length}`);
  }
}

function fixed(bytes: Uint8Array, size: number, name: string): Uint8Array {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (bytes.length !== size) {
    throw new RangeError(`${name} must be ${size} bytes, got ${bytes.length}`);
  }
  return bytes;
}

function checkU64(value: bigint, name: string): void {
  if (typeof value !== "bigint" || value < 0n || value > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`${name} must be a u64 bigint, got ${value}`);
  }
}

function checkU32(value: number, name: string): void {
  checkUint(value, 0xffff_ffff, name);
}

function checkTime(value: number, name: string): void {
  checkUint(value, Number.MAX_SAFE_INTEGER, name);
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

/**
 * `announcement_signatures` (BOLT 7, rnt encoding; PROTOCOL.md §9.9): how the two ends of a
 * channel build its `channel_announcement` without either holding the other's keys. Once the
 * funding is deep enough, each end signs the announcement's signed part with its node key and its
 * funding key and sends the two signatures; with the peer's half it holds all four.
 *
 * ```
 * announcement_signatures (0xb4, 168) = channel_id 32 ‖ short_channel_id u64
 *                                       ‖ node_signature 64 ‖ funding_signature 64
 * ```
 *
 * @module
 */
import { keyPairFromSeed, sign, verify } from "../crypto/ed25519.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { DecodeError } from "../errors.ts";
import { bytesEqual } from "../util/bytes_equal.ts";
import { type ChannelAnnouncement, compareBytes } from "./gossip_messages.ts";
import { channelAnnouncementHash } from "./gossip_signatures.ts";

/** Proposed `ln_*` message id of `announcement_signatures` (§8.2, after the gossip 0xb0–0xb3). */
export const ANNOUNCEMENT_SIGNATURES_MESSAGE_ID = 0xb4;
/** Size of an encoded `announcement_signatures` payload. */
export const ANNOUNCEMENT_SIGNATURES_BYTES = 32 + 8 + 64 + 64;

/** One end's half of a channel announcement. */
export interface AnnouncementSignatures {
  /** The channel (its funding channel id, §9.11). */
  channelId: Uint8Array;
  /** Where its funding output is (gossip_channel_id.ts). */
  shortChannelId: bigint;
  /** The sender's node key over the announcement hash. */
  nodeSignature: Uint8Array;
  /** The sender's funding key over the announcement hash. */
  fundingSignature: Uint8Array;
}

/** The announcement's fields before any signature. */
export type UnsignedAnnouncement = Omit<
  ChannelAnnouncement,
  "nodeSignature1" | "nodeSignature2" | "fundingSignature1" | "fundingSignature2"
>;

/** One end's keys as a channel knows them. */
export interface AnnouncementEnd {
  /** The node id. */
  nodeId: Uint8Array;
  /** Its funding key of this channel. */
  fundingKey: Uint8Array;
}

/**
 * The unsigned announcement of the channel at `shortChannelId` between `a` and `b` (either
 * order: the lesser node id becomes node 1, with its funding key). Throws RangeError for equal
 * node ids or funding keys.
 */
export function unsignedAnnouncement(
  shortChannelId: bigint,
  a: AnnouncementEnd,
  b: AnnouncementEnd,
): UnsignedAnnouncement {
  const order = compareBytes(a.nodeId, b.nodeId);
  if (order === 0) throw new RangeError("a channel needs two different nodes");
  const [one, two] = order < 0 ? [a, b] : [b, a];
  return {
    shortChannelId,
    nodeId1: one.nodeId,
    nodeId2: two.nodeId,
    fundingKey1: one.fundingKey,
    fundingKey2: two.fundingKey,
  };
}

/**
 * Our half: the announcement hash signed with our node seed and our funding seed.
 *
 * @example
 * ```ts
 * import { keyPairFromSeed } from "../crypto/ed25519.ts";
 * import {
 *   assembleAnnouncement, signAnnouncementHalf, unsignedAnnouncement,
 * } from "./announcement_signatures.ts";
 * import { verifyChannelAnnouncement } from "./gossip_signatures.ts";
 * const magic = new Uint8Array([0xd9, 0x52, 0x4e, 0x03]);
 * const seed = (b: number) => new Uint8Array(32).fill(b);
 * const key = (b: number) => keyPairFromSeed(seed(b)).publicKey;
 * const unsigned = unsignedAnnouncement(
 *   7n, { nodeId: key(1), fundingKey: key(2) }, { nodeId: key(3), fundingKey: key(4) },
 * );
 * const channelId = new Uint8Array(32);
 * const a = signAnnouncementHalf(unsigned, channelId, seed(1), seed(2), magic);
 * const b = signAnnouncementHalf(unsigned, channelId, seed(3), seed(4), magic);
 * console.log(verifyChannelAnnouncement(assembleAnnouncement(unsigned, key(1), a, b), magic)); // true
 * ```
 */
export function signAnnouncementHalf(
  unsigned: UnsignedAnnouncement,
  channelId: Uint8Array,
  nodeSeed: Uint8Array,
  fundingSeed: Uint8Array,
  magic: Uint8Array,
): AnnouncementSignatures {
  const hash = channelAnnouncementHash(unsigned, magic);
  return {
    channelId,
    shortChannelId: unsigned.shortChannelId,
    nodeSignature: sign(keyPairFromSeed(nodeSeed).secretKey, hash),
    fundingSignature: sign(keyPairFromSeed(fundingSeed).secretKey, hash),
  };
}

/**
 * True when `half` is `end`'s valid half of `unsigned` (same short channel id, both signatures
 * by `end`'s keys).
 */
export function verifyAnnouncementHalf(
  unsigned: UnsignedAnnouncement,
  end: AnnouncementEnd,
  half: AnnouncementSignatures,
  magic: Uint8Array,
): boolean {
  if (half.shortChannelId !== unsigned.shortChannelId) return false;
  const hash = channelAnnouncementHash(unsigned, magic);
  return verify(half.nodeSignature, hash, end.nodeId) &&
    verify(half.fundingSignature, hash, end.fundingKey);
}

/** The signed announcement from our half and the peer's (`ourNodeId` says which is node 1). */
export function assembleAnnouncement(
  unsigned: UnsignedAnnouncement,
  ourNodeId: Uint8Array,
  ours: AnnouncementSignatures,
  theirs: AnnouncementSignatures,
): ChannelAnnouncement {
  const weAreOne = bytesEqual(unsigned.nodeId1, ourNodeId);
  if (!weAreOne && !bytesEqual(unsigned.nodeId2, ourNodeId)) {
    throw new RangeError("our node is not an end of this channel");
  }
  const [one, two] = weAreOne ? [ours, theirs] : [theirs, ours];
  return {
    nodeSignature1: one.nodeSignature,
    nodeSignature2: two.nodeSignature,
    fundingSignature1: one.fundingSignature,
    fundingSignature2: two.fundingSignature,
    ...unsigned,
  };
}

/** Encodes an `announcement_signatures` payload (without the id byte). */
export function encodeAnnouncementSignatures(msg: AnnouncementSignatures): Uint8Array {
  if (msg.channelId.length !== 32) throw new RangeError("channelId must be 32 bytes");
  if (msg.nodeSignature.length !== 64 || msg.fundingSignature.length !== 64) {
    throw new RangeError("signatures must be 64 bytes");
  }
  if (msg.shortChannelId < 0n || msg.shortChannelId > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`shortChannelId must be a u64, got ${msg.shortChannelId}`);
  }
  return new ByteWriter(ANNOUNCEMENT_SIGNATURES_BYTES)
    .writeBytes(msg.channelId)
    .writeU64(msg.shortChannelId)
    .writeBytes(msg.nodeSignature)
    .writeBytes(msg.fundingSignature)
    .finish();
}

/** Decodes an `announcement_signatures` payload; DecodeError on any other length. */
export function decodeAnnouncementSignatures(bytes: Uint8Array): AnnouncementSignatures {
  if (bytes.length !== ANNOUNCEMENT_SIGNATURES_BYTES) {
    throw new DecodeError(
      `announcement_signatures must be ${ANNOUNCEMENT_SIGNATURES_BYTES} bytes, got ${bytes.length}`,
    );
  }
  const r = new ByteReader(bytes);
  const msg = {
    channelId: r.readBytes(32),
    shortChannelId: r.readU64(),
    nodeSignature: r.readBytes(64),
    fundingSignature: r.readBytes(64),
  };
  r.expectEnd();
  return msg;
}

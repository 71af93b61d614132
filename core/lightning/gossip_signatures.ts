/**
 * Signatures of gossip (PROTOCOL.md §9.9): each message is signed with Ed25519 (strict, §1)
 * over a tagged hash of its signed part, so a signature means nothing under another tag or on
 * another network:
 *
 * ```
 * channel_announcement: taggedHash("rnt/ln-channel-announcement", magic, signed part)
 *                       signed by node_id_1, node_id_2, funding_key_1, funding_key_2
 * channel_update:       taggedHash("rnt/ln-channel-update", magic, signed part)
 *                       signed by node_id_1 (direction 0) or node_id_2 (direction 1)
 * node_announcement:    taggedHash("rnt/ln-node-announcement", magic, signed part)
 *                       signed by node_id
 * ```
 *
 * BOLT 7 hashes with double SHA-256 and signs with secp256k1; the network is in its
 * `chain_hash` field, here in the magic of the hash.
 *
 * @module
 */
import { keyPairFromSeed, sign, verify } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import {
  type ChannelAnnouncement,
  channelAnnouncementSignedPart,
  type ChannelUpdate,
  channelUpdateSignedPart,
  compareBytes,
  type NodeAnnouncement,
  nodeAnnouncementSignedPart,
} from "./gossip_messages.ts";

/** Tag of the hash the four `channel_announcement` signatures sign. */
export const CHANNEL_ANNOUNCEMENT_TAG = "rnt/ln-channel-announcement";
/** Tag of the hash a `channel_update` signature signs. */
export const CHANNEL_UPDATE_TAG = "rnt/ln-channel-update";
/** Tag of the hash a `node_announcement` signature signs. */
export const NODE_ANNOUNCEMENT_TAG = "rnt/ln-node-announcement";

/** The 32-byte seeds of the four keys of a channel announcement, for either node order. */
export interface ChannelAnnouncementSeeds {
  /** Seed of one node's node key. */
  nodeSeedA: Uint8Array;
  /** Seed of that node's funding key. */
  fundingSeedA: Uint8Array;
  /** Seed of the other node's node key. */
  nodeSeedB: Uint8Array;
  /** Seed of the other node's funding key. */
  fundingSeedB: Uint8Array;
}

/**
 * Builds and signs a `channel_announcement` from the four seeds (the node with the lesser node
 * id becomes node 1, with its funding key). In a real channel each node signs its two halves
 * and sends them to the other (BOLT 7 `announcement_signatures`); this helper holds all four.
 *
 * @example
 * ```ts
 * import { signChannelAnnouncement, verifyChannelAnnouncement } from "./gossip_signatures.ts";
 * const seed = (b: number) => new Uint8Array(32).fill(b);
 * const magic = new Uint8Array([0xd9, 0x52, 0x4e, 0x03]);
 * const ann = signChannelAnnouncement(
 *   { nodeSeedA: seed(1), fundingSeedA: seed(2), nodeSeedB: seed(3), fundingSeedB: seed(4) },
 *   (700n << 32n) | 1n,
 *   magic,
 * );
 * console.log(verifyChannelAnnouncement(ann, magic)); // true
 * ```
 */
export function signChannelAnnouncement(
  seeds: ChannelAnnouncementSeeds,
  shortChannelId: bigint,
  magic: Uint8Array,
): ChannelAnnouncement {
  let a = {
    node: keyPairFromSeed(seeds.nodeSeedA),
    funding: keyPairFromSeed(seeds.fundingSeedA),
  };
  let b = {
    node: keyPairFromSeed(seeds.nodeSeedB),
    funding: keyPairFromSeed(seeds.fundingSeedB),
  };
  if (compareBytes(a.node.publicKey, b.node.publicKey) > 0) [a, b] = [b, a];
  const unsigned = {
    shortChannelId,
    nodeId1: a.node.publicKey,
    nodeId2: b.node.publicKey,
    fundingKey1: a.funding.publicKey,
    fundingKey2: b.funding.publicKey,
  };
  const hash = channelAnnouncementHash(unsigned, magic);
  return {
    nodeSignature1: sign(a.node.secretKey, hash),
    nodeSignature2: sign(b.node.secretKey, hash),
    fundingSignature1: sign(a.funding.secretKey, hash),
    fundingSignature2: sign(b.funding.secretKey, hash),
    ...unsigned,
  };
}

/** The hash the four signatures of a `channel_announcement` sign. */
export function channelAnnouncementHash(
  msg: Parameters<typeof channelAnnouncementSignedPart>[0],
  magic: Uint8Array,
): Uint8Array {
  return taggedHash(CHANNEL_ANNOUNCEMENT_TAG, magic, channelAnnouncementSignedPart(msg));
}

/** True when all four signatures of `msg` are valid. */
export function verifyChannelAnnouncement(msg: ChannelAnnouncement, magic: Uint8Array): boolean {
  const hash = channelAnnouncementHash(msg, magic);
  return verify(msg.nodeSignature1, hash, msg.nodeId1) &&
    verify(msg.nodeSignature2, hash, msg.nodeId2) &&
    verify(msg.fundingSignature1, hash, msg.fundingKey1) &&
    verify(msg.fundingSignature2, hash, msg.fundingKey2);
}

/** Signs a `channel_update` with the origin node's seed. */
export function signChannelUpdate(
  unsigned: Omit<ChannelUpdate, "signature">,
  nodeSeed: Uint8Array,
  magic: Uint8Array,
): ChannelUpdate {
  const hash = taggedHash(CHANNEL_UPDATE_TAG, magic, channelUpdateSignedPart(unsigned));
  return { signature: sign(nodeSeed, hash), ...unsigned };
}

/** True when `msg` is signed by `originNodeId` (the channel's node of its direction). */
export function verifyChannelUpdate(
  msg: ChannelUpdate,
  originNodeId: Uint8Array,
  magic: Uint8Array,
): boolean {
  const hash = taggedHash(CHANNEL_UPDATE_TAG, magic, channelUpdateSignedPart(msg));
  return verify(msg.signature, hash, originNodeId);
}

/** Signs a `node_announcement` (its `nodeId` must be the seed's key). */
export function signNodeAnnouncement(
  unsigned: Omit<NodeAnnouncement, "signature" | "nodeId">,
  nodeSeed: Uint8Array,
  magic: Uint8Array,
): NodeAnnouncement {
  const withKey = { ...unsigned, nodeId: keyPairFromSeed(nodeSeed).publicKey };
  const hash = taggedHash(NODE_ANNOUNCEMENT_TAG, magic, nodeAnnouncementSignedPart(withKey));
  return { signature: sign(nodeSeed, hash), ...withKey };
}

/** True when `msg` is signed by its `nodeId`. */
export function verifyNodeAnnouncement(msg: NodeAnnouncement, magic: Uint8Array): boolean {
  const hash = taggedHash(NODE_ANNOUNCEMENT_TAG, magic, nodeAnnouncementSignedPart(msg));
  return verify(msg.signature, hash, msg.nodeId);
}

/**
 * The channel graph on disk (PROTOCOL.md §9.9): what the node writes so a restart need not
 * learn the network again.
 *
 * ```
 * graph    = version u8 (= 1) ‖ CompactSize(channels) ‖ channel* ‖ CompactSize(nodes)
 *            ‖ node_announcement*                               (each CompactSize(len) ‖ bytes)
 * channel  = flags u8 ‖ body ‖ added_at u64 ‖ [capacity u64] ‖ [update 0] ‖ [update 1]
 *   flags  = bit 0 announced, bit 1 capacity known, bit 2 update 0 held, bit 3 update 1 held
 *   body   = channel_announcement (392)        when announced
 *          = short_channel_id u64 ‖ node_id_1 32 ‖ node_id_2 32   when private
 *   update = channel_update (109); a private channel's carry 64 zero bytes as signature
 * ```
 *
 * Decoding is strict (DecodeError: unknown flags, an update of another channel or direction,
 * nodes out of order, a node announcement without a channel, duplicates, trailing bytes) but
 * does not verify signatures again: the node checked them before writing, and 10,000 channels
 * hold 40,000 signatures.
 *
 * @module
 */
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { DecodeError } from "../errors.ts";
import { ChannelGraph, type GraphChannel, nodeKey } from "./graph.ts";
import {
  CHANNEL_ANNOUNCEMENT_BYTES,
  CHANNEL_UPDATE_BYTES,
  type ChannelUpdate,
  compareBytes,
  decodeChannelAnnouncement,
  decodeChannelUpdate,
  decodeNodeAnnouncement,
  encodeChannelAnnouncement,
  encodeChannelUpdate,
  encodeNodeAnnouncement,
} from "./gossip_messages.ts";

/** Format version written first. */
export const CHANNEL_GRAPH_FORMAT_VERSION = 1;
/** Most channels a persisted graph may hold. */
export const MAX_PERSISTED_CHANNELS = 10_000_000;
/** Longest node announcement read back. */
const MAX_NODE_ANNOUNCEMENT_BYTES = 1024;

const FLAG_ANNOUNCED = 1;
const FLAG_CAPACITY = 2;
const FLAG_UPDATE_0 = 4;
const FLAG_UPDATE_1 = 8;

/**
 * Serialises every channel and node announcement of `graph`.
 *
 * @example
 * ```ts
 * import { ChannelGraph } from "./graph.ts";
 * import { decodeChannelGraph, encodeChannelGraph } from "./graph_codec.ts";
 * const graph = new ChannelGraph();
 * graph.addPrivateChannel({
 *   shortChannelId: 5n, nodeIdA: new Uint8Array(32).fill(1), nodeIdB: new Uint8Array(32).fill(2),
 * }, 0);
 * console.log(decodeChannelGraph(encodeChannelGraph(graph)).channelCount); // 1
 * ```
 */
export function encodeChannelGraph(graph: ChannelGraph): Uint8Array {
  const w = new ByteWriter(1024).writeU8(CHANNEL_GRAPH_FORMAT_VERSION);
  w.writeCompactSize(graph.channelCount);
  for (const c of graph.channels()) {
    const flags = (c.announcement ? FLAG_ANNOUNCED : 0) |
      (c.capacityMres !== undefined ? FLAG_CAPACITY : 0) |
      (c.updates[0] ? FLAG_UPDATE_0 : 0) | (c.updates[1] ? FLAG_UPDATE_1 : 0);
    w.writeU8(flags);
    if (c.announcement) w.writeBytes(encodeChannelAnnouncement(c.announcement));
    else w.writeU64(c.shortChannelId).writeBytes(c.nodeId1).writeBytes(c.nodeId2);
    w.writeU64(c.addedAtSecs);
    if (c.capacityMres !== undefined) w.writeU64(c.capacityMres);
    for (const u of c.updates) if (u) w.writeBytes(encodeChannelUpdate(u));
  }
  const nodes = [...graph.nodeAnnouncements()];
  w.writeCompactSize(nodes.length);
  for (const n of nodes) w.writeVarBytes(encodeNodeAnnouncement(n));
  return w.finish();
}

/** Rebuilds a graph written by {@linkcode encodeChannelGraph}; throws DecodeError on bad bytes. */
export function decodeChannelGraph(bytes: Uint8Array, graph = new ChannelGraph()): ChannelGraph {
  const r = new ByteReader(bytes);
  const version = r.readU8();
  if (version !== CHANNEL_GRAPH_FORMAT_VERSION) {
    throw new DecodeError(`unknown channel graph version ${version}`);
  }
  const channelCount = r.readCount(MAX_PERSISTED_CHANNELS, 1 + 72 + 8);
  for (let i = 0; i < channelCount; i++) {
    const channel = readChannel(r, i);
    if (graph.channel(channel.shortChannelId)) {
      throw new DecodeError(`channel ${i} repeats id ${channel.shortChannelId}`);
    }
    graph.restoreChannel(channel);
  }
  const nodeCount = r.readCount(MAX_PERSISTED_CHANNELS, 1);
  const seen = new Set<string>();
  for (let i = 0; i < nodeCount; i++) {
    const msg = decodeNodeAnnouncement(r.readVarBytes(MAX_NODE_ANNOUNCEMENT_BYTES));
    const node = nodeKey(msg.nodeId);
    if (seen.has(node)) throw new DecodeError(`node announcement ${i} repeats node ${node}`);
    if (graph.channelsOf(node).size === 0) {
      throw new DecodeError(`node announcement ${i} is for a node without a channel`);
    }
    seen.add(node);
    graph.restoreNodeAnnouncement(msg);
  }
  r.expectEnd();
  return graph;
}

function readChannel(r: ByteReader, i: number): GraphChannel {
  const flags = r.readU8();
  if (flags & ~(FLAG_ANNOUNCED | FLAG_CAPACITY | FLAG_UPDATE_0 | FLAG_UPDATE_1)) {
    throw new DecodeError(`channel ${i} has unknown flags 0x${flags.toString(16)}`);
  }
  let announcement;
  let shortChannelId: bigint;
  let nodeId1: Uint8Array;
  let nodeId2: Uint8Array;
  if (flags & FLAG_ANNOUNCED) {
    announcement = decodeChannelAnnouncement(r.readBytes(CHANNEL_ANNOUNCEMENT_BYTES));
    ({ shortChannelId, nodeId1, nodeId2 } = announcement);
  } else {
    shortChannelId = r.readU64();
    nodeId1 = r.readBytes(32);
    nodeId2 = r.readBytes(32);
    if (compareBytes(nodeId1, nodeId2) >= 0) {
      throw new DecodeError(`channel ${i} node_id_1 must sort before node_id_2`);
    }
  }
  const addedAtSecs = r.readU64Number();
  const capacityMres = flags & FLAG_CAPACITY ? r.readU64() : undefined;
  const readUpdate = (present: number, direction: 0 | 1): ChannelUpdate | undefined => {
    if (!(flags & present)) return undefined;
    const u = decodeChannelUpdate(r.readBytes(CHANNEL_UPDATE_BYTES));
    if (u.shortChannelId !== shortChannelId || u.direction !== direction) {
      throw new DecodeError(`channel ${i} holds an update of another channel or direction`);
    }
    return u;
  };
  const update0 = readUpdate(FLAG_UPDATE_0, 0);
  const update1 = readUpdate(FLAG_UPDATE_1, 1);
  return {
    shortChannelId,
    nodeId1,
    nodeId2,
    node1: nodeKey(nodeId1),
    node2: nodeKey(nodeId2),
    capacityMres,
    announcement,
    addedAtSecs,
    updates: [update0, update1],
  };
}

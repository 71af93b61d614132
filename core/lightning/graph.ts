/**
 * The channel graph (PROTOCOL.md §9.9): channels and nodes learned from validated gossip, plus
 * private channels the node knows of itself. Pure and in memory; `encodeChannelGraph` /
 * `decodeChannelGraph` (graph_codec.ts) persist it.
 *
 * Rules a message must pass, in order (each failure a {@linkcode GossipError}, graph unchanged):
 *
 * - `channel_announcement`: not already announced (`duplicate`); the injected
 *   {@linkcode FundingLookup} finds an unspent output at the short channel id
 *   (`funding-not-found`) whose policy hash is the funding 2-of-2 of the two funding keys
 *   (`funding-mismatch`); both node ids are prime-order points, usable as onion keys
 *   (`bad-node-key`); four valid signatures (`bad-signature`). The capacity is that output's
 *   value.
 * - `channel_update`: the channel is held (`unknown-channel`); timestamp within
 *   [now − 2 weeks, now + 1 hour] (`stale`, `timestamp-too-new`); newer than the held update of
 *   that direction (`not-newer`); signed by the direction's node (`bad-signature`); HTLC maximum
 *   ≤ capacity (`htlc-maximum-above-capacity`); within the origin's rate limit (`rate-limited`).
 * - `node_announcement`: the node has an announced channel (`unknown-node`); the same time rules; signed by
 *   the node (`bad-signature`); rate limit.
 *
 * Cheap checks come before signatures, so old news and floods cost no signature check.
 *
 * @module
 */
import { policyHash } from "../primitives/policy_codec.ts";
import { bytesEqual } from "../util/bytes_equal.ts";
import {
  type ChannelAnnouncement,
  type ChannelUpdate,
  compareBytes,
  type GossipMessage,
  type NodeAnnouncement,
} from "./gossip_messages.ts";
import { type GossipTimestampFilter, inGossipWindow } from "./gossip_query.ts";
import { GossipError } from "./gossip_error.ts";
import { GossipRateLimiter } from "./gossip_rate_limit.ts";
import {
  verifyChannelAnnouncement,
  verifyChannelUpdate,
  verifyNodeAnnouncement,
} from "./gossip_signatures.ts";
import { formatShortChannelId } from "./gossip_channel_id.ts";
import { onionPublicKeyOfNode } from "./onion_keys.ts";
import { fundingPolicy } from "./channel_policies.ts";

/** BOLT 7's staleness period: two weeks (1,209,600 s). */
export const GOSSIP_STALE_SECS = 14 * 24 * 3600;
/** How far ahead of the local clock a gossip timestamp may be. */
export const GOSSIP_MAX_FUTURE_SECS = 3600;
/** mres per resonance (PROTOCOL §9.1). */
export const MRES_PER_RESONANCE = 1000n;

/** An unspent on-chain output as the chain state reports it. */
export interface FundingOutput {
  /** Value in resonances. */
  valueResonances: bigint;
  /** The 32-byte policy hash of the output's address. */
  policyHash: Uint8Array;
}

/**
 * Finds the unspent output at a short channel id's position (height, tx index, output index) in
 * the active chain, or undefined when there is none or it is spent. Injected: core reads no
 * chain state.
 */
export type FundingLookup = (shortChannelId: bigint) => FundingOutput | undefined;

/** What accepting gossip needs besides the message. */
export interface GossipContext {
  /** The network magic (signatures are bound to it). */
  magic: Uint8Array;
  /** Local clock, seconds since 1970 (for staleness and rate limits). */
  nowSecs: number;
  /** The chain lookup; required for `channel_announcement`. */
  fundingLookup?: FundingLookup;
}

/** A channel and what the graph knows of its two directions. */
export interface GraphChannel {
  /** Position of the funding output; the key of the channel. */
  readonly shortChannelId: bigint;
  /** The lesser node id. */
  readonly nodeId1: Uint8Array;
  /** The greater node id. */
  readonly nodeId2: Uint8Array;
  /** Hex of nodeId1 (map key). */
  readonly node1: string;
  /** Hex of nodeId2 (map key). */
  readonly node2: string;
  /** Funding value in mres; undefined when unknown (a route hint). */
  readonly capacityMres: bigint | undefined;
  /** The signed announcement; undefined for a private channel. */
  readonly announcement: ChannelAnnouncement | undefined;
  /** Local time the channel was added (a channel with no update is pruned two weeks later). */
  readonly addedAtSecs: number;
  /**
   * The policy of each direction: [0] from node 1 towards node 2, [1] the other way. For a
   * public channel a signed `channel_update`; for a private one its signature is 64 zero bytes.
   */
  readonly updates: [ChannelUpdate | undefined, ChannelUpdate | undefined];
}

/** A private channel's description (own unannounced channels, invoice route hints). */
export interface PrivateChannel {
  /** Its id (for a route hint, the hint's channel id). */
  shortChannelId: bigint;
  /** One end. */
  nodeIdA: Uint8Array;
  /** The other end. */
  nodeIdB: Uint8Array;
  /** Funding value in mres, if known. */
  capacityMres?: bigint;
  /** Policy for forwarding from A to B (what A charges), if known. */
  policyAToB?: ChannelPolicyFields;
  /** Policy for forwarding from B to A, if known. */
  policyBToA?: ChannelPolicyFields;
}

/** The policy fields of a `channel_update`. */
export type ChannelPolicyFields = Omit<
  ChannelUpdate,
  "signature" | "shortChannelId" | "direction"
>;

/** Lowercase hex of a node id (the graph's map key). */
export function nodeKey(nodeId: Uint8Array): string {
  let s = "";
  for (const b of nodeId) s += HEX[b]!;
  return s;
}
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Channels and nodes, indexed for pathfinding (channels of a node) and for gossip (channel by
 * id, node announcement by node).
 *
 * @example
 * ```ts
 * import { ChannelGraph } from "./graph.ts";
 * const graph = new ChannelGraph();
 * graph.addPrivateChannel({
 *   shortChannelId: 1n, nodeIdA: new Uint8Array(32).fill(1), nodeIdB: new Uint8Array(32).fill(2),
 * }, 0);
 * console.log(graph.channelCount, graph.nodeCount); // 1 2
 * ```
 */
export class ChannelGraph {
  readonly #channels = new Map<bigint, GraphChannel>();
  readonly #channelsOfNode = new Map<string, Set<GraphChannel>>();
  readonly #nodeAnnouncements = new Map<string, NodeAnnouncement>();
  readonly #limiter: GossipRateLimiter;

  constructor(limiter: GossipRateLimiter = new GossipRateLimiter()) {
    this.#limiter = limiter;
  }

  /** Channels held. */
  get channelCount(): number {
    return this.#channels.size;
  }

  /** Nodes with at least one channel. */
  get nodeCount(): number {
    return this.#channelsOfNode.size;
  }

  /** The channel with id `shortChannelId`, if held. */
  channel(shortChannelId: bigint): GraphChannel | undefined {
    return this.#channels.get(shortChannelId);
  }

  /** Every channel, in insertion order. */
  channels(): IterableIterator<GraphChannel> {
    return this.#channels.values();
  }

  /** The channels of the node whose hex key is `node` (empty when unknown). */
  channelsOf(node: string): ReadonlySet<GraphChannel> {
    return this.#channelsOfNode.get(node) ?? EMPTY;
  }

  /** The latest node announcement of `node` (hex key), if any. */
  nodeAnnouncement(node: string): NodeAnnouncement | undefined {
    return this.#nodeAnnouncements.get(node);
  }

  /** Every node announcement held. */
  nodeAnnouncements(): IterableIterator<NodeAnnouncement> {
    return this.#nodeAnnouncements.values();
  }

  /**
   * Validates and adds a `channel_announcement` (rules in the module doc). Returns the channel.
   */
  applyChannelAnnouncement(msg: ChannelAnnouncement, ctx: GossipContext): GraphChannel {
    const id = formatShortChannelId(msg.shortChannelId);
    const held = this.#channels.get(msg.shortChannelId);
    if (held?.announcement) throw new GossipError("duplicate", `channel ${id} is already known`);
    if (!ctx.fundingLookup) throw new TypeError("fundingLookup is required for announcements");
    const output = ctx.fundingLookup(msg.shortChannelId);
    if (!output) {
      throw new GossipError("funding-not-found", `no unspent funding output at ${id}`);
    }
    // The funding output is the channel's own 2-of-2 (channel_policies.ts, PROTOCOL §9.7); two
    // equal keys describe no channel.
    const sameKeys = bytesEqual(msg.fundingKey1, msg.fundingKey2);
    const expected = sameKeys
      ? undefined
      : policyHash(fundingPolicy(msg.fundingKey1, msg.fundingKey2));
    if (!expected || !bytesEqual(output.policyHash, expected)) {
      throw new GossipError(
        "funding-mismatch",
        `output at ${id} is not the 2-of-2 of the announced funding keys`,
      );
    }
    for (const nodeId of [msg.nodeId1, msg.nodeId2]) {
      try {
        onionPublicKeyOfNode(nodeId);
      } catch {
        // Strict Ed25519 accepts a key with a small-order component; no onion can reach it.
        throw new GossipError("bad-node-key", `node ${nodeKey(nodeId)} is not of prime order`);
      }
    }
    if (!verifyChannelAnnouncement(msg, ctx.magic)) {
      throw new GossipError("bad-signature", `channel_announcement ${id} signature is invalid`);
    }
    if (held) this.#remove(held);
    const channel: GraphChannel = {
      shortChannelId: msg.shortChannelId,
      nodeId1: msg.nodeId1,
      nodeId2: msg.nodeId2,
      node1: nodeKey(msg.nodeId1),
      node2: nodeKey(msg.nodeId2),
      capacityMres: output.valueResonances * MRES_PER_RESONANCE,
      announcement: msg,
      addedAtSecs: ctx.nowSecs,
      updates: [undefined, undefined],
    };
    this.#insert(channel);
    return channel;
  }

  /** Validates a `channel_update` and makes it its direction's policy (rules in the module doc). */
  applyChannelUpdate(msg: ChannelUpdate, ctx: GossipContext): void {
    const id = formatShortChannelId(msg.shortChannelId);
    const channel = this.#channels.get(msg.shortChannelId);
    if (!channel?.announcement) {
      throw new GossipError("unknown-channel", `no announced channel ${id}`);
    }
    checkTimestamp(msg.timestamp, ctx.nowSecs, `channel_update ${id}`);
    const held = channel.updates[msg.direction];
    if (held && msg.timestamp <= held.timestamp) {
      throw new GossipError(
        "not-newer",
        `channel_update ${id}/${msg.direction} timestamp ${msg.timestamp} is not after ${held.timestamp}`,
      );
    }
    const origin = msg.direction === 0 ? channel.nodeId1 : channel.nodeId2;
    if (!verifyChannelUpdate(msg, origin, ctx.magic)) {
      throw new GossipError("bad-signature", `channel_update ${id} signature is invalid`);
    }
    if (channel.capacityMres !== undefined && msg.htlcMaximumMres > channel.capacityMres) {
      throw new GossipError(
        "htlc-maximum-above-capacity",
        `channel_update ${id} htlc maximum ${msg.htlcMaximumMres} exceeds capacity ${channel.capacityMres}`,
      );
    }
    if (!this.#limiter.take(`${msg.shortChannelId}/${msg.direction}`, ctx.nowSecs)) {
      throw new GossipError("rate-limited", `too many channel_updates for ${id}/${msg.direction}`);
    }
    channel.updates[msg.direction] = msg;
  }

  /** Validates a `node_announcement` and keeps it (rules in the module doc). */
  applyNodeAnnouncement(msg: NodeAnnouncement, ctx: GossipContext): void {
    const node = nodeKey(msg.nodeId);
    if (![...this.channelsOf(node)].some((c) => c.announcement)) {
      throw new GossipError("unknown-node", `node ${node} has no announced channel`);
    }
    checkTimestamp(msg.timestamp, ctx.nowSecs, `node_announcement ${node}`);
    const held = this.#nodeAnnouncements.get(node);
    if (held && msg.timestamp <= held.timestamp) {
      throw new GossipError(
        "not-newer",
        `node_announcement ${node} timestamp ${msg.timestamp} is not after ${held.timestamp}`,
      );
    }
    if (!verifyNodeAnnouncement(msg, ctx.magic)) {
      throw new GossipError("bad-signature", `node_announcement ${node} signature is invalid`);
    }
    if (!this.#limiter.take(`node/${node}`, ctx.nowSecs)) {
      throw new GossipError("rate-limited", `too many node_announcements from ${node}`);
    }
    this.#nodeAnnouncements.set(node, msg);
  }

  /**
   * The gossip to send a peer that asked for `filter` (BOLT 7 `gossip_timestamp_filter`): each
   * announced channel with an update in the window, its announcement first, then those updates;
   * then the node announcements in the window. Private channels are never sent.
   */
  gossipInRange(filter: GossipTimestampFilter): GossipMessage[] {
    const out: GossipMessage[] = [];
    for (const channel of this.#channels.values()) {
      if (!channel.announcement) continue;
      const updates = channel.updates.filter((u): u is ChannelUpdate =>
        u !== undefined && inGossipWindow(filter, u.timestamp)
      );
      if (updates.length === 0) continue;
      out.push({ kind: "channel_announcement", message: channel.announcement });
      for (const u of updates) out.push({ kind: "channel_update", message: u });
    }
    for (const node of this.#nodeAnnouncements.values()) {
      if (inGossipWindow(filter, node.timestamp)) {
        out.push({ kind: "node_announcement", message: node });
      }
    }
    return out;
  }

  /**
   * Adds (or replaces) a private channel: one of the node's own unannounced channels, or a hop
   * of an invoice's route hint. Replaces nothing announced (an announced channel wins).
   */
  addPrivateChannel(channel: PrivateChannel, nowSecs: number): GraphChannel {
    const held = this.#channels.get(channel.shortChannelId);
    if (held?.announcement) return held;
    if (held) this.#remove(held);
    const aFirst = compareBytes(channel.nodeIdA, channel.nodeIdB) < 0;
    if (compareBytes(channel.nodeIdA, channel.nodeIdB) === 0) {
      throw new RangeError("a channel needs two different nodes");
    }
    const toUpdate = (fields: ChannelPolicyFields | undefined, direction: 0 | 1) =>
      fields && {
        ...fields,
        signature: new Uint8Array(64),
        shortChannelId: channel.shortChannelId,
        direction,
      };
    const [nodeId1, nodeId2] = aFirst
      ? [channel.nodeIdA, channel.nodeIdB]
      : [channel.nodeIdB, channel.nodeIdA];
    const added: GraphChannel = {
      shortChannelId: channel.shortChannelId,
      nodeId1,
      nodeId2,
      node1: nodeKey(nodeId1),
      node2: nodeKey(nodeId2),
      capacityMres: channel.capacityMres,
      announcement: undefined,
      addedAtSecs: nowSecs,
      updates: aFirst
        ? [toUpdate(channel.policyAToB, 0), toUpdate(channel.policyBToA, 1)]
        : [toUpdate(channel.policyBToA, 0), toUpdate(channel.policyAToB, 1)],
    };
    this.#insert(added);
    return added;
  }

  /**
   * Restores a channel exactly as persisted (graph_codec.ts): no signature or chain
   * check, since the node wrote it after checking.
   */
  restoreChannel(channel: GraphChannel): void {
    const held = this.#channels.get(channel.shortChannelId);
    if (held) this.#remove(held);
    this.#insert(channel);
  }

  /** Restores a persisted node announcement (its node must have a channel). */
  restoreNodeAnnouncement(msg: NodeAnnouncement): void {
    const node = nodeKey(msg.nodeId);
    if (!this.#channelsOfNode.has(node)) {
      throw new RangeError(`node ${node} has no channel in the graph`);
    }
    this.#nodeAnnouncements.set(node, msg);
  }

  /** Removes a channel (its funding output was spent); true when it was held. */
  removeChannel(shortChannelId: bigint): boolean {
    const held = this.#channels.get(shortChannelId);
    if (!held) return false;
    this.#remove(held);
    return true;
  }

  /**
   * BOLT 7 pruning: removes every announced channel whose newest update (or, with none, its
   * arrival) is older than {@linkcode GOSSIP_STALE_SECS} at `nowSecs`, then the node
   * announcements of nodes left without channels, and forgets full rate-limit buckets. Private
   * channels stay (their owner removes them). Returns the number of channels removed.
   */
  pruneStale(nowSecs: number): number {
    let removed = 0;
    for (const channel of [...this.#channels.values()]) {
      if (!channel.announcement) continue;
      const newest = Math.max(
        channel.updates[0]?.timestamp ?? channel.addedAtSecs,
        channel.updates[1]?.timestamp ?? channel.addedAtSecs,
      );
      if (nowSecs - newest > GOSSIP_STALE_SECS) {
        this.#remove(channel);
        removed++;
      }
    }
    this.#limiter.forgetFull(nowSecs);
    return removed;
  }

  #insert(channel: GraphChannel): void {
    this.#channels.set(channel.shortChannelId, channel);
    for (const node of [channel.node1, channel.node2]) {
      let set = this.#channelsOfNode.get(node);
      if (!set) this.#channelsOfNode.set(node, set = new Set());
      set.add(channel);
    }
  }

  #remove(channel: GraphChannel): void {
    this.#channels.delete(channel.shortChannelId);
    for (const node of [channel.node1, channel.node2]) {
      const set = this.#channelsOfNode.get(node);
      if (!set) continue;
      set.delete(channel);
      if (set.size === 0) {
        this.#channelsOfNode.delete(node);
        this.#nodeAnnouncements.delete(node);
      }
    }
  }
}

const EMPTY: ReadonlySet<GraphChannel> = new Set();

function checkTimestamp(timestamp: number, nowSecs: number, what: string): void {
  if (timestamp + GOSSIP_STALE_SECS < nowSecs) {
    throw new GossipError("stale", `${what} timestamp ${timestamp} is older than two weeks`);
  }
  if (timestamp > nowSecs + GOSSIP_MAX_FUTURE_SECS) {
    throw new GossipError(
      "timestamp-too-new",
      `${what} timestamp ${timestamp} is more than an hour ahead of ${nowSecs}`,
    );
  }
}

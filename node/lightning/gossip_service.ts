/**
 * Gossip in the running node (PROTOCOL §9.9 "In the node"): announcing our channels, taking in
 * and relaying the network's, and keeping the graph the payer routes over.
 *
 * - Once a normal channel's funding has {@link announceDepthFor} confirmations, we send the peer
 *   our half of its announcement (`announcement_signatures`, resent on each block until the
 *   channel is announced, since the peer may have missed it); with the peer's half we assemble the
 *   `channel_announcement` and send it, our signed `channel_update` (the node's forwarding
 *   policy) and our `node_announcement` to every peer that asked for gossip.
 * - Every peer is asked for gossip on connect (`gossip_timestamp_filter`, the last two weeks and
 *   on); a peer's filter is answered with the graph's gossip in its window, and new gossip we
 *   accept is relayed to the peers whose window it falls in, except the one it came from.
 * - Received gossip goes through the graph's rules (signatures, the unspent funding output at the
 *   short channel id in our active chain, time window, rate limit); a refusal changes nothing and
 *   is logged (old news, `duplicate` and `not-newer`, silently); a `misbehaving` refusal is
 *   logged as such and not yet punished. A message that does not
 *   decode disconnects and discourages its sender, as any undecodable P2P message (§8.11).
 * - Our channel that leaves `normal` (a close under way) gets a disabled update; one whose
 *   funding outpoint changes is announced again at its new place.
 * - On each block, announced channels whose funding output is spent are removed, and stale ones
 *   pruned; the graph is saved ({@link GraphStore}) a moment after each change and on stop.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, ProtocolError } from "../../core/errors.ts";
import {
  ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
  type AnnouncementSignatures,
  assembleAnnouncement,
  decodeAnnouncementSignatures,
  encodeAnnouncementSignatures,
  signAnnouncementHalf,
  type UnsignedAnnouncement,
  unsignedAnnouncement,
  verifyAnnouncementHalf,
} from "../../core/lightning/announcement_signatures.ts";
import { formatShortChannelId } from "../../core/lightning/gossip_channel_id.ts";
import { GossipError } from "../../core/lightning/gossip_error.ts";
import {
  type ChannelUpdate,
  decodeGossipMessage,
  encodeGossipMessage,
  type GossipMessage,
} from "../../core/lightning/gossip_messages.ts";
import {
  decodeGossipTimestampFilter,
  encodeGossipTimestampFilter,
  GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID,
  type GossipTimestampFilter,
  inGossipWindow,
} from "../../core/lightning/gossip_query.ts";
import { signChannelUpdate, signNodeAnnouncement } from "../../core/lightning/gossip_signatures.ts";
import {
  ChannelGraph,
  type FundingOutput,
  GOSSIP_STALE_SECS,
  nodeKey,
} from "../../core/lightning/graph.ts";
import { decodeChannelGraph, encodeChannelGraph } from "../../core/lightning/graph_codec.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import type { FundingPosition, Outpoint } from "./gossip_chain.ts";
import type { GraphStore } from "./graph_store.ts";
import { FORWARDING_POLICY } from "./htlc_forwarder.ts";

/** First and last `ln_*` id this service reads: the gossip messages and `announcement_signatures`. */
export const FIRST_GOSSIP_ID = 0xb0;
/** @see FIRST_GOSSIP_ID */
export const LAST_GOSSIP_ID = ANNOUNCEMENT_SIGNATURES_MESSAGE_ID;

/**
 * A peer's gossip query is answered with the graph at most once per this many seconds
 * (PROTOCOL §9.9 "In the node"): a 12-byte query costs its sender nothing and us the whole
 * graph, so a peer that keeps asking gets one answer per interval; a query inside the interval
 * is answered when it ends (once, with the peer's latest window). 60 s; 1 s on regtest, where
 * tests re-ask right after announcing a channel.
 */
export function gossipQueryIntervalFor(params: NetworkParams): number {
  return params.name === "regtest" ? 1 : 60;
}

/** Our update is signed again when it is older than this (a week: peers prune after two). */
const UPDATE_REFRESH_SECS = 7 * 24 * 3600;
/** How long after a change the graph file is written, ms. */
const SAVE_DELAY_MS = 1000;

/**
 * Confirmations a channel's funding needs before we announce it: BOLT 7's 6; 1 on regtest (the
 * channel's own `minimum_depth` there), so tests see gossip in one block.
 */
export function announceDepthFor(params: NetworkParams): number {
  return params.name === "regtest" ? 1 : 6;
}

/** What the service needs from the node. */
export interface GossipServiceDeps {
  /** The network magic (signatures are bound to it). */
  readonly magic: Uint8Array;
  /** Our node id and its seed (signs our node's gossip and halves). */
  readonly nodeId: Uint8Array;
  readonly nodeSeed: Uint8Array;
  /** Confirmations before our channels are announced. */
  readonly announceDepth: number;
  /** Where the graph lives. */
  readonly store: GraphStore;
  /** Sends an `ln_*` message to a ready peer (dropped when it is not connected). */
  send(peerId: string, id: number, payload: Uint8Array): void;
  /** Disconnects and discourages a ready peer that broke the protocol (§8.11). */
  penalise(peerId: string, misbehavior: ProtocolError): void;
  /** Ready peers' node ids. */
  peers(): string[];
  /** Our channels (the Lightning service's records). */
  channels(): Iterable<ChannelRecord>;
  /** The unspent output at a short channel id in the active chain (gossip_chain.ts). */
  fundingAt(shortChannelId: bigint): Promise<FundingOutput | undefined>;
  /** The active chain's height. */
  tipHeight(): number;
  /** Position and depth of our funding output (gossip_chain.ts). */
  positionOf(outpoint: Outpoint): Promise<FundingPosition | undefined>;
  /** Seconds between two answers to one peer's gossip queries ({@link gossipQueryIntervalFor}). */
  readonly queryIntervalSecs: number;
  /** Logs a line. */
  log(line: string): void;
  /** Local clock, seconds (default: Date.now). */
  nowSecs?(): number;
}

/** One of our channels once its position is known. */
interface OwnChannel {
  readonly peerId: string;
  /** The funding outpoint it was announced for (`txid:vout`, hex). */
  readonly outpoint: string;
  readonly shortChannelId: bigint;
  readonly unsigned: UnsignedAnnouncement;
  readonly ours: AnnouncementSignatures;
  readonly peerFundingKey: Uint8Array;
  readonly capacityMres: bigint;
}

/** A channel as `ln_graph` lists it. */
export interface GraphChannelSummary {
  readonly shortChannelId: string;
  readonly node1: string;
  readonly node2: string;
  readonly capacityMres: bigint | undefined;
  /** Each direction's policy (from node 1 first), absent when no update is held. */
  readonly policies: {
    readonly from: string;
    readonly to: string;
    readonly update: ChannelUpdate;
  }[];
}

/** The graph as `ln_graph` lists it. */
export interface GraphSummary {
  readonly nodes: { readonly nodeId: string; readonly alias: string | undefined }[];
  readonly channels: GraphChannelSummary[];
}

/** The node's gossip: see the module doc. */
export class GossipService {
  readonly #deps: GossipServiceDeps;
  readonly #graph: ChannelGraph;
  /** Peers that asked for gossip, with their window. */
  readonly #filters = new Map<string, GossipTimestampFilter>();
  /** Our channels by channel id (hex), once deep enough to announce. */
  readonly #own = new Map<string, OwnChannel>();
  /** Our channel ids (hex) by short channel id. */
  readonly #byShortId = new Map<bigint, string>();
  /** The peer's half of a channel that arrived before ours was ready. */
  readonly #theirs = new Map<string, AnnouncementSignatures>();
  /** Tip height at which a channel's depth was last looked up (channel id hex). */
  readonly #checkedAt = new Map<string, number>();
  /** Tip height at which our half of a not yet announced channel was last sent. */
  readonly #halfSentAt = new Map<string, number>();
  /**
   * Peers that sent an announcement of an output our chain does not hold: asked for their gossip
   * again after the next block (we may have been syncing the chain).
   */
  readonly #askAgain = new Set<string>();
  /** When each peer's gossip query was last answered (local clock, seconds). */
  readonly #answeredAt = new Map<string, number>();
  /** A peer's query held until its interval ends (one per peer). */
  readonly #heldAnswers = new Map<string, ReturnType<typeof setTimeout>>();
  #saveTimer: ReturnType<typeof setTimeout> | undefined;
  #saving: Promise<void> = Promise.resolve();

  private constructor(deps: GossipServiceDeps, graph: ChannelGraph) {
    this.#deps = deps;
    this.#graph = graph;
  }

  /** Loads the stored graph (a damaged file is logged and replaced by an empty graph). */
  static async start(deps: GossipServiceDeps): Promise<GossipService> {
    let graph: ChannelGraph;
    try {
      graph = await deps.store.load();
    } catch (e) {
      deps.log(`cannot read the channel graph, starting afresh: ${(e as Error).message}`);
      graph = new ChannelGraph();
    }
    if (graph.channelCount > 0) {
      deps.log(`loaded a graph of ${graph.channelCount} channels and ${graph.nodeCount} nodes`);
    }
    return new GossipService(deps, graph);
  }

  /** Writes the graph now if a save is pending. */
  async stop(): Promise<void> {
    for (const timer of this.#heldAnswers.values()) clearTimeout(timer);
    this.#heldAnswers.clear();
    if (this.#saveTimer !== undefined) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = undefined;
      this.#saving = this.#saving.then(() => this.#save());
    }
    await this.#saving;
  }

  /** The graph (read it; change it only through this service). */
  get graph(): ChannelGraph {
    return this.#graph;
  }

  /** A copy of the public graph to route one payment over (retries may change it). */
  paymentGraph(): ChannelGraph {
    return decodeChannelGraph(encodeChannelGraph(this.#graph));
  }

  /** Our channel (its id, hex) announced at `shortChannelId`, if any. */
  channelIdOf(shortChannelId: bigint): string | undefined {
    return this.#byShortId.get(shortChannelId);
  }

  /** Our signed update of our channel at `shortChannelId` (for forwarding checks and failures). */
  ownUpdate(shortChannelId: bigint): ChannelUpdate | undefined {
    if (!this.#byShortId.has(shortChannelId)) return undefined;
    const channel = this.#graph.channel(shortChannelId);
    if (!channel) return undefined;
    return channel.updates[channel.node1 === nodeKey(this.#deps.nodeId) ? 0 : 1];
  }

  /** The graph's nodes and channels with their policies. */
  summary(): GraphSummary {
    const nodes = new Set<string>();
    const channels: GraphChannelSummary[] = [];
    for (const c of this.#graph.channels()) {
      nodes.add(c.node1);
      nodes.add(c.node2);
      const policies = [];
      for (const direction of [0, 1] as const) {
        const update = c.updates[direction];
        if (!update) continue;
        const [from, to] = direction === 0 ? [c.node1, c.node2] : [c.node2, c.node1];
        policies.push({ from, to, update });
      }
      channels.push({
        shortChannelId: formatShortChannelId(c.shortChannelId),
        node1: c.node1,
        node2: c.node2,
        capacityMres: c.capacityMres,
        policies,
      });
    }
    return {
      nodes: [...nodes].sort().map((nodeId) => ({
        nodeId,
        alias: this.#graph.nodeAnnouncement(nodeId)?.alias,
      })),
      channels,
    };
  }

  /** A peer connected: ask it for the gossip of the last two weeks and on. */
  peerReady(peerId: string): void {
    const filter = {
      firstTimestamp: Math.max(0, this.#now() - GOSSIP_STALE_SECS),
      timestampRange: 0xffff_ffff,
    };
    this.#deps.send(
      peerId,
      GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID,
      encodeGossipTimestampFilter(filter),
    );
    // Our halves of its channels go again on the next announceChannels.
    for (const [key, own] of this.#own) if (own.peerId === peerId) this.#halfSentAt.delete(key);
  }

  /** A peer left: stop relaying to it. */
  peerClosed(peerId: string): void {
    this.#filters.delete(peerId);
    this.#answeredAt.delete(peerId);
    clearTimeout(this.#heldAnswers.get(peerId));
    this.#heldAnswers.delete(peerId);
  }

  /** A gossip message (0xb0–0xb4) from `peerId`; never throws for bad input. */
  async message(peerId: string, id: number, payload: Uint8Array): Promise<void> {
    // Decode first, apart: only the peer's bytes failing to decode are its fault.
    let decoded:
      | { kind: "filter"; filter: GossipTimestampFilter }
      | { kind: "half"; half: AnnouncementSignatures }
      | { kind: "gossip"; message: GossipMessage };
    try {
      if (id === GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID) {
        decoded = { kind: "filter", filter: decodeGossipTimestampFilter(payload) };
      } else if (id === ANNOUNCEMENT_SIGNATURES_MESSAGE_ID) {
        decoded = { kind: "half", half: decodeAnnouncementSignatures(payload) };
      } else {
        const bytes = new Uint8Array(1 + payload.length);
        bytes[0] = id;
        bytes.set(payload, 1);
        decoded = { kind: "gossip", message: decodeGossipMessage(bytes) };
      }
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      const what = `undecodable gossip message 0x${id.toString(16)}: ${e.message}`;
      this.#deps.log(`gossip from ${peerId.slice(0, 16)}: ${what}`);
      this.#deps.penalise(peerId, new ProtocolError("decode", what));
      return;
    }
    if (decoded.kind === "filter") {
      this.#filters.set(peerId, decoded.filter);
      this.#answerQuery(peerId);
    } else if (decoded.kind === "half") await this.#onHalf(peerId, decoded.half);
    else await this.#accept(decoded.message, peerId);
  }

  /**
   * Sends `peerId` the graph's gossip in its window, at most once per `queryIntervalSecs`: a
   * query inside the interval is held (logged once) and answered when the interval ends, with
   * the window the peer set last.
   */
  #answerQuery(peerId: string): void {
    if (this.#heldAnswers.has(peerId)) return;
    const last = this.#answeredAt.get(peerId);
    const waitSecs = last === undefined ? 0 : last + this.#deps.queryIntervalSecs - this.#now();
    if (waitSecs > 0) {
      this.#deps.log(
        `gossip from ${peerId.slice(0, 16)}: query within ${this.#deps.queryIntervalSecs} s ` +
          `of the last answer, answered in ${waitSecs} s`,
      );
      this.#heldAnswers.set(
        peerId,
        setTimeout(() => {
          this.#heldAnswers.delete(peerId);
          // The peer may have left meanwhile (its window is gone with it).
          if (this.#filters.has(peerId)) this.#answerQuery(peerId);
        }, waitSecs * 1000),
      );
      return;
    }
    this.#answeredAt.set(peerId, this.#now());
    const filter = this.#filters.get(peerId)!;
    for (const m of this.#graph.gossipInRange(filter)) this.#sendTo(peerId, m);
  }

  /**
   * On each block (and at start): removes announced channels whose funding is spent, prunes
   * stale ones, and announces our channels that are deep enough.
   */
  async onBlock(): Promise<void> {
    let changed = false;
    for (const c of [...this.#graph.channels()]) {
      if (c.announcement && !(await this.#deps.fundingAt(c.shortChannelId))) {
        this.#graph.removeChannel(c.shortChannelId);
        this.#deps.log(`channel ${formatShortChannelId(c.shortChannelId)} closed: removed`);
        changed = true;
      }
    }
    if (this.#graph.pruneStale(this.#now()) > 0) changed = true;
    if (changed) this.#scheduleSave();
    for (const peerId of this.#askAgain) this.peerReady(peerId);
    this.#askAgain.clear();
    await this.announceChannels();
  }

  /**
   * Announces our normal channels whose funding is deep enough: cheap when there is nothing to
   * do (each channel's depth is looked up once per block, our half sent once per block until the
   * channel is announced), so the service calls it on every tick, since a channel becomes normal
   * when the peer's `channel_ready` arrives, between blocks.
   */
  async announceChannels(): Promise<void> {
    const height = this.#deps.tipHeight();
    for (const r of this.#deps.channels()) {
      const key = toHex(r.channelId);
      if (r.status !== "normal") {
        // Closing: tell payers to stop routing through it (until its output is spent).
        const held = this.#own.get(key);
        if (held && this.#graph.channel(held.shortChannelId)?.announcement) {
          await this.#refreshOwnUpdate(held, true);
        }
        continue;
      }
      let own = this.#own.get(key);
      if (own && own.outpoint !== outpointKey(r.fundingOutpoint)) {
        // The channel moved to a new funding output: announce it again at its new place.
        this.#byShortId.delete(own.shortChannelId);
        this.#own.delete(key);
        own = undefined;
      }
      if (!own) {
        if (this.#checkedAt.get(key) === height) continue;
        this.#checkedAt.set(key, height);
        const position = await this.#deps.positionOf(r.fundingOutpoint);
        if (!position || position.confirmations < this.#deps.announceDepth) continue;
        own = this.#ownChannel(r, position.shortChannelId);
        this.#own.set(key, own);
        this.#checkedAt.delete(key);
        this.#byShortId.set(own.shortChannelId, key);
      }
      if (this.#graph.channel(own.shortChannelId)?.announcement) {
        await this.#refreshOwnUpdate(own);
        continue;
      }
      if (this.#halfSentAt.get(key) === height) continue;
      this.#halfSentAt.set(key, height);
      this.#deps.send(
        own.peerId,
        ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
        encodeAnnouncementSignatures(own.ours),
      );
      const theirs = this.#theirs.get(key);
      if (theirs) await this.#complete(key, own, theirs);
    }
  }

  #ownChannel(r: ChannelRecord, shortChannelId: bigint): OwnChannel {
    const config = r.state.config;
    const unsigned = unsignedAnnouncement(
      shortChannelId,
      { nodeId: this.#deps.nodeId, fundingKey: config.localParams.fundingKey },
      { nodeId: fromHex(r.peerId), fundingKey: config.remoteParams.fundingKey },
    );
    return {
      peerId: r.peerId,
      outpoint: outpointKey(r.fundingOutpoint),
      shortChannelId,
      unsigned,
      ours: signAnnouncementHalf(
        unsigned,
        r.channelId,
        this.#deps.nodeSeed,
        r.secrets.fundingSeed,
        this.#deps.magic,
      ),
      peerFundingKey: config.remoteParams.fundingKey,
      capacityMres: config.capacityMres,
    };
  }

  /** The peer's half of one of our channels. */
  async #onHalf(peerId: string, half: AnnouncementSignatures): Promise<void> {
    const key = toHex(half.channelId);
    const record = [...this.#deps.channels()].find((r) => toHex(r.channelId) === key);
    if (!record || record.peerId !== peerId) {
      this.#deps.log(
        `gossip from ${peerId.slice(0, 16)}: announcement_signatures of no channel of ours with it`,
      );
      return;
    }
    const own = this.#own.get(key);
    if (!own) {
      // Our side is not deep enough yet: keep the latest half until it is.
      this.#theirs.set(key, half);
      return;
    }
    if (this.#graph.channel(own.shortChannelId)?.announcement) return;
    await this.#complete(key, own, half);
  }

  /** Assembles, applies and sends the announcement of our channel, then our update and node. */
  async #complete(key: string, own: OwnChannel, theirs: AnnouncementSignatures): Promise<void> {
    this.#theirs.delete(key);
    const from = `gossip from ${own.peerId.slice(0, 16)}: announcement_signatures`;
    if (theirs.shortChannelId !== own.shortChannelId) {
      // Another view of the chain (a reorganisation on one side): each side sends again per block.
      this.#deps.log(
        `${from} place the channel at ${formatShortChannelId(theirs.shortChannelId)}, ` +
          `our chain at ${formatShortChannelId(own.shortChannelId)}`,
      );
      return;
    }
    const peerEnd = { nodeId: fromHex(own.peerId), fundingKey: own.peerFundingKey };
    if (!verifyAnnouncementHalf(own.unsigned, peerEnd, theirs, this.#deps.magic)) {
      this.#deps.log(`${from} do not verify (misbehaving)`);
      return;
    }
    const announcement = assembleAnnouncement(own.unsigned, this.#deps.nodeId, own.ours, theirs);
    if (!(await this.#accept({ kind: "channel_announcement", message: announcement }))) return;
    this.#deps.log(
      `announced channel ${key} as ${formatShortChannelId(own.shortChannelId)}`,
    );
    await this.#refreshOwnUpdate(own);
    const node = nodeKey(this.#deps.nodeId);
    const held = this.#graph.nodeAnnouncement(node);
    if (!held) {
      await this.#accept({
        kind: "node_announcement",
        message: signNodeAnnouncement(
          { timestamp: this.#now(), alias: `rnt-${node.slice(0, 12)}`, addresses: [] },
          this.#deps.nodeSeed,
          this.#deps.magic,
        ),
      });
    }
    // The peer's own update may have come before our announcement and been refused: ask again.
    this.peerReady(own.peerId);
  }

  /**
   * Signs and sends our update of `own` when we have none, it is a week old, or it is not
   * `disabled` as asked (the rate limit may hold a change back until a later call).
   */
  async #refreshOwnUpdate(own: OwnChannel, disabled = false): Promise<void> {
    const channel = this.#graph.channel(own.shortChannelId);
    if (!channel) return;
    const direction = channel.node1 === nodeKey(this.#deps.nodeId) ? 0 : 1;
    const held = channel.updates[direction];
    const now = this.#now();
    if (held && held.disabled === disabled && now - held.timestamp < UPDATE_REFRESH_SECS) return;
    const update = signChannelUpdate(
      {
        ...FORWARDING_POLICY,
        disabled,
        shortChannelId: own.shortChannelId,
        timestamp: held ? Math.max(now, held.timestamp + 1) : now,
        direction,
        htlcMaximumMres: own.capacityMres,
      },
      this.#deps.nodeSeed,
      this.#deps.magic,
    );
    await this.#accept({ kind: "channel_update", message: update });
  }

  /**
   * Applies `m` to the graph (from `peerId`, or ours when undefined) and relays it on success;
   * a refusal is logged and changes nothing. True when it was taken.
   */
  async #accept(m: GossipMessage, peerId?: string): Promise<boolean> {
    const ctx = { magic: this.#deps.magic, nowSecs: this.#now() };
    try {
      switch (m.kind) {
        case "channel_announcement": {
          const id = m.message.shortChannelId;
          if (this.#graph.channel(id)?.announcement) return false; // old news
          const output = await this.#deps.fundingAt(id);
          this.#graph.applyChannelAnnouncement(m.message, {
            ...ctx,
            fundingLookup: (at) => at === id ? output : undefined,
          });
          break;
        }
        case "channel_update":
          this.#graph.applyChannelUpdate(m.message, ctx);
          break;
        case "node_announcement":
          this.#graph.applyNodeAnnouncement(m.message, ctx);
          break;
      }
    } catch (e) {
      if (!(e instanceof GossipError)) throw e;
      if (e.reason === "funding-not-found" && peerId !== undefined) this.#askAgain.add(peerId);
      if (e.reason !== "duplicate" && e.reason !== "not-newer") {
        this.#deps.log(
          `gossip from ${peerId?.slice(0, 16) ?? "us"}: refused ${m.kind}: ${e.message}` +
            (e.penalty === "misbehaving" ? " (misbehaving)" : ""),
        );
      }
      return false;
    }
    this.#scheduleSave();
    const timestamp = m.kind === "channel_announcement" ? undefined : m.message.timestamp;
    for (const peer of this.#deps.peers()) {
      const filter = this.#filters.get(peer);
      if (peer === peerId || !filter) continue;
      if (timestamp !== undefined && !inGossipWindow(filter, timestamp)) continue;
      this.#sendTo(peer, m);
    }
    return true;
  }

  #sendTo(peerId: string, m: GossipMessage): void {
    const bytes = encodeGossipMessage(m);
    this.#deps.send(peerId, bytes[0]!, bytes.subarray(1));
  }

  #scheduleSave(): void {
    if (this.#saveTimer !== undefined) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#saving = this.#saving.then(() => this.#save());
    }, SAVE_DELAY_MS);
  }

  async #save(): Promise<void> {
    try {
      await this.#deps.store.save(this.#graph);
    } catch (e) {
      this.#deps.log(`cannot save the channel graph: ${(e as Error).message}`);
    }
  }

  #now(): number {
    return this.#deps.nowSecs?.() ?? Math.floor(Date.now() / 1000);
  }
}

/** Whether `id` is one of the messages {@link GossipService.message} reads. */
export function isGossipMessageId(id: number): boolean {
  return id >= FIRST_GOSSIP_ID && id <= LAST_GOSSIP_ID;
}

function outpointKey(outpoint: Outpoint): string {
  return `${toHex(outpoint.txid)}:${outpoint.vout}`;
}

/**
 * The node's Lightning service (PROTOCOL §9.11): opens channels over the P2P transport
 * (`open_channel` … `channel_ready`), drives each channel's update protocol (the pure state
 * machine of `core/lightning/channel_state.ts`), closes channels cooperatively (`shutdown`,
 * `closing_signed`) or by force (publishing our latest commitment and sweeping our output after
 * `to_self_delay`), and keeps every channel on disk.
 *
 * Rules it keeps:
 * - every state a message depends on is saved (atomic write + fsync, {@link ChannelPersistence})
 *   BEFORE the message is sent (§9.8's persistence rule), and messages go out in the order the
 *   state machine returned them;
 * - everything runs one step at a time (one queue for the whole service), so a peer's message,
 *   an RPC call and a new block never interleave inside a channel;
 * - on a disconnection each channel forgets the peer's uncommitted updates, and on a
 *   reconnection (and at start) it sends `channel_reestablish` first;
 * - bad input from a peer is logged and answered with `channel_error` (a message that does not
 *   decode disconnects and discourages the peer, §8.11); it never throws into the P2P layer and
 *   never changes a stored channel.
 *
 * The chain watcher (penalties, sweeps of the peer's commitments: chain_watcher.ts) is not here;
 * the node feeds it every stored channel through `onStored` (watch_bridge.ts). This service only
 * sweeps its own output after its own force close (`sweepForceClose`, channel_closing.ts); the
 * node's watcher leaves that claim to it. The transactions themselves are built by
 * `channel_transactions.ts`.
 *
 * This file keeps the public facade, the lifecycle, the queue and the dispatch of peer messages;
 * the flows live beside it, sharing the service's state through one {@link ServiceCore}
 * (service_core.ts): channel_opening.ts, channel_updates.ts, payments.ts, htlc_handling.ts,
 * channel_closing.ts, channel_chain_watch.ts, and the gossip and heartbeat hooks
 * (service_hooks.ts).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, ProtocolError, RpcError } from "../../core/errors.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import {
  type ChannelMessage,
  decodeChannelMessage,
  encodeChannelMessage,
} from "../../core/lightning/channel_messages.ts";
import {
  decodeOpenMessage,
  encodeOpenMessage,
  isOpenMessageId,
  type OpenMessage,
} from "../../core/lightning/channel_open_messages.ts";
import { disconnectChannel, reestablishMessage } from "../../core/lightning/channel_reestablish.ts";
import { onionKeyPairFromNodeSeed } from "../../core/lightning/onion_keys.ts";
import {
  decodeRefreshMessage,
  isRefreshMessageId,
  type RefreshMessage,
} from "../../core/lightning/refresh_messages.ts";
import type { Peer } from "../../net/peer/peer.ts";
import type { LnPeerHandler } from "../../net/connman/peer_manager.ts";
import type { PeerTarget } from "../../net/connman/target.ts";
import type { Node } from "../node.ts";
import type { ChannelPersistence } from "./channel_files.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import type { LnForwards } from "./ln_forwards.ts";
import type { LnInvoices } from "./ln_invoices.ts";
import type { LnPeerBook } from "./ln_peer_book.ts";
import { FundingRefresher } from "./funding_refresher.ts";
import type { RefreshFiles } from "./refresh_files.ts";
import { type GossipService, type GraphSummary, isGossipMessageId } from "./gossip_service.ts";
import type { GraphStore } from "./graph_store.ts";
import { LnError } from "./ln_error.ts";
import { live, type LnTransport, type LnWallet, type ServiceCore } from "./service_core.ts";
import { ChannelOpening, type OpenResult } from "./channel_opening.ts";
import { onReestablish, onUpdate } from "./channel_updates.ts";
import { type PaymentResult, Payments } from "./payments.ts";
import { HtlcHandler } from "./htlc_handling.ts";
import { closeChannel, forceCloseChannel, onClosingSigned, onShutdown } from "./channel_closing.ts";
import { type ChannelSummary, channelSummary } from "./channel_summary.ts";
import { watchChain } from "./channel_chain_watch.ts";
import { refreshHostOf, startGossip } from "./service_hooks.ts";

export { LnError, type LnErrorCode } from "./ln_error.ts";
export type { LnTransport, LnWallet } from "./service_core.ts";
export type { ChannelSummary } from "./channel_summary.ts";
export type { OpenResult } from "./channel_opening.ts";
export type { PaymentResult } from "./payments.ts";

/** How often the service reconnects to its channels' peers and checks the chain, ms. */
const TICK_MS = 1000;

/** Options of {@link LightningService.start}. */
export interface LightningServiceOptions {
  readonly node: Node;
  readonly transport: LnTransport;
  readonly wallet: LnWallet;
  readonly store: ChannelPersistence;
  readonly peerBook: LnPeerBook;
  /** Invoices this node issued, with their preimages. */
  readonly invoices: LnInvoices;
  /** The node key's seed (`DATADIR/node.key`): signs this node's invoices. */
  readonly nodeSeed: Uint8Array;
  /** HTLCs this node forwards (without it, onions with a next hop fail `unknown_next_peer`). */
  readonly forwards?: LnForwards;
  /**
   * Called with every channel loaded at start and every channel state saved, after the channel
   * file is written and BEFORE anything depending on it is sent (the node's bridge to the chain
   * watcher, watch_bridge.ts); a failure fails the step, so nothing is sent.
   */
  readonly onStored?: (record: ChannelRecord) => Promise<void>;
  /** Where the channel graph is kept; with it the node gossips (gossip_service.ts). */
  readonly graphStore?: GraphStore;
  /** Where funding refreshes in progress are kept; without it channels are never refreshed. */
  readonly refreshes?: RefreshFiles;
}

/** The node's Lightning channels. */
export class LightningService implements LnPeerHandler {
  readonly #node: Node;
  readonly #transport: LnTransport;
  readonly #store: ChannelPersistence;
  readonly #book: LnPeerBook;
  readonly #nodeSeed: Uint8Array;
  readonly #onStored: ((record: ChannelRecord) => Promise<void>) | undefined;
  readonly #channels = new Map<string, ChannelRecord>();
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  readonly #lastDial = new Map<string, number>();
  #gossip: GossipService | undefined;
  /** The channel heartbeat (funding refreshes, funding_refresher.ts). */
  #refresher: FundingRefresher | undefined;
  /** What the flows share of this service (service_core.ts). */
  readonly #core: ServiceCore;
  readonly #opening: ChannelOpening;
  readonly #payments: Payments;
  readonly #htlcs: HtlcHandler;

  private constructor(o: LightningServiceOptions) {
    this.#node = o.node;
    this.#transport = o.transport;
    this.#store = o.store;
    this.#book = o.peerBook;
    this.#nodeSeed = o.nodeSeed;
    this.#onStored = o.onStored;
    // The core reads them as they are now: both are set by `start`, after the constructor.
    const gossip = () => this.#gossip;
    const refresher = () => this.#refresher;
    this.#core = {
      node: o.node,
      transport: o.transport,
      wallet: o.wallet,
      channels: this.#channels,
      get gossip() {
        return gossip();
      },
      get refresher() {
        return refresher();
      },
      enqueue: (work) => this.#enqueue(work),
      log: (line) => this.#log(line),
      peer: (peerId) => this.#peer(peerId),
      send: (peerId, message) => this.#send(peerId, message),
      save: (record) => this.#save(record),
    };
    this.#opening = new ChannelOpening(this.#core);
    this.#payments = new Payments(this.#core, o.invoices, o.nodeSeed);
    this.#htlcs = new HtlcHandler(this.#core, {
      invoices: o.invoices,
      forwards: o.forwards,
      onionScalar: onionKeyPairFromNodeSeed(o.nodeSeed).privateScalar,
      payments: this.#payments,
    });
  }

  /**
   * Loads the stored channels (each one disconnected: it awaits `channel_reestablish`), takes
   * over the transport's `ln_*` messages, and starts reconnecting and watching the chain.
   */
  static async start(o: LightningServiceOptions): Promise<LightningService> {
    const s = new LightningService(o);
    const { records, unreadable } = await o.store.loadAll();
    for (const line of unreadable) s.#log(`cannot read stored channel ${line}`);
    for (const r of records) {
      r.state = disconnectChannel(r.state);
      await s.#onStored?.(r);
      s.#channels.set(toHex(r.channelId), r);
    }
    if (records.length > 0) s.#log(`loaded ${records.length} channels`);
    if (o.graphStore) {
      s.#gossip = await startGossip(s.#core, s.#nodeSeed, o.graphStore, () => s.connectedPeers());
    }
    if (o.refreshes) {
      const host = refreshHostOf(s.#core, (channelId) => s.forceClose(channelId));
      s.#refresher = await FundingRefresher.load(o.refreshes, host);
    }
    o.transport.setLnHandler(s);
    for (const peer of o.transport.peers()) s.peerReady(peer);
    s.#unsubscribe = o.node.chainstate.onTipChange(() => s.#enqueue(() => watchChain(s.#core)));
    const tick = () => {
      if (s.#stopped) return;
      s.#enqueue(() => s.#tick());
      s.#enqueue(() => s.#resumeForwards());
      s.#timer = setTimeout(tick, TICK_MS);
    };
    s.#timer = setTimeout(tick, 0);
    if (s.#gossip) void s.#enqueue(() => s.#gossip!.onBlock());
    return s;
  }

  /** The channel graph learned from gossip (undefined when the node does not gossip). */
  graph(): GraphSummary | undefined {
    return this.#gossip?.summary();
  }

  /** Stops reconnecting and watching; waits for the step in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#unsubscribe?.();
    this.#transport.setLnHandler(undefined);
    await this.#queue.catch(() => {});
    await this.#gossip?.stop();
  }

  /**
   * Hands every channel to `onStored` again, in the service's queue so no save interleaves (a
   * chain watcher that started after the service: watcher_slot.ts); resolves with how many.
   */
  replayStored(): Promise<number> {
    return this.#enqueue(async () => {
      for (const r of this.#channels.values()) await this.#onStored?.(r);
      return this.#channels.size;
    });
  }

  /** This node's id (hex). */
  get nodeId(): string {
    return toHex(this.#transport.nodeId);
  }

  /** The P2P port peers connect to (undefined when not listening). */
  get listenPort(): number | undefined {
    return this.#transport.listenPort;
  }

  /** Channel openings proposed to us that await `funding_created`. */
  get pendingIncomingOpens(): number {
    return this.#opening.pendingIncoming;
  }

  /** Connected peers' node ids. */
  connectedPeers(): string[] {
    return this.#transport.peers().filter((p) => p.ready).map((p) => p.nodeId);
  }

  /** Runs `work` after every earlier step (the service's one queue). */
  #enqueue<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch((e) => this.#log(`step failed: ${(e as Error)?.stack ?? e}`));
    return run;
  }

  #log(line: string): void {
    this.#node.logger.log(`ln: ${line}`);
  }

  #peer(peerId: string): Peer | undefined {
    return this.#transport.peers().find((p) => p.nodeId === peerId && p.ready);
  }

  #send(peerId: string, message: ChannelMessage | OpenMessage): void {
    const peer = this.#peer(peerId);
    if (!peer) return; // sent again after the reconnection (reestablish)
    const { id, payload } = isOpenType(message)
      ? encodeOpenMessage(message as OpenMessage)
      : encodeChannelMessage(message as ChannelMessage);
    peer.send({ type: "ln", id, payload });
  }

  async #save(record: ChannelRecord): Promise<void> {
    await this.#store.save(record);
    await this.#onStored?.(record);
    this.#channels.set(toHex(record.channelId), record);
  }

  // ── Public actions (RPC) ────────────────────────────────────────────────────────────────────

  /**
   * Connects to `nodeId@host:port` (or `host:port`), remembers the address for reconnections,
   * and returns the peer's node id. LnError `unknown-peer` when the id does not match.
   */
  async connect(target: PeerTarget, expectedId?: string): Promise<string> {
    const existing = expectedId ? this.#peer(expectedId) : undefined;
    const peer = existing ?? await this.#transport.connectTo(target, "manual").catch((e) => {
      throw new LnError(
        "peer-not-connected",
        `cannot connect to ${target.host}:${target.port}: ${(e as Error).message}`,
      );
    });
    if (expectedId !== undefined && peer.nodeId !== expectedId) {
      peer.disconnect("not the node id asked for");
      throw new LnError(
        "unknown-peer",
        `the node at ${target.host}:${target.port} has id ${peer.nodeId}, not ${expectedId}`,
      );
    }
    await this.#book.set(peer.nodeId, { host: target.host, port: target.port });
    return peer.nodeId;
  }

  /**
   * Opens a channel of `fundingResonances` with the connected peer `peerId`, giving it `pushMres`;
   * resolves once both commitments 0 are signed and the funding transaction is broadcast.
   */
  open(peerId: string, fundingResonances: bigint, pushMres = 0n): Promise<OpenResult> {
    return this.#opening.open(peerId, fundingResonances, pushMres);
  }

  /**
   * Issues an invoice signed by the node key for `amountMres` (undefined: any amount); its
   * preimage is stored durably before the invoice is returned. With `hold`, an HTLC paying it is
   * held in flight instead of fulfilled (ln_invoices.ts).
   */
  createInvoice(
    amountMres: bigint | undefined,
    description: string,
    expirySecs: number,
    routeHints = true,
    hold = false,
  ): Promise<{ invoice: string; paymentHash: string }> {
    return this.#payments.createInvoice(amountMres, description, expirySecs, routeHints, hold);
  }

  /**
   * Pays `invoiceText` over a route (PROTOCOL §9.11 "Paying over routes"): our own channels plus
   * the invoice's route hints; each failure is attributed to a hop (its error onion) and the
   * next route avoids it, up to `DEFAULT_MAX_PAYMENT_ATTEMPTS` routes. Resolves with the
   * preimage once an HTLC is fulfilled.
   */
  pay(invoiceText: string, amountMres?: bigint): Promise<PaymentResult> {
    return this.#payments.pay(invoiceText, amountMres);
  }

  /**
   * An HTLC we offered on `channelId` was resolved on chain (the chain watcher saw its output of
   * a published commitment spent, htlc_claims.ts): with `preimage` the peer took it (our payment
   * or the forward it came from is fulfilled), without it our timeout claim took it back (they
   * fail, `permanent_channel_failure` from the first hop). Idempotent: a settled HTLC is no longer
   * pending here.
   */
  htlcResolvedOnChain(
    channelId: Uint8Array,
    htlcId: bigint,
    preimage: Uint8Array | undefined,
  ): Promise<void> {
    return this.#enqueue(() => this.#htlcs.resolvedOnChain(channelId, htlcId, preimage));
  }

  /** Every channel (closed ones included), oldest first by id order. */
  channels(): ChannelSummary[] {
    return [...this.#channels.values()].map((r) => channelSummary(this.#core, r));
  }

  /** Starts a cooperative close of `channelId` (hex); resolves once `shutdown` is sent. */
  close(channelId: string): Promise<ChannelSummary> {
    return closeChannel(this.#core, channelId);
  }

  /** Publishes our latest commitment of `channelId`; our output is swept after `to_self_delay`. */
  forceClose(channelId: string): Promise<ChannelSummary> {
    return forceCloseChannel(this.#core, channelId);
  }

  // ── Peers ───────────────────────────────────────────────────────────────────────────────────

  /** A peer connected: reestablish each of its channels. */
  peerReady(peer: Peer): void {
    void this.#enqueue(() => {
      for (const r of this.#channels.values()) {
        if (r.peerId !== peer.nodeId || !live(r)) continue;
        r.state = disconnectChannel(r.state);
        this.#send(r.peerId, reestablishMessage(r.state));
      }
      this.#gossip?.peerReady(peer.nodeId);
    });
  }

  /** A peer left: its channels forget its uncommitted updates; its pending opens fail. */
  peerClosed(peer: Peer): void {
    void this.#enqueue(() => {
      if (this.#peer(peer.nodeId)) return; // another connection to it is up
      this.#gossip?.peerClosed(peer.nodeId);
      for (const r of this.#channels.values()) {
        if (r.peerId === peer.nodeId) r.state = disconnectChannel(r.state);
      }
      this.#opening.peerClosed(peer.nodeId);
    });
  }

  /** An `ln_*` message from `peer` (never throws: bad input is logged and answered). */
  message(peer: Peer, id: number, payload: Uint8Array): Promise<void> {
    return this.#enqueue(async () => {
      // The gossip service decodes (and reports undecodable bytes) itself.
      if (isGossipMessageId(id)) return await this.#gossip?.message(peer.nodeId, id, payload);
      let message: ChannelMessage | OpenMessage | RefreshMessage;
      try {
        if (isOpenMessageId(id)) message = decodeOpenMessage(id, payload);
        else if (isRefreshMessageId(id)) message = decodeRefreshMessage(id, payload);
        else if (id >= 0x80 && id <= 0x97) message = decodeChannelMessage(id, payload);
        else return;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        // Like any undecodable P2P message (§8.11): the peer is disconnected and discouraged.
        const what = `undecodable ln message 0x${id.toString(16)}: ${e.message}`;
        this.#log(`peer ${peer.id} sent an ${what}`);
        peer.disconnect(what, new ProtocolError("decode", what));
        return;
      }
      try {
        if (message.type.startsWith("refresh_")) {
          const m = message as RefreshMessage;
          if (!this.#refresher) return;
          await this.#refresher.onMessage(this.#ownChannel(peer.nodeId, m.channelId), m);
        } else await this.#handle(peer.nodeId, message as ChannelMessage | OpenMessage);
      } catch (e) {
        const text = e instanceof ChannelError || e instanceof LnError ||
            e instanceof RangeError || e instanceof RpcError
          ? e.message
          : undefined;
        if (text === undefined) throw e;
        this.#log(`refused ${message.type} from peer ${peer.id}: ${text}`);
        const channelId = "channelId" in message
          ? message.channelId
          : (message as { temporaryChannelId: Uint8Array }).temporaryChannelId;
        this.#send(peer.nodeId, { type: "channel_error", channelId, text: text.slice(0, 1000) });
      }
    }).catch(() => {});
  }

  async #handle(peerId: string, m: ChannelMessage | OpenMessage): Promise<void> {
    const core = this.#core;
    switch (m.type) {
      case "open_channel":
        return this.#opening.onOpen(peerId, m);
      case "accept_channel":
        return await this.#opening.onAccept(peerId, m);
      case "funding_created":
        return await this.#opening.onFundingCreated(peerId, m);
      case "funding_signed":
        return await this.#opening.onFundingSigned(peerId, m);
      case "channel_ready":
        return await this.#opening.onReady(this.#ownChannel(peerId, m.channelId));
      case "shutdown":
        return await onShutdown(core, this.#ownChannel(peerId, m.channelId), m.address);
      case "closing_signed":
        return await onClosingSigned(core, this.#ownChannel(peerId, m.channelId), m);
      case "channel_error":
        return this.#opening.onError(peerId, m.channelId, m.text);
      case "channel_reestablish":
        return await onReestablish(core, this.#ownChannel(peerId, m.channelId), m);
      default:
        return await onUpdate(core, this.#htlcs, this.#ownChannel(peerId, m.channelId), m);
    }
  }

  #ownChannel(peerId: string, channelId: Uint8Array): ChannelRecord {
    const r = this.#channels.get(toHex(channelId));
    if (!r || r.peerId !== peerId) throw new LnError("channel-not-found", "unknown channel");
    return r;
  }

  // ── The tick ────────────────────────────────────────────────────────────────────────────────

  #tick(): Promise<void> | undefined {
    const now = Date.now();
    this.#opening.expire(now);
    // Reconnect to the peers of live channels (at most every 5 s each).
    for (const r of this.#channels.values()) {
      if (!live(r) || this.#peer(r.peerId)) continue;
      const address = this.#book.get(r.peerId);
      if (!address || now - (this.#lastDial.get(r.peerId) ?? 0) < 5000) continue;
      this.#lastDial.set(r.peerId, now);
      this.#transport.connectTo(address, "manual").catch(() => {});
    }
    return this.#gossip?.announceChannels();
  }

  /** Finishes what a crash interrupted (htlc_handling.ts), on each tick until stopped. */
  async #resumeForwards(): Promise<void> {
    if (this.#stopped) return;
    await this.#htlcs.resumeForwards();
  }
}

const OPEN_TYPES = new Set([
  "open_channel",
  "accept_channel",
  "funding_created",
  "funding_signed",
  "channel_ready",
  "shutdown",
  "closing_signed",
  "channel_error",
]);

function isOpenType(m: { type: string }): boolean {
  return OPEN_TYPES.has(m.type);
}

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
 * - bad input from a peer is logged and answered with `channel_error`; it never throws into the
 *   P2P layer and never changes a stored channel.
 *
 * The chain watcher (penalties, sweeps of the peer's commitments: chain_watcher.ts) is not here;
 * the node feeds it every stored channel through `onStored` (watch_bridge.ts). This service only
 * sweeps its own output after its own force close (`#sweepForceClose`); the node's watcher leaves
 * that claim to it. The transactions themselves are built by `channel_transactions.ts`.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, RpcError } from "../../core/errors.ts";
import { type AddressData, encodeAddressPayload } from "../../core/primitives/address.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import { sighash, txid } from "../../core/primitives/tx_hash.ts";
import { verify } from "../../core/crypto/ed25519.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";
import { ChannelError } from "../../core/lightning/channel_error.ts";
import {
  type ChannelMessage,
  decodeChannelMessage,
  encodeChannelMessage,
} from "../../core/lightning/channel_messages.ts";
import {
  type AcceptChannel,
  decodeOpenMessage,
  encodeOpenMessage,
  isOpenMessageId,
  type OpenChannel,
  type OpenMessage,
} from "../../core/lightning/channel_open_messages.ts";
import {
  addHtlc,
  createChannel,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
  initialCommitmentSpecs,
  needsCommitment,
  receiveMessage,
  signCommitment,
} from "../../core/lightning/channel_state.ts";
import {
  disconnectChannel,
  receiveReestablish,
  reestablishMessage,
} from "../../core/lightning/channel_reestablish.ts";
import type {
  ChannelAction,
  ChannelConfig,
  ChannelEvent,
  ChannelHtlc,
  ChannelLimits,
  ChannelState,
} from "../../core/lightning/channel_types.ts";
import {
  decodeInvoice,
  DEFAULT_MIN_FINAL_DELTA_SECS,
  encodeInvoice,
  paymentHashOf,
} from "../../core/lightning/invoice.ts";
import { InvoiceError } from "../../core/lightning/invoice_error.ts";
import { buildOnion } from "../../core/lightning/sphinx.ts";
import { onionKeyPairFromNodeSeed } from "../../core/lightning/onion_keys.ts";
import {
  attributeError,
  createErrorPacket,
  type ErrorAttribution,
} from "../../core/lightning/error_onion.ts";
import { FailureCode, failureWithUpdate } from "../../core/lightning/route_failure.ts";
import { routeOnionHops } from "../../core/lightning/route_payload.ts";
import type { Route } from "../../core/lightning/route_find.ts";
import {
  nextPaymentStep,
  type PaymentDecision,
  startPayment,
} from "../../core/lightning/route_attempt.ts";
import {
  channelAlias,
  type ForwardPlan,
  judgeForward,
  ownChannelUpdate,
} from "./htlc_forwarder.ts";
import type { LnForwards } from "./ln_forwards.ts";
import {
  forwardOutcomeOf,
  forwardTarget,
  incomingOpen,
  neverOffered,
  unhandledIncoming,
} from "./forward_recovery.ts";
import { crashPoint } from "./crash_point.ts";
import {
  capacityShortfall,
  ownChannelGraph,
  ownRouteHints,
  paymentRequest,
  type RouteSummary,
  routeSummary,
} from "./payment_routes.ts";
import { failureCodeName, judgeIncomingHtlc } from "./incoming_htlc.ts";
import type { ChannelPartyParams } from "../../core/lightning/commitment_spec.ts";
import { fundingOutput, MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import { fundingChannelId } from "../../core/lightning/funding_channel_id.ts";
import {
  addressOf,
  cooperativeCloseOf,
  fundingOf,
  ownOutputSweep,
  quiescent,
  signedLocalCommitment,
  signFundingSpendOf,
  withBothSignatures,
} from "./channel_transactions.ts";
import { fundingSigner } from "../../core/lightning/funding_signer.ts";
import type { Peer } from "../../net/peer/peer.ts";
import type { LnPeerHandler } from "../../net/connman/peer_manager.ts";
import type { PeerTarget } from "../../net/connman/target.ts";
import type { Node } from "../node.ts";
import type { ChannelPersistence } from "./channel_files.ts";
import type { ChannelRecord, ChannelSecrets } from "./channel_file_record.ts";
import type { LnPeerBook } from "./ln_peer_book.ts";
import { FundingRefresher, type HeartbeatSummary } from "./funding_refresher.ts";
import type { RefreshFiles } from "./refresh_files.ts";
import {
  decodeRefreshMessage,
  encodeRefreshMessage,
  isRefreshMessageId,
  type RefreshMessage,
} from "../../core/lightning/refresh_messages.ts";
import type { LnInvoices } from "./ln_invoices.ts";
import {
  freshChannelSecrets,
  fundingTimeoutBlocksFor,
  limitsFor,
  MAX_MINIMUM_DEPTH,
  MIN_CHANNEL_RESONANCES,
  minimumDepthFor,
  partyParamsOf,
  refusePeerTerms,
  toSelfDelayFor,
} from "./channel_setup.ts";
import {
  announceDepthFor,
  GossipService,
  type GraphSummary,
  isGossipMessageId,
} from "./gossip_service.ts";
import { GossipChain } from "./gossip_chain.ts";
import type { GraphStore } from "./graph_store.ts";

/** The wallet side the service needs (the node's loaded wallet; injected by the RPC layer). */
export interface LnWallet {
  /** A signed transaction paying `value` resonances to `address` (not broadcast). */
  fundingTx(address: AddressData, value: bigint): Promise<Tx>;
  /** Records `tx` as the wallet's send and broadcasts it. */
  publish(tx: Tx): Promise<void>;
  /** A fresh receive address of the wallet. */
  newAddress(): Promise<AddressData>;
}

/** The P2P side the service needs (the node's PeerManager). */
export interface LnTransport {
  readonly nodeId: Uint8Array;
  readonly listenPort: number | undefined;
  peers(): Peer[];
  connectTo(target: PeerTarget, kind?: "manual" | "onetry"): Promise<Peer>;
  setLnHandler(handler: LnPeerHandler | undefined): void;
}

/** Why a Lightning call failed (the RPC layer maps each code to Core's numeric codes). */
export type LnErrorCode =
  | "peer-not-connected"
  | "unknown-peer"
  | "channel-not-found"
  | "bad-state"
  | "bad-amount"
  | "open-failed";

/** A refused Lightning call, with a stable code. */
export class LnError extends Error {
  readonly code: LnErrorCode;
  constructor(code: LnErrorCode, message: string) {
    super(message);
    this.name = "LnError";
    this.code = code;
  }
}

/** One channel as `ln_channels` shows it. */
export interface ChannelSummary {
  readonly channelId: string;
  readonly peerId: string;
  readonly status: ChannelRecord["status"];
  readonly weFunded: boolean;
  readonly connected: boolean;
  readonly capacityResonances: bigint;
  readonly localBalanceMres: bigint;
  readonly remoteBalanceMres: bigint;
  readonly commitmentNumber: bigint;
  readonly fundingTxid: string;
  readonly fundingVout: number;
  readonly closeTxid?: string;
  readonly sweepTxid?: string;
  /** The funding output's age and refresh schedule (PROTOCOL §9.7, channel heartbeat). */
  readonly heartbeat?: HeartbeatSummary;
}

/** The result of an open: the channel id and the funding transaction. */
export interface OpenResult {
  readonly channelId: string;
  readonly fundingTxid: string;
  readonly fundingVout: number;
}

/** A channel we proposed, until `funding_signed`. */
interface OutgoingOpen {
  readonly peerId: string;
  readonly open: OpenChannel;
  readonly secrets: ChannelSecrets;
  readonly seed: Uint8Array;
  readonly resolve: (r: OpenResult) => void;
  readonly reject: (e: Error) => void;
  /** After `accept_channel`: what `funding_signed` completes. */
  funded?: {
    readonly accept: AcceptChannel;
    readonly config: ChannelConfig;
    readonly tx: Tx;
    readonly vout: number;
    readonly remoteSignature: Uint8Array;
  };
}

/** A channel proposed to us, until `funding_created`. */
interface IncomingOpen {
  readonly peerId: string;
  /** When it arrived (Date.now()): forgotten after {@link INCOMING_OPEN_TTL_MS}. */
  readonly arrivedMs: number;
  readonly open: OpenChannel;
  readonly params: ChannelPartyParams;
  readonly limits: ChannelLimits;
  readonly minimumDepth: number;
  readonly secrets: ChannelSecrets;
  readonly seed: Uint8Array;
}

/** Openings a peer may have pending with us at once (each holds fresh secrets in memory). */
const MAX_INCOMING_OPENS_PER_PEER = 8;
/** Channels a peer funds that may await their funding transaction at once. */
const MAX_UNFUNDED_CHANNELS_PER_PEER = 4;
/** An opening proposed to us is forgotten when no `funding_created` came this long, ms. */
const INCOMING_OPEN_TTL_MS = 60_000;
/** How long `ln_open` waits for the peer, ms. */
const OPEN_TIMEOUT_MS = 30_000;
/** How often the service reconnects to its channels' peers and checks the chain, ms. */
const TICK_MS = 1000;
/**
 * After a start, how long an HTLC left unforwarded by a crash waits for its outgoing channel's
 * peer to reconnect before it is judged (and failed when that channel is still down), ms.
 */
const RESUME_GRACE_MS = 30_000;

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

/** A settled payment. */
export interface PaymentResult {
  readonly paymentHash: string;
  readonly preimage: string;
  readonly amountMres: bigint;
  readonly channelId: string;
  /** The route that succeeded and its fee. */
  readonly route: RouteSummary;
  /** Routes tried. */
  readonly attempts: number;
  /** The routes that failed before it, in order, each with the failure that ended it. */
  readonly failedRoutes: readonly (RouteSummary & { readonly failure: string })[];
}

/** How one HTLC of ours ended. */
type HtlcOutcome =
  | { readonly kind: "fulfilled"; readonly preimage: Uint8Array }
  | { readonly kind: "failed"; readonly attribution: ErrorAttribution };

/** How long `ln_close` waits for HTLCs and updates in flight to settle, ms. */
const CLOSE_WAIT_MS = 10_000;
/** How long `ln_pay` waits for the HTLC to be fulfilled or failed, ms. */
const PAY_TIMEOUT_MS = 60_000;

/** The node's Lightning channels. */
export class LightningService implements LnPeerHandler {
  readonly #node: Node;
  readonly #transport: LnTransport;
  readonly #wallet: LnWallet;
  readonly #store: ChannelPersistence;
  readonly #book: LnPeerBook;
  readonly #invoices: LnInvoices;
  readonly #nodeSeed: Uint8Array;
  readonly #onStored: ((record: ChannelRecord) => Promise<void>) | undefined;
  /** The node key's onion scalar (§9.3): peels the onions of HTLCs paid to us. */
  readonly #onionScalar: bigint;
  /** Our HTLCs in flight by `channelId:htlcId`, waiting to be fulfilled or failed. */
  readonly #payments = new Map<
    string,
    {
      resolve: (outcome: HtlcOutcome) => void;
      /** The onion's shared secrets with each hop (to read an error packet). */
      sharedSecrets: Uint8Array[];
    }
  >();
  readonly #forwards: LnForwards | undefined;
  readonly #channels = new Map<string, ChannelRecord>();
  readonly #outgoing = new Map<string, OutgoingOpen>();
  readonly #incoming = new Map<string, IncomingOpen>();
  #queue: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;
  readonly #lastDial = new Map<string, number>();
  #gossip: GossipService | undefined;
  readonly #startedMs = Date.now();
  /** The channel heartbeat (funding refreshes, funding_refresher.ts). */
  #refresher: FundingRefresher | undefined;

  private constructor(o: LightningServiceOptions) {
    this.#node = o.node;
    this.#transport = o.transport;
    this.#wallet = o.wallet;
    this.#store = o.store;
    this.#book = o.peerBook;
    this.#invoices = o.invoices;
    this.#nodeSeed = o.nodeSeed;
    this.#forwards = o.forwards;
    this.#onStored = o.onStored;
    this.#onionScalar = onionKeyPairFromNodeSeed(o.nodeSeed).privateScalar;
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
    if (o.graphStore) s.#gossip = await s.#startGossip(o.graphStore);
    if (o.refreshes) s.#refresher = await FundingRefresher.load(o.refreshes, s.#refreshHost());
    o.transport.setLnHandler(s);
    for (const peer of o.transport.peers()) s.peerReady(peer);
    s.#unsubscribe = o.node.chainstate.onTipChange(() => s.#enqueue(() => s.#watchChain()));
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

  #startGossip(store: GraphStore): Promise<GossipService> {
    const chain = new GossipChain(this.#node.chainstate, this.#node.params.magic);
    return GossipService.start({
      magic: this.#node.params.magic,
      nodeId: this.#transport.nodeId,
      nodeSeed: this.#nodeSeed,
      announceDepth: announceDepthFor(this.#node.params),
      store,
      send: (peerId, id, payload) => this.#peer(peerId)?.send({ type: "ln", id, payload }),
      peers: () => this.connectedPeers(),
      channels: () => this.#channels.values(),
      fundingAt: (scid) => chain.fundingAt(scid),
      positionOf: (outpoint) => chain.positionOf(outpoint),
      tipHeight: () => this.#node.chainstate.tip().height,
      log: (line) => this.#log(line),
    });
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
    return this.#incoming.size;
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
    if (!this.#peer(peerId)) {
      throw new LnError("peer-not-connected", `peer ${peerId} is not connected (use ln connect)`);
    }
    if (fundingResonances < MIN_CHANNEL_RESONANCES) {
      throw new LnError(
        "bad-amount",
        `a channel needs at least ${MIN_CHANNEL_RESONANCES} resonances, got ${fundingResonances}`,
      );
    }
    if (pushMres < 0n || pushMres > fundingResonances * MRES_PER_RESONANCE / 2n) {
      throw new LnError("bad-amount", "the push must be at most half the channel");
    }
    const { secrets, seed } = freshChannelSecrets();
    const params = partyParamsOf(secrets, toSelfDelayFor(this.#node.params));
    const open: OpenChannel = {
      type: "open_channel",
      temporaryChannelId: crypto.getRandomValues(new Uint8Array(32)),
      fundingResonances,
      pushMres,
      feeratePerByte: Number(this.#node.params.minRelayFeePerByte),
      params,
      limits: limitsFor(fundingResonances),
      firstPoint: pointAt(seed, 0n),
      secondPoint: pointAt(seed, 1n),
    };
    return new Promise<OpenResult>((resolve, reject) => {
      const key = toHex(open.temporaryChannelId);
      const timer = setTimeout(() => {
        if (this.#outgoing.delete(key)) {
          reject(new LnError("open-failed", "the peer did not answer the channel opening in time"));
        }
      }, OPEN_TIMEOUT_MS);
      this.#outgoing.set(key, {
        peerId,
        open,
        secrets,
        seed,
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      void this.#enqueue(() => this.#send(peerId, open));
    });
  }

  /**
   * Issues an invoice signed by the node key for `amountMres` (undefined: any amount); its
   * preimage is stored durably before the invoice is returned. With `hold`, an HTLC paying it is
   * held in flight instead of fulfilled (ln_invoices.ts).
   */
  async createInvoice(
    amountMres: bigint | undefined,
    description: string,
    expirySecs: number,
    routeHints = true,
    hold = false,
  ): Promise<{ invoice: string; paymentHash: string }> {
    const preimage = crypto.getRandomValues(new Uint8Array(32));
    const paymentSecret = crypto.getRandomValues(new Uint8Array(32));
    const paymentHash = paymentHashOf(preimage);
    const minFinalDeltaSecs = DEFAULT_MIN_FINAL_DELTA_SECS;
    const invoice = encodeInvoice({
      network: this.#node.params.name,
      ...(amountMres === undefined ? {} : { amountMilliResonances: amountMres }),
      timestamp: Math.floor(Date.now() / 1000),
      paymentHash,
      paymentSecret,
      description,
      expirySecs,
      minFinalDeltaSecs,
      routeHints: routeHints ? ownRouteHints(this.#channels.values()) : [],
    }, this.#nodeSeed);
    await this.#invoices.add(paymentHash, {
      preimage,
      paymentSecret,
      minFinalDeltaSecs,
      amountMres,
      ...hold ? { hold } : {},
    });
    return { invoice, paymentHash: toHex(paymentHash) };
  }

  /**
   * Pays `invoiceText` over a route (PROTOCOL §9.11 "Paying over routes"): our own channels plus
   * the invoice's route hints; each failure is attributed to a hop (its error onion) and the
   * next route avoids it, up to `DEFAULT_MAX_PAYMENT_ATTEMPTS` routes. Resolves with the
   * preimage once an HTLC is fulfilled.
   */
  async pay(invoiceText: string, amountMres?: bigint): Promise<PaymentResult> {
    let invoice;
    try {
      invoice = decodeInvoice(invoiceText, {
        network: this.#node.params.name,
        nowSecs: Math.floor(Date.now() / 1000),
      });
    } catch (e) {
      if (e instanceof InvoiceError) {
        throw new LnError("bad-amount", `invalid invoice: ${e.message}`);
      }
      throw e;
    }
    const amount = invoice.amountMilliResonances ?? amountMres;
    if (amount === undefined || amount <= 0n) {
      throw new LnError("bad-amount", "the invoice names no amount: give one");
    }
    const ourId = this.#transport.nodeId;
    if (bytesEqual(invoice.payeeKey, ourId)) {
      throw new LnError("bad-amount", "the invoice is this node's own");
    }
    const { graph, request } = await this.#enqueue(() => {
      const nowSecs = this.#node.chainstate.tip().mtpSecs;
      const channels = [...this.#channels.values()];
      const shortfall = capacityShortfall(channels, amount);
      if (shortfall) {
        throw new LnError(
          shortfall.startsWith("no open") ? "peer-not-connected" : "bad-amount",
          shortfall,
        );
      }
      return {
        graph: ownChannelGraph(ourId, channels, nowSecs, this.#gossip?.paymentGraph()),
        request: paymentRequest(ourId, invoice, amount, channels, nowSecs),
      };
    });
    let decision: PaymentDecision = startPayment(graph, request);
    let lastFailure = "";
    const failedRoutes: PaymentResult["failedRoutes"][number][] = [];
    while (decision.kind === "send") {
      const route = decision.route;
      const outcome = await this.#sendRoute(route, invoice);
      if (outcome.kind === "fulfilled") {
        return {
          paymentHash: toHex(invoice.paymentHash),
          preimage: toHex(outcome.preimage),
          amountMres: amount,
          channelId: outcome.channelId,
          route: routeSummary(route),
          attempts: decision.state.attempts,
          failedRoutes,
        };
      }
      lastFailure = describeFailure(route, outcome.attribution);
      failedRoutes.push({ ...routeSummary(route), failure: lastFailure });
      this.#log(`payment ${toHex(invoice.paymentHash).slice(0, 16)}: ${lastFailure}`);
      decision = nextPaymentStep(graph, request, decision.state, route, {
        kind: "failure",
        attribution: outcome.attribution,
      }, {
        gossip: { magic: this.#node.params.magic, nowSecs: Math.floor(Date.now() / 1000) },
      });
    }
    if (decision.kind === "done") throw new Error("unreachable: done without a fulfilled HTLC");
    const attempts = decision.state.attempts;
    throw new LnError(
      "open-failed",
      lastFailure === ""
        ? `no route to the payee ${toHex(invoice.payeeKey)}: ${decision.reason}`
        : `${lastFailure} (after ${attempts} route${
          attempts === 1 ? "" : "s"
        }: ${decision.reason})`,
    );
  }

  /** Sends one HTLC along `route` and waits for its outcome. */
  async #sendRoute(
    route: Route,
    invoice: { paymentHash: Uint8Array; paymentSecret: Uint8Array },
  ): Promise<
    | { kind: "fulfilled"; preimage: Uint8Array; channelId: string }
    | { kind: "failed"; attribution: ErrorAttribution }
  > {
    const first = route.hops[0]!;
    const onion = buildOnion(
      crypto.getRandomValues(new Uint8Array(32)),
      routeOnionHops(route, invoice.paymentSecret),
      invoice.paymentHash,
    );
    const wait = await this.#enqueue(async () => {
      const r = this.#byShortId(first.shortChannelId);
      if (
        !r || r.status !== "normal" || !r.state.connected || this.#refresher?.frozen(r.channelId)
      ) return undefined;
      let action: ChannelAction;
      try {
        action = addHtlc(r.state, {
          amountMres: first.amountMres,
          paymentHash: invoice.paymentHash,
          expirySecs: first.expirySecs,
          onion: onion.packet,
        });
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        this.#log(`cannot add the HTLC on ${toHex(r.channelId)}: ${e.message}`);
        return undefined;
      }
      const htlcId = action.state.nextHtlcId.local - 1n;
      const key = `${toHex(r.channelId)}:${htlcId}`;
      const settled = new Promise<HtlcOutcome>((resolve) =>
        this.#payments.set(key, { resolve, sharedSecrets: onion.sharedSecrets })
      );
      await this.#commitIfNeeded(await this.#act(r, action));
      return { settled, key, channelId: toHex(r.channelId) };
    });
    if (!wait) {
      throw new LnError(
        "bad-amount",
        `our channel ${first.shortChannelId.toString(16).padStart(16, "0")} cannot carry ` +
          `${first.amountMres} mres now (insufficient capacity or disconnected)`,
      );
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const outcome = await Promise.race([
        wait.settled,
        new Promise<never>((_, reject) =>
          timer = setTimeout(
            () =>
              reject(new LnError("open-failed", "the payment is still in flight; see ln channels")),
            PAY_TIMEOUT_MS,
          )
        ),
      ]);
      return outcome.kind === "fulfilled"
        ? { kind: "fulfilled", preimage: outcome.preimage, channelId: wait.channelId }
        : outcome;
    } finally {
      clearTimeout(timer);
      this.#payments.delete(wait.key);
    }
  }

  /** Saves the state of a local action, then sends its message. */
  async #act(r: ChannelRecord, action: ChannelAction): Promise<ChannelRecord> {
    const next = { ...r, state: action.state };
    await this.#save(next);
    this.#send(r.peerId, action.message);
    return next;
  }

  /** What the node does on each event of a transition. */
  async #onEvent(r: ChannelRecord, event: ChannelEvent): Promise<ChannelRecord> {
    const key = (id: bigint) => `${toHex(r.channelId)}:${id}`;
    switch (event.type) {
      case "htlc-locked-in": {
        const h = event.htlc;
        const nowSecs = this.#node.chainstate.tip().mtpSecs;
        const where = `HTLC ${h.id} on ${toHex(r.channelId)}`;
        const forward = this.#forwards
          ? judgeForward(h, this.#onionScalar, (scid) => this.#ownUpdate(scid), nowSecs)
          : undefined;
        if (forward?.kind === "forward") return await this.#forward(r, h, forward);
        const verdict = forward ?? judgeIncomingHtlc(
          h,
          this.#onionScalar,
          (hash) => this.#invoices.get(hash),
          nowSecs,
        );
        if (verdict.kind === "fulfill" && this.#invoices.get(h.paymentHash)?.hold) {
          this.#log(`holding ${where}: ${h.amountMres} mres for a hold invoice`);
          return r;
        }
        if (verdict.kind === "fulfill") {
          // Marked paid first: a crash before the fulfill is stored leaves the HTLC unhandled,
          // and the restart fulfills it (#resumeForwards); never fulfilled yet unmarked.
          await this.#invoices.markPaid(h.paymentHash, h.amountMres);
          const next = await this.#act(r, fulfillHtlc(r.state, h.id, verdict.preimage));
          this.#log(`received ${h.amountMres} mres: ${where}`);
          return next;
        }
        if (verdict.kind === "malformed") {
          this.#log(`failing ${where}: unreadable onion (${failureCodeName(verdict.code)})`);
          return await this.#act(
            r,
            failMalformedHtlc(r.state, h.id, verdict.sha256OfOnion, verdict.code),
          );
        }
        this.#log(`failing ${where}: ${failureCodeName(verdict.failure.code)}`);
        return await this.#act(r, failHtlc(r.state, h.id, verdict.reason));
      }
      case "htlc-fulfilled": {
        this.#payments.get(key(event.id))?.resolve({ kind: "fulfilled", preimage: event.preimage });
        if (this.#forwards?.get(key(event.id))) {
          await crashPoint("forward-fulfilled", (line) => this.#log(line));
        }
        await this.#settleForward(key(event.id));
        return this.#channels.get(toHex(r.channelId)) ?? r;
      }
      case "htlc-failed": {
        const p = this.#payments.get(key(event.id));
        p?.resolve({ kind: "failed", attribution: attributeError(p.sharedSecrets, event.reason) });
        await this.#settleForward(key(event.id));
        return this.#channels.get(toHex(r.channelId)) ?? r;
      }
      case "htlc-failed-malformed": {
        // The first hop could not read our onion: it is to blame (BOLT 4).
        this.#payments.get(key(event.id))?.resolve({
          kind: "failed",
          attribution: { kind: "malformed", hopIndex: 0 },
        });
        await this.#settleForward(key(event.id));
        return this.#channels.get(toHex(r.channelId)) ?? r;
      }
    }
  }

  // ── Forwarding ──────────────────────────────────────────────────────────────────────────────

  /** Our update for the channel with alias `scid` (undefined: no such usable channel). */
  #ownUpdate(scid: bigint) {
    const r = this.#byShortId(scid);
    if (!r || r.status !== "normal" || !r.state.connected) return undefined;
    // An announced channel's signed update, so a failure enclosing it is usable by the payer.
    return this.#gossip?.ownUpdate(scid) ?? ownChannelUpdate(
      scid,
      this.#transport.nodeId,
      fromHex(r.peerId),
      r.state.config.capacityMres,
      Math.floor(Date.now() / 1000),
    );
  }

  /** Our channel named `scid` in onions: its alias, or its announced short channel id. */
  #byShortId(scid: bigint): ChannelRecord | undefined {
    const announced = this.#gossip?.channelIdOf(scid);
    if (announced !== undefined) return this.#channels.get(announced);
    return [...this.#channels.values()].find((c) => channelAlias(c.channelId) === scid);
  }

  /**
   * Sends `incoming` on over the outgoing channel of `plan`; the forward is stored before the
   * outgoing HTLC is. When the outgoing channel cannot take it, the incoming HTLC fails with
   * `temporary_channel_failure` (and our update).
   */
  async #forward(
    inRecord: ChannelRecord,
    incoming: ChannelHtlc,
    plan: ForwardPlan,
  ): Promise<ChannelRecord> {
    const inKey = toHex(inRecord.channelId);
    const where = `HTLC ${incoming.id} on ${inKey}`;
    if (this.#forwards!.hasIncoming(inKey, incoming.id)) return inRecord; // a replay
    await crashPoint("forward-locked-in", (line) => this.#log(line));
    const out = this.#byShortId(plan.shortChannelId)!;
    let action: ChannelAction | undefined;
    let why = "it is the incoming channel";
    if (out !== inRecord && this.#refresher?.frozen(out.channelId)) {
      why = "its funding refresh is in progress";
    } else if (out !== inRecord) {
      try {
        action = addHtlc(out.state, {
          amountMres: plan.amountMres,
          paymentHash: incoming.paymentHash,
          expirySecs: plan.expirySecs,
          onion: plan.onion,
        });
      } catch (e) {
        if (!(e instanceof ChannelError)) throw e;
        why = e.message;
      }
    }
    if (!action) {
      const update = this.#ownUpdate(plan.shortChannelId)!;
      const failure = failureWithUpdate(FailureCode.TEMPORARY_CHANNEL_FAILURE, update);
      this.#log(`failing ${where}: cannot forward ${plan.amountMres} mres (${why})`);
      return await this.#act(
        inRecord,
        failHtlc(inRecord.state, incoming.id, createErrorPacket(plan.sharedSecret, failure)),
      );
    }
    const outHtlcId = action.state.nextHtlcId.local - 1n;
    await this.#forwards!.add(`${toHex(out.channelId)}:${outHtlcId}`, {
      inChannelId: inKey,
      inHtlcId: incoming.id,
      sharedSecret: plan.sharedSecret,
      inAmountMres: incoming.amountMres,
      outAmountMres: plan.amountMres,
    });
    await crashPoint("forward-entry-saved", (line) => this.#log(line));
    await this.#commitIfNeeded(await this.#act(out, action));
    this.#log(
      `forwarding ${where} as HTLC ${outHtlcId} on ${toHex(out.channelId)} ` +
        `(${plan.amountMres} mres, fee ${incoming.amountMres - plan.amountMres})`,
    );
    return this.#channels.get(inKey) ?? inRecord;
  }

  /**
   * Writes how each of our forwarded HTLCs in `events` ended into its forward, BEFORE the channel
   * state that learnt it is stored: a preimage must survive a crash until the incoming HTLC is
   * fulfilled (the peer forgets nothing, but we must not depend on it resending).
   */
  async #recordForwardOutcomes(r: ChannelRecord, events: readonly ChannelEvent[]): Promise<void> {
    if (!this.#forwards) return;
    for (const event of events) {
      if (event.type === "htlc-locked-in") continue;
      const outKey = `${toHex(r.channelId)}:${event.id}`;
      const entry = this.#forwards.get(outKey);
      const outcome = entry && forwardOutcomeOf(event, entry);
      if (outcome) await this.#forwards.resolve(outKey, outcome);
    }
  }

  /**
   * Settles the incoming HTLC of the forward whose outgoing HTLC is `outKey` with its recorded
   * outcome, if any; once settled (now or before a restart) the forward is forgotten. Waits while
   * the incoming channel is disconnected (`#resumeForwards` finishes after the reestablishment).
   */
  async #settleForward(outKey: string): Promise<void> {
    const entry = this.#forwards?.get(outKey);
    if (!entry?.outcome) return;
    const inRecord = this.#channels.get(entry.inChannelId);
    if (!inRecord || !live(inRecord)) {
      if (entry.outcome.kind === "fulfill") return; // its preimage stays for an on-chain claim
      this.#log(`forward ${outKey}: its incoming channel ${entry.inChannelId} is gone`);
      await this.#forwards!.remove(outKey);
      return;
    }
    if (!inRecord.state.connected) return;
    if (!incomingOpen(inRecord.state, entry.inHtlcId)) {
      await this.#forwards!.remove(outKey); // settled before a restart
      return;
    }
    const outcome = entry.outcome;
    const action = outcome.kind === "fulfill"
      ? fulfillHtlc(inRecord.state, entry.inHtlcId, outcome.preimage)
      : failHtlc(inRecord.state, entry.inHtlcId, outcome.reason);
    const next = await this.#act(inRecord, action);
    await this.#forwards!.remove(outKey);
    this.#log(
      `forward ${outKey} ${outcome.kind === "fulfill" ? "fulfilled" : "failed"}: HTLC ` +
        `${entry.inHtlcId} on ${entry.inChannelId}` +
        (outcome.kind === "fulfill"
          ? ` (earned ${entry.inAmountMres - entry.outAmountMres} mres)`
          : ""),
    );
    await this.#commitIfNeeded(next);
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
    return this.#enqueue(async () => {
      const key = `${toHex(channelId)}:${htlcId}`;
      const failure = { code: FailureCode.PERMANENT_CHANNEL_FAILURE, data: new Uint8Array(0) };
      this.#payments.get(key)?.resolve(
        preimage
          ? { kind: "fulfilled", preimage }
          : { kind: "failed", attribution: { kind: "attributed", hopIndex: 0, failure } },
      );
      const entry = this.#forwards?.get(key);
      if (!entry) return;
      await this.#forwards!.resolve(
        key,
        preimage
          ? { kind: "fulfill", preimage }
          : { kind: "fail", reason: createErrorPacket(entry.sharedSecret, failure) },
      );
      await this.#settleForward(key);
    });
  }

  /**
   * Finishes what a crash interrupted (forward_recovery.ts), on each tick: forgets forwards whose
   * outgoing HTLC was never stored, settles incoming HTLCs whose forward has an outcome, and
   * handles again each HTLC locked in to us but neither settled nor forwarded (one whose next
   * channel's peer is not back yet waits for it, up to {@link RESUME_GRACE_MS} after the start).
   */
  async #resumeForwards(): Promise<void> {
    if (this.#stopped) return;
    const forwards = this.#forwards;
    const forwarded = (key: string, id: bigint) => forwards?.hasIncoming(key, id) ?? false;
    for (const [outKey, entry] of forwards?.entries() ?? []) {
      const [outChannel, outHtlcId] = outKey.split(":") as [string, string];
      const out = this.#channels.get(outChannel);
      if (!entry.outcome && out && neverOffered(out.state, BigInt(outHtlcId))) {
        this.#log(`forward ${outKey} was never sent (a crash): forgetting it`);
        await forwards!.remove(outKey);
        continue;
      }
      const inRecord = this.#channels.get(entry.inChannelId);
      if (entry.outcome && inRecord && live(inRecord) && inRecord.state.connected) {
        await this.#settleForward(outKey);
      }
    }
    for (const key of [...this.#channels.keys()]) {
      const r = this.#channels.get(key)!;
      if (!live(r) || !r.state.connected || !this.#peer(r.peerId)) continue;
      for (const h of unhandledIncoming(r.state, (id) => forwarded(key, id))) {
        const scid = forwardTarget(h, this.#onionScalar);
        if (scid !== undefined && Date.now() - this.#startedMs < RESUME_GRACE_MS) {
          const out = this.#byShortId(scid);
          if (out && live(out) && !(out.state.connected && this.#peer(out.peerId))) continue;
        }
        const current = this.#channels.get(key)!;
        if (!incomingOpen(current.state, h.id) || forwarded(key, h.id)) continue;
        this.#log(`handling HTLC ${h.id} on ${key} again (left unhandled by a crash)`);
        await this.#commitIfNeeded(
          await this.#onEvent(current, { type: "htlc-locked-in", htlc: h }),
        );
      }
    }
  }

  /** Every channel (closed ones included), oldest first by id order. */
  channels(): ChannelSummary[] {
    return [...this.#channels.values()].map((r) => this.#summary(r));
  }

  /** Starts a cooperative close of `channelId` (hex); resolves once `shutdown` is sent. */
  async close(channelId: string): Promise<ChannelSummary> {
    // A payment that just finished still exchanges its last commitments: wait for them a while.
    for (let waited = 0; waited < CLOSE_WAIT_MS; waited += 250) {
      const busy = await this.#enqueue(() => {
        const r = this.#record(channelId);
        return r.status === "normal" && !quiescent(r.state) && this.#peer(r.peerId) !== undefined;
      });
      if (!busy) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return await this.#enqueue(async () => {
      const r = this.#record(channelId);
      if (r.status !== "normal") {
        throw new LnError("bad-state", `channel ${channelId} is ${r.status}, not normal`);
      }
      if (!quiescent(r.state)) {
        throw new LnError(
          "bad-state",
          "the channel has HTLCs or updates in flight; try again once they settle",
        );
      }
      if (this.#refresher?.frozen(r.channelId)) {
        throw new LnError("bad-state", "the channel's funding refresh is in progress; try later");
      }
      if (!this.#peer(r.peerId)) {
        throw new LnError(
          "peer-not-connected",
          `peer ${r.peerId} is not connected: a cooperative close needs it (or use ln forceclose)`,
        );
      }
      const address = await this.#walletAddress();
      const next: ChannelRecord = {
        ...r,
        status: "shutdown",
        localShutdown: encodeAddressPayload(address),
      };
      await this.#save(next);
      this.#send(r.peerId, { type: "shutdown", channelId: r.channelId, address });
      this.#maybeProposeClose(next);
      return this.#summary(this.#channels.get(toHex(r.channelId))!);
    });
  }

  /** Publishes our latest commitment of `channelId`; our output is swept after `to_self_delay`. */
  forceClose(channelId: string): Promise<ChannelSummary> {
    return this.#enqueue(async () => {
      const r = this.#record(channelId);
      if (!["awaiting-funding", "normal", "shutdown"].includes(r.status)) {
        throw new LnError(
          "bad-state",
          `channel ${channelId} is ${r.status}: nothing to force close`,
        );
      }
      if (r.localLostState) {
        throw new LnError(
          "bad-state",
          "the peer proved our channel state is old: publishing our commitment would lose the " +
            "channel to its penalty; ask the peer to close it",
        );
      }
      const sweepAddress = encodeAddressPayload(await this.#walletAddress());
      const tx = signedLocalCommitment(r, this.#node.params.magic);
      const next: ChannelRecord = {
        ...r,
        status: "force-closing",
        closeTx: encodeTx(tx),
        closeTxid: txid(this.#node.params.magic, tx),
        sweepAddress,
      };
      await this.#save(next); // before publishing: a crash must not forget what is on chain
      await this.#submit(tx, "commitment");
      this.#send(r.peerId, { type: "channel_error", channelId: r.channelId, text: "force closed" });
      this.#log(`force closed channel ${channelId}: commitment ${toHex(next.closeTxid!)}`);
      return this.#summary(next);
    });
  }

  #record(channelId: string): ChannelRecord {
    const r = this.#channels.get(channelId.toLowerCase());
    if (!r) throw new LnError("channel-not-found", `no channel ${channelId}`);
    return r;
  }

  /** A fresh wallet address (the wallet's own error when none is loaded or it is locked). */
  async #walletAddress(): Promise<AddressData> {
    return await this.#wallet.newAddress();
  }

  #summary(r: ChannelRecord): ChannelSummary {
    const spec = r.state.localCommit.spec;
    return {
      channelId: toHex(r.channelId),
      peerId: r.peerId,
      status: r.status,
      weFunded: r.weFunded,
      connected: this.#peer(r.peerId) !== undefined && r.state.connected,
      capacityResonances: r.state.config.capacityMres / MRES_PER_RESONANCE,
      localBalanceMres: spec.toOwnerMres,
      remoteBalanceMres: spec.toOtherMres,
      commitmentNumber: r.state.localCommit.number,
      fundingTxid: toHex(r.fundingOutpoint.txid),
      fundingVout: r.fundingOutpoint.vout,
      ...(r.closeTxid ? { closeTxid: toHex(r.closeTxid) } : {}),
      ...(r.sweepTxid ? { sweepTxid: toHex(r.sweepTxid) } : {}),
      ...(this.#refresher && live(r) ? { heartbeat: this.#refresher.summary(r) } : {}),
    };
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
      for (const [key, o] of this.#outgoing) {
        if (o.peerId !== peer.nodeId) continue;
        this.#outgoing.delete(key);
        o.reject(new LnError("open-failed", "the peer disconnected during the opening"));
      }
      for (const [key, o] of this.#incoming) {
        if (o.peerId === peer.nodeId) this.#incoming.delete(key);
      }
    });
  }

  /** An `ln_*` message from `peer` (never throws: bad input is logged and answered). */
  message(peer: Peer, id: number, payload: Uint8Array): Promise<void> {
    return this.#enqueue(async () => {
      let message: ChannelMessage | OpenMessage | RefreshMessage;
      try {
        if (isOpenMessageId(id)) message = decodeOpenMessage(id, payload);
        else if (isRefreshMessageId(id)) message = decodeRefreshMessage(id, payload);
        else if (id >= 0x80 && id <= 0x97) message = decodeChannelMessage(id, payload);
        else if (isGossipMessageId(id)) {
          return await this.#gossip?.message(peer.nodeId, id, payload);
        } else return;
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        this.#log(
          `peer ${peer.id} sent an undecodable ln message 0x${id.toString(16)}: ${e.message}`,
        );
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
    switch (m.type) {
      case "open_channel":
        return this.#onOpen(peerId, m);
      case "accept_channel":
        return await this.#onAccept(peerId, m);
      case "funding_created":
        return await this.#onFundingCreated(peerId, m);
      case "funding_signed":
        return await this.#onFundingSigned(peerId, m);
      case "channel_ready":
        return await this.#onReady(this.#ownChannel(peerId, m.channelId));
      case "shutdown":
        return await this.#onShutdown(this.#ownChannel(peerId, m.channelId), m.address);
      case "closing_signed":
        return await this.#onClosingSigned(this.#ownChannel(peerId, m.channelId), m);
      case "channel_error":
        return this.#onError(peerId, m.channelId, m.text);
      case "channel_reestablish":
        return await this.#onReestablish(this.#ownChannel(peerId, m.channelId), m);
      default:
        return await this.#onUpdate(this.#ownChannel(peerId, m.channelId), m);
    }
  }

  #ownChannel(peerId: string, channelId: Uint8Array): ChannelRecord {
    const r = this.#channels.get(toHex(channelId));
    if (!r || r.peerId !== peerId) throw new LnError("channel-not-found", "unknown channel");
    return r;
  }

  #onError(peerId: string, channelId: Uint8Array, text: string): void {
    const key = toHex(channelId);
    if (this.#incoming.get(key)?.peerId === peerId) this.#incoming.delete(key); // it gave up
    const o = this.#outgoing.get(key);
    if (o && o.peerId === peerId) {
      this.#outgoing.delete(key);
      o.reject(new LnError("open-failed", `the peer refused the channel: ${text}`));
    }
    this.#log(`peer ${peerId.slice(0, 16)} reports an error on channel ${key}: ${text}`);
  }

  // ── Opening ─────────────────────────────────────────────────────────────────────────────────

  #onOpen(peerId: string, open: OpenChannel): void {
    if (open.fundingResonances < MIN_CHANNEL_RESONANCES) {
      throw new LnError(
        "bad-amount",
        `channel of ${open.fundingResonances} resonances is too small`,
      );
    }
    if (open.pushMres > open.fundingResonances * MRES_PER_RESONANCE) {
      throw new LnError("bad-amount", "the push exceeds the channel");
    }
    const refused = refusePeerTerms(open.fundingResonances, open.params, open.limits);
    if (refused) throw new LnError("open-failed", refused);
    if (this.#incoming.has(toHex(open.temporaryChannelId))) {
      throw new LnError("open-failed", "this temporary channel id is already pending");
    }
    const pending = [...this.#incoming.values()].filter((o) => o.peerId === peerId).length;
    if (pending >= MAX_INCOMING_OPENS_PER_PEER) {
      throw new LnError("open-failed", `${pending} channel openings are already pending`);
    }
    // Channels it funds are stored before their funding exists: bound what a peer can make us keep.
    const unfunded =
      [...this.#channels.values()].filter((r) =>
        r.peerId === peerId && !r.weFunded && r.status === "awaiting-funding"
      ).length;
    if (unfunded >= MAX_UNFUNDED_CHANNELS_PER_PEER) {
      throw new LnError("open-failed", `${unfunded} channels from this peer await their funding`);
    }
    const { secrets, seed } = freshChannelSecrets();
    const params = partyParamsOf(secrets, toSelfDelayFor(this.#node.params));
    const limits = limitsFor(open.fundingResonances);
    const minimumDepth = minimumDepthFor(this.#node.params);
    this.#incoming.set(toHex(open.temporaryChannelId), {
      peerId,
      arrivedMs: Date.now(),
      open,
      params,
      limits,
      minimumDepth,
      secrets,
      seed,
    });
    this.#send(peerId, {
      type: "accept_channel",
      temporaryChannelId: open.temporaryChannelId,
      minimumDepth,
      params,
      limits,
      firstPoint: pointAt(seed, 0n),
      secondPoint: pointAt(seed, 1n),
    });
  }

  async #onAccept(peerId: string, accept: AcceptChannel): Promise<void> {
    const key = toHex(accept.temporaryChannelId);
    const o = this.#outgoing.get(key);
    if (!o || o.peerId !== peerId || o.funded) {
      throw new LnError("open-failed", "unexpected accept");
    }
    const fail = (why: string) => {
      this.#outgoing.delete(key);
      o.reject(new LnError("open-failed", why));
      return new LnError("open-failed", why);
    };
    const refused = refusePeerTerms(o.open.fundingResonances, accept.params, accept.limits) ??
      (accept.minimumDepth > MAX_MINIMUM_DEPTH
        ? `minimum depth ${accept.minimumDepth} exceeds ${MAX_MINIMUM_DEPTH}`
        : undefined);
    if (refused) throw fail(refused);
    const value = o.open.fundingResonances;
    const funding = fundingOutput(o.open.params.fundingKey, accept.params.fundingKey, value).output;
    let tx: Tx;
    try {
      tx = await this.#wallet.fundingTx(funding.address, value);
    } catch (e) {
      // The wallet's own error (insufficient funds, no wallet) goes to the caller as it is.
      this.#outgoing.delete(key);
      o.reject(e as Error);
      throw new LnError("open-failed", `cannot fund the channel: ${(e as Error).message}`);
    }
    const vout = tx.outputs.findIndex((out) =>
      out.value === value && out.address.kind === funding.address.kind &&
      bytesEqual(out.address.hash, funding.address.hash)
    );
    if (vout < 0) throw fail("the wallet's funding transaction lacks the funding output");
    const outpoint = { txid: txid(this.#node.params.magic, tx), vout };
    const config: ChannelConfig = {
      channelId: fundingChannelId(outpoint),
      funder: "local",
      capacityMres: value * MRES_PER_RESONANCE,
      localParams: o.open.params,
      remoteParams: accept.params,
      localLimits: o.open.limits,
      remoteLimits: accept.limits,
    };
    const signer = this.#signer(config, outpoint, o.secrets);
    const specs = initialCommitmentSpecs(config, o.open.feeratePerByte, o.open.pushMres);
    const remoteSignature = signer.signRemoteCommitment(specs.remote, accept.firstPoint);
    o.funded = { accept, config, tx, vout, remoteSignature };
    this.#outgoing.delete(key);
    this.#outgoing.set(toHex(config.channelId), o);
    this.#send(peerId, {
      type: "funding_created",
      temporaryChannelId: accept.temporaryChannelId,
      fundingTxid: outpoint.txid,
      fundingVout: vout,
      signature: remoteSignature,
    });
  }

  async #onFundingCreated(
    peerId: string,
    m: {
      temporaryChannelId: Uint8Array;
      fundingTxid: Uint8Array;
      fundingVout: number;
      signature: Uint8Array;
    },
  ): Promise<void> {
    const key = toHex(m.temporaryChannelId);
    const o = this.#incoming.get(key);
    if (!o || o.peerId !== peerId) throw new LnError("open-failed", "unexpected funding_created");
    this.#incoming.delete(key);
    const outpoint = { txid: m.fundingTxid, vout: m.fundingVout };
    const config: ChannelConfig = {
      channelId: fundingChannelId(outpoint),
      funder: "remote",
      capacityMres: o.open.fundingResonances * MRES_PER_RESONANCE,
      localParams: o.params,
      remoteParams: o.open.params,
      localLimits: o.limits,
      remoteLimits: o.open.limits,
    };
    if (this.#channels.has(toHex(config.channelId))) {
      throw new LnError("open-failed", "a channel with this funding outpoint exists");
    }
    const signer = this.#signer(config, outpoint, o.secrets);
    const specs = initialCommitmentSpecs(config, o.open.feeratePerByte, o.open.pushMres);
    const ourSignature = signer.signRemoteCommitment(specs.remote, o.open.firstPoint);
    const state = createChannel({
      config,
      localSeed: o.seed,
      feeratePerByte: o.open.feeratePerByte,
      pushMres: o.open.pushMres,
      remotePoints: [o.open.firstPoint, o.open.secondPoint],
      localCommitSignature: m.signature,
      remoteCommitSignature: ourSignature,
    }, signer);
    await this.#save({
      channelId: config.channelId,
      peerId,
      weFunded: false,
      status: "awaiting-funding",
      fundingOutpoint: outpoint,
      minimumDepth: o.minimumDepth,
      fundingDeadlineHeight: this.#node.chainstate.tip().height +
        fundingTimeoutBlocksFor(this.#node.params),
      secrets: o.secrets,
      state,
      localReady: false,
      remoteReady: false,
    });
    this.#send(peerId, {
      type: "funding_signed",
      channelId: config.channelId,
      signature: ourSignature,
    });
    this.#log(`accepted channel ${toHex(config.channelId)} from ${peerId.slice(0, 16)}`);
  }

  async #onFundingSigned(peerId: string, m: { channelId: Uint8Array; signature: Uint8Array }) {
    const key = toHex(m.channelId);
    const o = this.#outgoing.get(key);
    if (!o || o.peerId !== peerId || !o.funded) {
      throw new LnError("open-failed", "unexpected funding_signed");
    }
    this.#outgoing.delete(key);
    const { accept, config, tx, vout, remoteSignature } = o.funded;
    const outpoint = { txid: txid(this.#node.params.magic, tx), vout };
    let state: ChannelState;
    try {
      state = createChannel({
        config,
        localSeed: o.seed,
        feeratePerByte: o.open.feeratePerByte,
        pushMres: o.open.pushMres,
        remotePoints: [accept.firstPoint, accept.secondPoint],
        localCommitSignature: m.signature,
        remoteCommitSignature: remoteSignature,
      }, this.#signer(config, outpoint, o.secrets));
    } catch (e) {
      o.reject(new LnError("open-failed", `the peer's signature is bad: ${(e as Error).message}`));
      throw e;
    }
    // Saved before the funding is broadcast: from then on our commitment 0 is what gets the
    // money back if the peer vanishes.
    await this.#save({
      channelId: config.channelId,
      peerId,
      weFunded: true,
      status: "awaiting-funding",
      fundingOutpoint: outpoint,
      fundingTx: encodeTx(tx),
      minimumDepth: accept.minimumDepth,
      secrets: o.secrets,
      state,
      localReady: false,
      remoteReady: false,
    });
    try {
      await this.#wallet.publish(tx);
    } catch (e) {
      o.reject(
        new LnError("open-failed", `the funding transaction was refused: ${(e as Error).message}`),
      );
      return;
    }
    this.#log(
      `opened channel ${key} with ${peerId.slice(0, 16)}: funding ${toHex(outpoint.txid)}:${vout}`,
    );
    o.resolve({ channelId: key, fundingTxid: toHex(outpoint.txid), fundingVout: vout });
  }

  async #onReady(r: ChannelRecord): Promise<void> {
    if (r.remoteReady) return;
    const next = { ...r, remoteReady: true };
    if (next.localReady && next.status === "awaiting-funding") next.status = "normal";
    await this.#save(next);
  }

  // ── Updates and reestablishment ─────────────────────────────────────────────────────────────

  async #onReestablish(r: ChannelRecord, m: ChannelMessage & { type: "channel_reestablish" }) {
    if (!live(r)) return;
    let reestablished;
    try {
      reestablished = receiveReestablish(r.state, m);
    } catch (e) {
      if (e instanceof ChannelError && e.reason === "local-lost-state" && !r.localLostState) {
        await this.#save({ ...r, localLostState: true });
        this.#log(
          `channel ${toHex(r.channelId)}: the peer proves we lost state; never publishing our ` +
            "commitment (ask the peer to close)",
        );
      }
      throw e;
    }
    const { state, replies } = reestablished;
    const next = { ...r, state };
    await this.#save(next);
    for (const reply of replies) this.#send(r.peerId, reply);
    if (next.localReady) this.#send(r.peerId, { type: "channel_ready", channelId: r.channelId });
    if (next.status === "shutdown" && next.localShutdown) {
      this.#send(r.peerId, {
        type: "shutdown",
        channelId: r.channelId,
        address: addressOf(next.localShutdown),
      });
      this.#maybeProposeClose(next);
    }
    await this.#commitIfNeeded(next);
  }

  async #onUpdate(r: ChannelRecord, m: ChannelMessage): Promise<void> {
    if (!live(r)) throw new LnError("bad-state", `the channel is ${r.status}`);
    await this.#refresher?.beforeUpdate(r);
    const receipt = receiveMessage(r.state, m, this.#signerOf(r));
    await this.#recordForwardOutcomes(r, receipt.events); // a preimage is never lost
    let next = { ...r, state: receipt.state };
    await this.#save(next);
    for (const reply of receipt.replies) this.#send(r.peerId, reply);
    for (const event of receipt.events) next = await this.#onEvent(next, event);
    await this.#commitIfNeeded(next);
    if (next.status === "shutdown") this.#maybeProposeClose(next);
  }

  /** Signs the peer's next commitment when we have changes for it and may sign. */
  async #commitIfNeeded(r: ChannelRecord): Promise<ChannelRecord> {
    if (!r.state.connected || r.state.remoteNextPoint === null || !needsCommitment(r.state)) {
      return r;
    }
    return await this.#act(r, signCommitment(r.state, this.#signerOf(r)));
  }

  // ── Cooperative close ───────────────────────────────────────────────────────────────────────

  async #onShutdown(r: ChannelRecord, address: AddressData): Promise<void> {
    if (r.status !== "normal" && r.status !== "shutdown") {
      throw new LnError("bad-state", `shutdown on a channel that is ${r.status}`);
    }
    const next: ChannelRecord = {
      ...r,
      status: "shutdown",
      remoteShutdown: encodeAddressPayload(address),
    };
    const first = next.localShutdown === undefined;
    if (first) next.localShutdown = encodeAddressPayload(await this.#walletAddress());
    await this.#save(next);
    if (first) {
      this.#send(r.peerId, {
        type: "shutdown",
        channelId: r.channelId,
        address: addressOf(next.localShutdown!),
      });
    }
    this.#maybeProposeClose(next);
  }

  /** The funder signs the close once both addresses are known and nothing is in flight. */
  #maybeProposeClose(r: ChannelRecord): void {
    if (!r.weFunded || !r.localShutdown || !r.remoteShutdown || !quiescent(r.state)) return;
    if (!r.state.connected) return;
    const { tx, fee } = cooperativeCloseOf(r);
    const signature = signFundingSpendOf(r, this.#node.params.magic, tx);
    this.#send(r.peerId, {
      type: "closing_signed",
      channelId: r.channelId,
      feeResonances: fee,
      signature,
    });
  }

  async #onClosingSigned(
    r: ChannelRecord,
    m: { feeResonances: bigint; signature: Uint8Array },
  ): Promise<void> {
    if (r.status === "closing" || r.status === "closed") return; // a repeat after reconnection
    if (r.status !== "shutdown" || !r.localShutdown || !r.remoteShutdown) {
      throw new LnError("bad-state", "closing_signed before both shutdowns");
    }
    if (!quiescent(r.state)) {
      throw new LnError("bad-state", "closing_signed with updates in flight");
    }
    const { tx, fee } = cooperativeCloseOf(r);
    if (m.feeResonances !== fee) {
      throw new LnError("bad-state", `close fee ${m.feeResonances} is not the agreed ${fee}`);
    }
    const funding = fundingOf(r);
    if (
      !verify(
        m.signature,
        sighash(this.#node.params.magic, tx, 0, [funding.output]),
        r.state.config.remoteParams.fundingKey,
      )
    ) throw new LnError("bad-state", "the close signature does not verify");
    const ours = signFundingSpendOf(r, this.#node.params.magic, tx);
    const signed = withBothSignatures(r, tx, ours, m.signature);
    const next: ChannelRecord = {
      ...r,
      status: "closing",
      closeTx: encodeTx(signed),
      closeTxid: txid(this.#node.params.magic, signed),
    };
    await this.#save(next);
    if (!r.weFunded) {
      this.#send(r.peerId, {
        type: "closing_signed",
        channelId: r.channelId,
        feeResonances: fee,
        signature: ours,
      });
    }
    await this.#submit(signed, "cooperative close");
    this.#log(`closing channel ${toHex(r.channelId)}: ${toHex(next.closeTxid!)}`);
  }

  // ── Force close ─────────────────────────────────────────────────────────────────────────────

  /** Sweeps our to_owner output of our published commitment once `to_self_delay` allows. */
  async #sweepForceClose(r: ChannelRecord): Promise<void> {
    const tx = ownOutputSweep(
      r,
      this.#node.params.magic,
      addressOf(r.sweepAddress!),
      this.#node.params.minRelayFeePerByte,
    );
    if (!tx) {
      await this.#save({ ...r, status: "closed" }); // our balance was dust: nothing to sweep
      return;
    }
    try {
      await this.#node.submitTransaction(tx);
    } catch {
      return; // not mature yet (older(to_self_delay)): tried again on the next block
    }
    const sweepTxid = txid(this.#node.params.magic, tx);
    await this.#save({ ...r, sweepTxid });
    this.#log(`swept our output of channel ${toHex(r.channelId)}: ${toHex(sweepTxid)}`);
  }

  // ── The chain ───────────────────────────────────────────────────────────────────────────────

  #tick(): Promise<void> | undefined {
    const now = Date.now();
    for (const [key, o] of this.#incoming) {
      if (now - o.arrivedMs > INCOMING_OPEN_TTL_MS) this.#incoming.delete(key);
    }
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

  /** On each new tip: funding depth, `channel_ready`, closes confirmed, sweeps. */
  async #watchChain(): Promise<void> {
    await this.#node.settled();
    const tipHeight = this.#node.chainstate.tip().height;
    for (const r of [...this.#channels.values()]) {
      try {
        await this.#watchChannel(r, tipHeight);
      } catch (e) {
        this.#log(`watching channel ${toHex(r.channelId)} failed: ${(e as Error).message}`);
      }
    }
    await this.#gossip?.onBlock();
  }

  async #watchChannel(r: ChannelRecord, tipHeight: number): Promise<void> {
    const utxo = await this.#node.chainstate.getUtxo(r.fundingOutpoint);
    if (utxo) this.#refresher?.observe(r.channelId, utxo);
    if (r.status === "awaiting-funding") {
      const funding = fundingOf(r).output;
      if (!utxo) {
        const pooled = this.#node.mempool.has(r.fundingOutpoint.txid);
        if (r.weFunded && r.fundingTx && !pooled) {
          const inChain = await this.#node.txBlock(r.fundingOutpoint.txid);
          if (!inChain) await this.#submit(decodeTx(r.fundingTx), "funding");
        }
        if (
          !r.weFunded && r.fundingDeadlineHeight !== undefined &&
          tipHeight >= r.fundingDeadlineHeight && !pooled &&
          !(await this.#node.txBlock(r.fundingOutpoint.txid))
        ) {
          await this.#save({ ...r, status: "abandoned" });
          this.#log(`abandoned channel ${toHex(r.channelId)}: its funding never appeared`);
        }
        return;
      }
      if (utxo.value !== funding.value || !bytesEqual(utxo.address.hash, funding.address.hash)) {
        this.#log(`channel ${toHex(r.channelId)}: the funding output is not the agreed one`);
        return;
      }
      if (tipHeight - utxo.height + 1 < r.minimumDepth || r.localReady) return;
      const next: ChannelRecord = { ...r, localReady: true };
      if (next.remoteReady) next.status = "normal";
      await this.#save(next);
      this.#send(r.peerId, { type: "channel_ready", channelId: r.channelId });
      this.#log(`channel ${toHex(r.channelId)} funding confirmed`);
      return;
    }
    if (r.status === "normal" || r.status === "shutdown") {
      if (r.status === "normal" && await this.#refresher?.onTip(r, utxo)) return;
      if (!utxo && r.status === "shutdown" && r.localShutdown && r.remoteShutdown) {
        // The peer may have broadcast the close we signed before we stored its answer (a
        // crash): its txid is known without the witnesses.
        const closeTxid = txid(this.#node.params.magic, cooperativeCloseOf(r).tx);
        if (await this.#node.txBlock(closeTxid)) {
          await this.#save({ ...r, status: "closed", closeTxid });
          this.#log(`channel ${toHex(r.channelId)} closed (cooperatively, by the peer)`);
          return;
        }
      }
      if (!utxo && this.#node.mempool.spenderOf(r.fundingOutpoint) === undefined) {
        await this.#save({ ...r, status: "funding-spent" });
        this.#log(`channel ${toHex(r.channelId)}: the funding output was spent by the peer`);
      }
      return;
    }
    if ((r.status === "closing" || r.status === "force-closing") && r.closeTxid) {
      const confirmed = await this.#node.txBlock(r.closeTxid);
      if (!confirmed) {
        if (!this.#node.mempool.has(r.closeTxid) && utxo) {
          await this.#submit(decodeTx(r.closeTx!), "close");
        }
        return;
      }
      if (r.status === "closing") {
        await this.#save({ ...r, status: "closed" });
        this.#log(`channel ${toHex(r.channelId)} closed`);
        return;
      }
      if (r.sweepTxid === undefined) return await this.#sweepForceClose(r);
      if (await this.#node.txBlock(r.sweepTxid)) {
        await this.#save({ ...r, status: "closed" });
        this.#log(`channel ${toHex(r.channelId)} closed (force close swept)`);
      }
    }
  }

  async #submit(tx: Tx, what: string): Promise<void> {
    try {
      await this.#node.submitTransaction(tx);
    } catch (e) {
      this.#log(
        `${what} ${toHex(txid(this.#node.params.magic, tx))} not accepted: ${(e as Error).message}`,
      );
    }
  }

  /** What the funding refresher uses of the service and the node. */
  #refreshHost() {
    return {
      magic: this.#node.params.magic,
      emissionReturnAgeSecs: this.#node.params.emissionReturnAgeSecs,
      tipMtpSecs: () => this.#node.chainstate.tip().mtpSecs,
      confirmations: async (id: Uint8Array) => {
        const block = await this.#node.txBlock(id);
        const entry = block && this.#node.chainstate.getEntry(block);
        return entry ? this.#node.chainstate.tip().height - entry.height + 1 : 0;
      },
      pooled: (id: Uint8Array) => this.#node.mempool.has(id),
      submit: (tx: Tx, what: string) => this.#submit(tx, what),
      save: (r: ChannelRecord) => this.#save(r),
      send: (peerId: string, m: RefreshMessage) => {
        const { id, payload } = encodeRefreshMessage(m);
        this.#peer(peerId)?.send({ type: "ln", id, payload });
      },
      forceClose: (channelId: Uint8Array, why: string) => {
        this.#log(`force closing channel ${toHex(channelId)}: ${why}`);
        this.forceClose(toHex(channelId)).catch((e) =>
          this.#log(`force close of ${toHex(channelId)} failed: ${(e as Error).message}`)
        );
      },
      log: (line: string) => this.#log(line),
    };
  }

  // ── Keys ────────────────────────────────────────────────────────────────────────────────────

  #signer(config: ChannelConfig, outpoint: ChannelRecord["fundingOutpoint"], s: ChannelSecrets) {
    return fundingSigner(config, {
      magic: this.#node.params.magic,
      fundingOutpoint: outpoint,
      fundingSeed: s.fundingSeed,
    });
  }

  #signerOf(r: ChannelRecord) {
    return this.#signer(r.state.config, r.fundingOutpoint, r.secrets);
  }
}

/** "node X failed the payment: code" for a failed route (the payee named as such). */
function describeFailure(route: Route, attribution: ErrorAttribution): string {
  if (attribution.kind === "unattributable") {
    return "a hop failed the payment with an unreadable error";
  }
  const last = route.hops.length - 1;
  const who = attribution.hopIndex >= last
    ? "the payee failed the payment"
    : `node ${toHex(route.hops[attribution.hopIndex]!.nodeId)} (hop ${
      attribution.hopIndex + 1
    }) failed the payment`;
  return attribution.kind === "malformed"
    ? `${who} with a malformed error`
    : `${who}: ${failureCodeName(attribution.failure.code)}`;
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

/** Channels whose update protocol runs (reestablished on reconnection). */
function live(r: ChannelRecord): boolean {
  return r.status === "awaiting-funding" || r.status === "normal" || r.status === "shutdown";
}

function pointAt(seed: Uint8Array, n: bigint): Uint8Array {
  return perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - Number(n)));
}

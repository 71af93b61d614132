/**
 * Headers-first block sync and relay over the connected peers.
 *
 * - `getheaders` with a locator → `headers` (≤ 2000, asked again from the last one when full);
 *   each header is checked (sanity, miner signature, height, parent known) into a header tree.
 * - Blocks on branches whose claimed chain work beats our tip's by the reorganisation margin
 *   switching to them would owe (PROTOCOL §6.3; a branch short of it could never be switched to,
 *   so it is neither downloaded nor evaluated) are fetched with `getdata` from the peers that
 *   announced them, their checkpoints in 1 MiB chunks (`getckpt`) spread over several peers;
 *   each chunk is verified against the header's `checkpointRoot` on arrival (a
 *   CheckpointAssembly); requests time out and go to another peer.
 * - Each block is checked alone once on arrival (`checkBlock`: sanity and signature; the
 *   signature of a header already checked is not verified again); the CheckedBlock and the
 *   VerifiedCheckpoint travel to the chainstate, which does not repeat those checks.
 * - A block whose checkpoint is complete and whose parent is in the chainstate is handed to the
 *   node's `submitBlock`, one at a time, lowest height first (orphans wait for their parent;
 *   on one height blocks from peers that already delivered a connected block go first), with
 *   the sending peer as its source (unevaluated side branches are bounded per source).
 * - A block whose checkpoint every connected peer answered `notfound` for (pruned everywhere) and
 *   that lies at least `assumePrunedDepth` (default `keepCheckpoints`) blocks below the best
 *   header chain's tip is submitted without its checkpoint (`checkpoint: "assumed-pruned"`):
 *   every rule but the checkpoint's is checked; recent blocks are always fully evaluated.
 * - A rejected header or block costs its sender the penalty of the reject reason's category
 *   (net/peer/penalty.ts, docs/PROTOCOL.md §8): consensus-invalid ones disconnect and
 *   discourage it ({@link ProtocolError}) and are remembered as invalid; a block too far ahead
 *   of our clock (`time-too-new`) is never marked invalid nor punished: it is kept (at most
 *   `maxFutureBlocks`) and submitted again once our clock has caught up. Invalid chunks
 *   disconnect and discourage the sender. A block judged invalid discourages its sender even
 *   when it left before the verdict, and the sender's other blocks waiting to be submitted are
 *   forgotten unevaluated: one failed evaluation per connection (tests/pot_flood_test.ts).
 * - Serves `getheaders`, `getdata` (blocks, mempool txs) and `getckpt`; relays new tips and
 *   mempool transactions with `inv`.
 * - When the node's evaluation corpus is not complete yet (fetched from peers, {@link CorpusSync},
 *   PROTOCOL §4), headers are still synced and checked but no block is downloaded or submitted
 *   until it is: nothing is evaluated, so nothing is marked invalid for lack of data.
 *
 * @module
 */
import { checkBlock, checkSignedHeader } from "../../core/consensus/checked_block.ts";
import { checkHeaderSanity } from "../../core/consensus/check_header_sanity.ts";
import { CheckpointAssembly } from "../../core/consensus/verified_checkpoint.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { mayBecomeValid, type RejectReason } from "../../core/consensus/reasons.ts";
import { blockWork } from "../../core/consensus/chain_work.ts";
import { maxBranchWork, reorgWorkToBeat } from "../../core/consensus/reorg_reach.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { EvaluationBudget, type EvaluationBudgetOptions, hostGroup } from "./evaluation_budget.ts";
import { headerSums } from "../../core/consensus/paired_improvement.ts";
import { DecodeError, ProtocolError, ValidationError } from "../../core/errors.ts";
import { type Block, type BlockHeader, blockId } from "../../core/primitives/block.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { Peer } from "../peer/peer.ts";
import { penaltyFor } from "../peer/penalty.ts";
import {
  type CkptChunkPayload,
  type InvItem,
  InvType,
  MAX_HEADERS_RESULTS,
  type Message,
  MessageId,
  Services,
} from "../wire/mod.ts";
import { CheckpointServer } from "./checkpoint_server.ts";
import { CorpusSync } from "./corpus_sync.ts";
import { buildLocator, headersAfter } from "./locator.ts";
import type { SyncNode } from "./sync_node.ts";

/** Tuning of {@link BlockSync}. */
export interface BlockSyncOptions {
  /** A block or chunk request unanswered this long goes to another peer (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Most block + chunk requests in flight per peer (default 16). */
  readonly maxInFlightPerPeer?: number;
  /** Most checkpoint bytes of blocks being downloaded at once (default 256 MiB). */
  readonly maxPendingBytes?: number;
  /** Most headers kept ahead of the chainstate (default 100,000). */
  readonly maxTreeHeaders?: number;
  /** Scheduler period (default 200 ms). */
  readonly tickMs?: number;
  /**
   * A block this many or more blocks below the best header's height whose checkpoint every
   * connected peer has pruned is accepted without it (default `params.keepCheckpoints`, the
   * node passes its own prune depth; 0 never accepts a block without its checkpoint).
   */
  readonly assumePrunedDepth?: number;
  /**
   * Most blocks kept while too far ahead of our clock (`time-too-new`), to submit again once it
   * has caught up (default 16); past it the farthest ahead is forgotten (not marked invalid).
   */
  readonly maxFutureBlocks?: number;
  /**
   * Evaluation time allowed per address group to peers that never delivered a connected block
   * (default: a 30 s burst, then a quarter of wall time; evaluation_budget.ts).
   */
  readonly evaluationBudget?: EvaluationBudgetOptions;
}

/** Counters of what the sync did. */
export interface SyncStats {
  /** Blocks accepted from peers. */
  blocks: number;
  /** Checkpoint bytes received (verified chunks). */
  checkpointBytes: number;
  /** Headers accepted into the tree. */
  headers: number;
  /** Blocks rejected as invalid. */
  invalidBlocks: number;
  /** Blocks accepted without their checkpoint (pruned on every peer), never evaluated here. */
  assumedPrunedBlocks: number;
  /** Blocks refused for now as too far ahead of our clock (each refusal counts). */
  futureBlocks: number;
  /** Times a block from an unproven peer waited for its group's evaluation budget. */
  budgetWaits: number;
}

interface Request {
  peer: number;
  deadline: number;
}

interface TreeEntry {
  key: string;
  hash: Uint8Array;
  header: BlockHeader;
  height: number;
  parentKey: string;
  /** Peers that announced it. */
  from: Set<number>;
  /** Peers that failed to deliver it. */
  failed: Set<number>;
  /** When a peer last failed to deliver it (performance.now ms). */
  failedAt: number;
  /** Whether "no peer can serve it" was logged. */
  reportedUnavailable?: boolean;
  /** Peers that answered `notfound` for its checkpoint (pruned or never had it). */
  ckptNotFound: Set<number>;
  /** Set once it qualifies for acceptance without its checkpoint. */
  assumePruned?: boolean;
  /**
   * Set while the block is too far ahead of our clock: the clock time (s) from which it may
   * pass (its timestamp minus the allowed drift); it is not submitted before.
   */
  retryAtSecs?: number;
  block?: Block;
  blockFrom?: number;
  /** The peer that delivered `block` (judged even after it left: PROTOCOL §8.11). */
  blockPeer?: Peer;
  blockReq?: Request | undefined;
  chunks?: CheckpointAssembly;
  chunkReq: Map<number, Request>;
}

const ZERO_HASH = new Uint8Array(32);

/** Transaction reject reasons a block yet to come can cure: not remembered as rejected. */
const MAY_SPEND_LATER: ReadonlySet<RejectReason> = new Set<RejectReason>([
  "bad-txns-inputs-missingorspent",
  "bad-txns-premature-spend-of-coinbase",
]);

/** Headers-first sync, block/checkpoint download, serving and relay for one node. */
export class BlockSync {
  /** What the sync did so far. */
  readonly stats: SyncStats = {
    blocks: 0,
    checkpointBytes: 0,
    headers: 0,
    invalidBlocks: 0,
    assumedPrunedBlocks: 0,
    futureBlocks: 0,
    budgetWaits: 0,
  };
  readonly #node: SyncNode;
  readonly #peers: () => readonly Peer[];
  readonly #server: CheckpointServer;
  readonly #tree = new Map<string, TreeEntry>();
  readonly #invalid = new Set<string>();
  readonly #inFlight = new Map<number, number>();
  readonly #unconnecting = new Map<number, number>();
  readonly #unsolicited = new Map<number, number>();
  readonly #txRejects = new Set<string>();
  readonly #timeoutMs: number;
  readonly #maxInFlight: number;
  readonly #maxPendingBytes: number;
  readonly #maxTree: number;
  readonly #tickMs: number;
  readonly #assumeDepth: number;
  readonly #maxFuture: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #submitting: Promise<void> | undefined;
  #submittingKey: string | undefined;
  #stopped = false;
  readonly #punishGone: ((peer: Peer, misbehavior: ProtocolError) => void) | undefined;
  /**
   * Connected peers that delivered a block this node evaluated and connected. Of the blocks of
   * one height theirs are submitted first, so forged blocks from a flood of fresh connections
   * do not queue ahead of a proven peer's (bench/pot_flood_bench.ts).
   */
  readonly #proven = new Set<number>();
  readonly #budget: EvaluationBudget;
  /** Branch tips logged as not fetched: they cannot clear the reorg margin (see `#wanted`). */
  readonly #reportedShort = new Set<string>();
  /** Fetches and serves the corpus; undefined when the node has none to offer (tests). */
  readonly #corpus: CorpusSync | undefined;

  /**
   * @param node The node (chainstate, mempool, submit).
   * @param peers The currently connected peers (handshake done).
   * @param options Tuning.
   * @param punishGone Discourages a peer that already left when its block is found invalid
   *   (a connected one is disconnected with the error and discouraged by its owner).
   */
  constructor(
    node: SyncNode,
    peers: () => readonly Peer[],
    options: BlockSyncOptions = {},
    punishGone?: (peer: Peer, misbehavior: ProtocolError) => void,
  ) {
    this.#node = node;
    this.#peers = peers;
    this.#punishGone = punishGone;
    this.#budget = new EvaluationBudget(options.evaluationBudget);
    this.#server = new CheckpointServer(node.chainstate);
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#maxInFlight = options.maxInFlightPerPeer ?? 16;
    this.#maxPendingBytes = options.maxPendingBytes ?? 256 * 1024 * 1024;
    this.#maxTree = options.maxTreeHeaders ?? 100_000;
    this.#tickMs = options.tickMs ?? 200;
    this.#assumeDepth = options.assumePrunedDepth ?? node.params.keepCheckpoints;
    this.#maxFuture = options.maxFutureBlocks ?? 16;
    this.#corpus = node.corpusChunks
      ? new CorpusSync(node.corpusChunks, peers, (line) => node.logger.log(line), {
        requestTimeoutMs: this.#timeoutMs,
      })
      : undefined;
    if (!Number.isInteger(this.#assumeDepth) || this.#assumeDepth < 0) {
      throw new RangeError(`Bad assumePrunedDepth ${this.#assumeDepth}`);
    }
  }

  /** Starts the request scheduler. */
  start(): void {
    this.#stopped = false;
    const loop = () => {
      if (this.#stopped) return;
      this.#schedule();
      this.#timer = setTimeout(loop, this.#tickMs);
    };
    this.#timer = setTimeout(loop, this.#tickMs);
  }

  /** Stops the scheduler and waits for a block being submitted. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#submitting;
  }

  /** Number of headers known ahead of the chainstate. */
  get pendingHeaders(): number {
    return this.#tree.size;
  }

  /** A peer finished its handshake: ask it for headers after our tip. */
  peerConnected(peer: Peer): void {
    this.#getHeaders(peer);
  }

  /** A peer left: its requests go to others. */
  peerDisconnected(peer: Peer): void {
    this.#corpus?.peerDisconnected(peer);
    this.#inFlight.delete(peer.id);
    this.#proven.delete(peer.id);
    this.#unconnecting.delete(peer.id);
    this.#unsolicited.delete(peer.id);
    for (const e of this.#tree.values()) {
      e.from.delete(peer.id);
      if (e.blockReq?.peer === peer.id) e.blockReq = undefined;
      for (const [i, r] of e.chunkReq) if (r.peer === peer.id) e.chunkReq.delete(i);
    }
  }

  /** Announces a new tip to every peer. */
  announceBlock(hash: Uint8Array): void {
    for (const p of this.#peers()) p.send({ type: "inv", items: [{ type: InvType.block, hash }] });
  }

  /** Announces transactions to every peer. */
  announceTxs(ids: readonly Uint8Array[]): void {
    if (ids.length === 0) return;
    const items = ids.map((hash) => ({ type: InvType.tx, hash }));
    for (const p of this.#peers()) p.send({ type: "inv", items });
  }

  /** Handles one sync or relay message; throws {@link ProtocolError} for a bad one. */
  async handle(peer: Peer, message: Message): Promise<void> {
    if (this.#corpus && await this.#corpus.handle(peer, message)) return;
    switch (message.type) {
      case "getheaders":
        peer.send({
          type: "headers",
          headers: headersAfter(this.#node.chainstate, message.locator, message.stopHash),
        });
        return;
      case "headers":
        this.#onHeaders(peer, message.headers);
        return;
      case "inv":
        this.#onInv(peer, message.items);
        return;
      case "getdata":
        await this.#onGetData(peer, message.items);
        return;
      case "notfound":
        this.#onNotFound(peer, message.items);
        return;
      case "block":
        this.#onBlock(peer, message.block);
        return;
      case "tx":
        await this.#onTx(message.tx);
        return;
      case "getckpt": {
        const chunk = await this.#server.chunk(message.blockHash, message.chunkIndex);
        if (chunk) peer.send({ type: "ckptchunk", ...chunk });
        else {peer.send({
            type: "notfound",
            items: [{ type: InvType.ckpt, hash: message.blockHash }],
          });}
        return;
      }
      case "ckptchunk":
        this.#onChunk(peer, message);
        return;
      case "getcorpus":
        peer.send({ type: "notfound", items: [{ type: InvType.corpus, hash: message.root }] });
        return;
      default:
        return;
    }
  }

  #known(hash: Uint8Array, key = toHex(hash)): boolean {
    return this.#tree.has(key) || this.#node.chainstate.getEntry(hash) !== undefined;
  }

  #getHeaders(peer: Peer, from?: Uint8Array): void {
    const locator = buildLocator(this.#node.chainstate);
    peer.send({
      type: "getheaders",
      locator: from ? [from, ...locator] : locator,
      stopHash: ZERO_HASH,
    });
  }

  /** The node's clock (the mock time under `setmocktime`), in seconds. */
  #nowSecs(): number {
    return this.#node.clock?.nowSecs() ?? Math.floor(Date.now() / 1000);
  }

  /**
   * A header or block of `key` failed `e`: a failed header is remembered as invalid unless the
   * reason may pass later (a failed block body is not: the sender may have mutated the body of
   * a good header); throws the sender's penalty when there is one (disconnect, discourage).
   */
  #judge(e: ValidationError, tag: "invalid-header" | "invalid-block", key: string): void {
    if (tag === "invalid-header" && !mayBecomeValid(e.reason)) this.#invalid.add(key);
    if (penaltyFor(e.reason, "block") === "discourage") {
      throw new ProtocolError(
        tag,
        `${tag === "invalid-header" ? "header" : "block"} ${key}: ${e.reason}`,
      );
    }
  }

  /**
   * Checks a header that connects to a known parent and adds it to the tree; undefined when it
   * is refused without a penalty.
   */
  #addHeader(
    peer: Peer,
    header: BlockHeader,
    hash: Uint8Array,
    key: string,
  ): TreeEntry | undefined {
    const parentKey = toHex(header.prevHash);
    if (this.#invalid.has(parentKey)) {
      throw new ProtocolError("invalid-header", `header ${key} builds on an invalid block`);
    }
    const parentStatus = this.#node.chainstate.getBlockStatus(header.prevHash);
    if (parentStatus && parentStatus.invalidReason) {
      throw new ProtocolError("invalid-header", `header ${key} builds on an invalid block`);
    }
    const parentHeight = parentStatus?.entry.height ?? this.#tree.get(parentKey)?.height;
    if (parentHeight === undefined) throw new Error("parent unknown");
    if (header.height !== parentHeight + 1) {
      throw new ProtocolError("invalid-header", `header ${key} has height ${header.height}`);
    }
    try {
      checkHeaderSanity(header, this.#node.params);
      checkSignedHeader(header, this.#node.params);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      this.#judge(e, "invalid-header", key);
      return undefined;
    }
    const entry: TreeEntry = {
      key,
      hash,
      header,
      height: header.height,
      parentKey,
      from: new Set([peer.id]),
      failed: new Set(),
      failedAt: 0,
      chunkReq: new Map(),
      ckptNotFound: new Set(),
    };
    if (this.#tree.size < this.#maxTree) {
      this.#tree.set(key, entry);
      this.stats.headers++;
    }
    return entry;
  }

  #onHeaders(peer: Peer, headers: readonly BlockHeader[]): void {
    const magic = this.#node.params.magic;
    let last: Uint8Array | undefined;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      const hash = blockId(magic, header);
      const key = toHex(hash);
      last = hash;
      if (this.#invalid.has(key) || this.#node.chainstate.getBlockStatus(hash)?.invalidReason) {
        throw new ProtocolError("invalid-header", `header ${key} is of an invalid block`);
      }
      const inTree = this.#tree.get(key);
      if (inTree) {
        inTree.from.add(peer.id);
        continue;
      }
      if (this.#node.chainstate.getEntry(hash)) continue;
      if (!this.#known(header.prevHash)) {
        if (i > 0) throw new ProtocolError("invalid-header", "headers do not form a chain");
        const n = (this.#unconnecting.get(peer.id) ?? 0) + 1;
        this.#unconnecting.set(peer.id, n);
        if (n > 10) throw new ProtocolError("invalid-header", "too many unconnecting headers");
        this.#getHeaders(peer);
        return;
      }
      this.#addHeader(peer, header, hash, key);
    }
    this.#unconnecting.delete(peer.id);
    if (headers.length === MAX_HEADERS_RESULTS && last) this.#getHeaders(peer, last);
    this.#schedule();
  }

  #onInv(peer: Peer, items: readonly InvItem[]): void {
    const wantTx: InvItem[] = [];
    let unknownBlock = false;
    for (const item of items) {
      if (item.type === InvType.block) {
        const inTree = this.#tree.get(toHex(item.hash));
        if (inTree) inTree.from.add(peer.id);
        else if (!this.#known(item.hash)) unknownBlock = true;
      } else if (item.type === InvType.tx) {
        const key = toHex(item.hash);
        // The peer holds it: a transaction of ours has been broadcast.
        if (this.#node.mempool.has(item.hash)) this.#node.unbroadcast?.delete(item.hash);
        else if (!this.#txRejects.has(key)) wantTx.push(item);
      }
    }
    if (unknownBlock) this.#getHeaders(peer);
    if (wantTx.length > 0) peer.send({ type: "getdata", items: wantTx.slice(0, 1000) });
  }

  async #onGetData(peer: Peer, items: readonly InvItem[]): Promise<void> {
    const blocks = items.filter((i) => i.type === InvType.block).length;
    if (blocks > 500) throw new ProtocolError("flood", `getdata for ${blocks} blocks`);
    const missing: InvItem[] = [];
    for (const item of items) {
      if (peer.closeReason !== undefined) return;
      if (item.type === InvType.block) {
        const bytes = await this.#node.chainstate.getBlockBytes(item.hash);
        if (!bytes) {
          missing.push(item);
          continue;
        }
        const contents = new Uint8Array(1 + bytes.length);
        contents[0] = MessageId.block;
        contents.set(bytes, 1);
        peer.sendRaw(contents);
      } else if (item.type === InvType.tx) {
        const entry = this.#node.mempool.get(item.hash);
        if (entry) peer.send({ type: "tx", tx: entry.tx });
        else missing.push(item);
      } else missing.push(item);
    }
    if (missing.length > 0) peer.send({ type: "notfound", items: missing });
  }

  #onNotFound(peer: Peer, items: readonly InvItem[]): void {
    for (const item of items) {
      const e = this.#tree.get(toHex(item.hash));
      if (!e) continue;
      if (item.type === InvType.block && e.blockReq?.peer === peer.id) {
        e.failed.add(peer.id);
        e.failedAt = performance.now();
        this.#release(e.blockReq);
        e.blockReq = undefined;
      }
      if (item.type === InvType.ckpt) {
        e.ckptNotFound.add(peer.id);
        e.failed.add(peer.id);
        e.failedAt = performance.now();
        for (const [i, r] of e.chunkReq) {
          if (r.peer !== peer.id) continue;
          this.#release(r);
          e.chunkReq.delete(i);
        }
      }
    }
  }

  #countUnsolicited(peer: Peer): void {
    const n = (this.#unsolicited.get(peer.id) ?? 0) + 1;
    this.#unsolicited.set(peer.id, n);
    if (n > 32) throw new ProtocolError("flood", "too many unsolicited blocks or chunks");
  }

  #onBlock(peer: Peer, block: Block): void {
    const hash = blockId(this.#node.params.magic, block.header);
    const key = toHex(hash);
    if (this.#invalid.has(key)) throw new ProtocolError("invalid-block", `block ${key} is invalid`);
    let entry = this.#tree.get(key);
    if (!entry) {
      if (this.#node.chainstate.getEntry(hash)) return;
      this.#countUnsolicited(peer);
      if (!this.#known(block.header.prevHash)) {
        this.#getHeaders(peer);
        return;
      }
      entry = this.#addHeader(peer, block.header, hash, key);
      if (!entry) return;
    }
    if (entry.block) return;
    // The same header as the one checked into the tree (same id and signature): carry that
    // object, whose signature is known good, so it is not verified again.
    const sameSig = block.header.signature.every((b, i) => b === entry.header.signature[i]);
    let checked: Block;
    try {
      checked = checkBlock(sameSig ? { ...block, header: entry.header } : block, this.#node.params);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (entry.blockReq) this.#release(entry.blockReq);
      entry.blockReq = undefined;
      this.#judge(e, "invalid-block", key);
      return;
    }
    if (entry.blockReq) this.#release(entry.blockReq);
    entry.blockReq = undefined;
    entry.block = checked;
    entry.blockFrom = peer.id;
    entry.blockPeer = peer;
    entry.from.add(peer.id);
    peer.lastBlockSecs = Math.floor(Date.now() / 1000);
    this.#schedule();
  }

  /** A relayed transaction: into the mempool, or remembered as rejected (with its penalty). */
  async #onTx(tx: Block["txs"][number]): Promise<void> {
    const id = txid(this.#node.params.magic, tx);
    const key = toHex(id);
    if (this.#node.mempool.has(id) || this.#txRejects.has(key)) return;
    try {
      await this.#node.submitTransaction(tx, "peer");
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      if (this.#txRejects.size > 10_000) this.#txRejects.clear();
      // Inputs we do not know yet may arrive with the next blocks (we are still syncing): such a
      // transaction is fetched again when it is announced again.
      if (!MAY_SPEND_LATER.has(e.reason)) this.#txRejects.add(key);
      if (penaltyFor(e.reason, "tx") === "discourage") {
        throw new ProtocolError("invalid-tx", `tx ${key}: ${e.reason}`);
      }
    }
  }

  #onChunk(peer: Peer, message: CkptChunkPayload): void {
    const e = this.#tree.get(toHex(message.blockHash));
    if (!e || !e.chunks) {
      // A late answer for a block accepted meanwhile is harmless; anything else was not asked.
      if (!e && this.#node.chainstate.getEntry(message.blockHash)) return;
      this.#countUnsolicited(peer);
      return;
    }
    // A late duplicate: we asked twice after a request timed out.
    if (e.chunks.has(message.chunkIndex)) return;
    if (!e.chunks.add(message.chunkIndex, message.chunk, message.proof)) {
      throw new ProtocolError(
        "invalid-chunk",
        `checkpoint chunk ${message.chunkIndex} of ${e.key} does not match its root`,
      );
    }
    const req = e.chunkReq.get(message.chunkIndex);
    if (req) this.#release(req);
    e.chunkReq.delete(message.chunkIndex);
    this.stats.checkpointBytes += message.chunk.length;
    this.#schedule();
  }

  #release(req: Request): void {
    this.#inFlight.set(req.peer, Math.max(0, (this.#inFlight.get(req.peer) ?? 1) - 1));
  }

  /**
   * Tree entries worth downloading: ancestors of headers whose claimed chain work (PROTOCOL
   * §6.3: the sum of the work each header claims, verified when the block is evaluated) beats
   * our tip's plus the reorganisation margin switching to them would owe (`reorgWorkToBeat`),
   * lowest first, each with the height of the highest such header above it (its burial).
   * A claim is the most its block can verify, so a branch that falls short is neither
   * downloaded nor evaluated: it could never be switched to while our tip stays (logged once
   * per branch tip; looked at again as its headers grow or our tip moves). Sample losses of
   * different blocks are on different samples and are never compared.
   */
  #wanted(): { entry: TreeEntry; topHeight: number }[] {
    const chainstate = this.#node.chainstate;
    const tip = chainstate.tip();
    const claimed = new Map<string, bigint>();
    const forks = new Map<string, ChainEntry>();
    const parents = new Set<string>();
    for (const e of [...this.#tree.values()].sort((a, b) => a.height - b.height)) {
      const stored = chainstate.getEntry(e.header.prevHash);
      const parentWork = claimed.get(e.parentKey) ?? stored?.chainWork;
      if (parentWork === undefined) continue; // its parent left the tree: not reachable now
      const fork = forks.get(e.parentKey) ?? (stored && this.#activeAncestor(stored));
      if (fork === undefined) continue;
      claimed.set(e.key, parentWork + blockWork(this.#node.params, headerSums(e.header)));
      forks.set(e.key, fork);
      parents.add(e.parentKey);
    }
    const top = new Map<string, number>();
    const byHeight = [...this.#tree.values()].sort((a, b) => b.height - a.height);
    for (const e of byHeight) {
      const work = claimed.get(e.key);
      let own = -1;
      if (work !== undefined && work > tip.chainWork) {
        const fork = forks.get(e.key)!;
        const toBeat = reorgWorkToBeat(this.#node.params, tip.chainWork, tip.height - fork.height);
        if (work > toBeat) own = e.height;
        else if (!parents.has(e.key)) this.#reportShortBranch(e, work, toBeat, fork, tip);
      }
      const t = Math.max(top.get(e.key) ?? -1, own);
      if (t < 0) continue;
      top.set(e.key, t);
      if (this.#tree.has(e.parentKey)) {
        top.set(e.parentKey, Math.max(top.get(e.parentKey) ?? -1, t));
      }
    }
    return [...top].map(([k, topHeight]) => ({ entry: this.#tree.get(k)!, topHeight }))
      .sort((a, b) => a.entry.height - b.entry.height);
  }

  /** The last block of the active chain on `entry`'s branch (`entry` itself when active). */
  #activeAncestor(entry: ChainEntry): ChainEntry | undefined {
    const chainstate = this.#node.chainstate;
    let e: ChainEntry | undefined = entry;
    while (e && !chainstate.isActive(e.hash)) e = chainstate.getEntry(e.header.prevHash);
    return e;
  }

  /**
   * Logs, once per branch tip, a header chain that out-claims our tip but not by the margin its
   * reorganisation would owe, so none of its blocks is fetched (PROTOCOL §6.3).
   */
  #reportShortBranch(
    e: TreeEntry,
    work: bigint,
    toBeat: bigint,
    fork: ChainEntry,
    tip: ChainEntry,
  ): void {
    if (this.#reportedShort.has(e.key)) return;
    if (this.#reportedShort.size >= 1000) this.#reportedShort.clear();
    this.#reportedShort.add(e.key);
    const blocks = e.height - fork.height;
    const depth = tip.height - fork.height;
    const most = maxBranchWork(this.#node.params, fork.chainWork, blocks);
    const why = most > toBeat
      ? `its ${blocks} headers claim work ${work}, not more than the ${toBeat} a ${depth}-block ` +
        "reorg needs"
      : `even at the per-block maximum its ${blocks} headers cannot clear the reorg margin ` +
        `(at most ${most}, not more than the ${toBeat} a ${depth}-block reorg needs; they claim ` +
        `${work})`;
    this.#node.logger.log(
      `p2p: not fetching branch tip ${e.key} height=${e.height}: ${why}; looked at again when ` +
        "its headers grow or our tip moves",
    );
  }

  /**
   * Whether `e` may be accepted without its checkpoint: buried at least `assumePrunedDepth`
   * below the best header above it, and every connected peer that could serve checkpoints
   * (at least one) answered `notfound` for it. A block closer to the tip never qualifies: the
   * recent checkpoints are always downloaded and evaluated.
   */
  #mayAssumePruned(e: TreeEntry, topHeight: number, peers: readonly Peer[]): boolean {
    if (this.#assumeDepth === 0 || topHeight - e.height < this.#assumeDepth) return false;
    if (e.ckptNotFound.size === 0) return false;
    return peers.every((p) =>
      ((p.version?.services ?? 0n) & Services.checkpoints) === 0n || e.ckptNotFound.has(p.id)
    );
  }

  #pickPeer(e: TreeEntry, peers: readonly Peer[], checkpoints: boolean): Peer | undefined {
    const usable = peers.filter((p) =>
      (!checkpoints || ((p.version?.services ?? 0n) & Services.checkpoints) !== 0n) &&
      (this.#inFlight.get(p.id) ?? 0) < this.#maxInFlight
    );
    const fresh = usable.filter((p) => !e.failed.has(p.id));
    const announced = fresh.filter((p) => e.from.has(p.id));
    // Peers that failed this item are tried again only when no other peer is left, and then
    // not before a request timeout has passed since the last failure (pruned checkpoints).
    // Peers merely busy (too many requests in flight) are no failure.
    let pool = announced.length > 0 ? announced : fresh;
    const failedOnly = usable.length > 0 && e.failed.size > 0;
    if (pool.length === 0 && failedOnly && performance.now() - e.failedAt >= this.#timeoutMs) {
      if (!e.reportedUnavailable) {
        e.reportedUnavailable = true;
        this.#node.logger.log(
          `p2p: no peer can serve block ${e.key} (height ${e.height}) or its checkpoint ` +
            "(pruned everywhere?); retrying",
        );
      }
      e.failed.clear();
      pool = usable;
    }
    let best: Peer | undefined;
    for (const p of pool) {
      if (!best || (this.#inFlight.get(p.id) ?? 0) < (this.#inFlight.get(best.id) ?? 0)) best = p;
    }
    return best;
  }

  #request(peer: Peer): Request {
    this.#inFlight.set(peer.id, (this.#inFlight.get(peer.id) ?? 0) + 1);
    return { peer: peer.id, deadline: performance.now() + this.#timeoutMs };
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#corpus?.schedule();
    // No block is fetched or evaluated before the corpus is complete (headers still sync).
    if (this.#corpus && !this.#corpus.complete) return;
    const now = performance.now();
    const peers = this.#peers().filter((p) => p.ready);
    let pendingBytes = 0;
    this.#forgetKnown();
    for (const { entry: e, topHeight } of this.#wanted()) {
      if (e.blockReq && e.blockReq.deadline < now) {
        e.failed.add(e.blockReq.peer);
        e.failedAt = now;
        this.#release(e.blockReq);
        e.blockReq = undefined;
      }
      for (const [i, r] of e.chunkReq) {
        if (r.deadline >= now) continue;
        e.failed.add(r.peer);
        e.failedAt = now;
        this.#release(r);
        e.chunkReq.delete(i);
      }
      if (pendingBytes > 0 && pendingBytes + e.header.checkpointSize > this.#maxPendingBytes) {
        continue;
      }
      pendingBytes += e.header.checkpointSize;
      if (!e.block && !e.blockReq) {
        const p = this.#pickPeer(e, peers, false);
        if (p) {
          e.blockReq = this.#request(p);
          p.send({ type: "getdata", items: [{ type: InvType.block, hash: e.hash }] });
        }
      }
      e.chunks ??= new CheckpointAssembly(e.header);
      if (!e.assumePruned && this.#mayAssumePruned(e, topHeight, peers)) {
        e.assumePruned = true;
        for (const r of e.chunkReq.values()) this.#release(r);
        e.chunkReq.clear();
      }
      if (e.assumePruned) continue;
      for (let i = 0; i < e.chunks.count; i++) {
        if (e.chunks.has(i) || e.chunkReq.has(i)) continue;
        const p = this.#pickPeer(e, peers, true);
        if (!p) break;
        e.chunkReq.set(i, this.#request(p));
        p.send({ type: "getckpt", blockHash: e.hash, chunkIndex: i });
      }
    }
    this.#trySubmit();
  }

  /** Drops tree entries the chainstate now has (mined here or submitted another way). */
  #forgetKnown(): void {
    for (const [k, e] of this.#tree) {
      if (k === this.#submittingKey) continue;
      if (this.#node.chainstate.getEntry(e.hash)) {
        for (const r of e.chunkReq.values()) this.#release(r);
        if (e.blockReq) this.#release(e.blockReq);
        this.#tree.delete(k);
      }
    }
  }

  #dropBranch(key: string): void {
    this.#invalid.add(key);
    this.#tree.delete(key);
    for (const [k, e] of this.#tree) if (e.parentKey === key) this.#dropBranch(k);
  }

  /** Whether `e`'s block came from a proven peer (see `#proven`). */
  #provenEntry(e: TreeEntry): boolean {
    return e.blockFrom !== undefined && this.#proven.has(e.blockFrom);
  }

  #trySubmit(): void {
    if (this.#submitting || this.#stopped) return;
    let next: TreeEntry | undefined;
    const nowSecs = this.#nowSecs();
    for (const e of this.#tree.values()) {
      if (!e.block) continue;
      if (!e.assumePruned && !e.chunks?.complete) continue;
      if (!this.#node.chainstate.getEntry(e.header.prevHash)) continue;
      if (e.retryAtSecs !== undefined && nowSecs < e.retryAtSecs) continue;
      const group = this.#budgetGroup(e);
      const wait = group === undefined ? 0 : this.#budget.waitSecs(group);
      if (wait > 0) {
        // Over its group's budget: evaluated once the budget has refilled (PROTOCOL §8.11).
        e.retryAtSecs = nowSecs + Math.ceil(wait);
        this.stats.budgetWaits++;
        continue;
      }
      if (
        !next || e.height < next.height ||
        (e.height === next.height && this.#provenEntry(e) && !this.#provenEntry(next))
      ) next = e;
    }
    if (!next) return;
    const e = next;
    this.#submittingKey = e.key;
    this.#submitting = this.#submit(e).catch((err) => {
      this.#node.logger.log(`p2p: submitting block ${e.key} failed: ${err}`);
      this.#tree.delete(e.key);
    }).finally(() => {
      this.#submitting = undefined;
      this.#submittingKey = undefined;
      this.#schedule();
    });
  }

  async #submit(e: TreeEntry): Promise<void> {
    const checkpoint = e.chunks?.take();
    if (e.assumePruned && !checkpoint) {
      await this.#submitAssumedPruned(e);
      return;
    }
    const group = this.#budgetGroup(e);
    const started = performance.now();
    try {
      const result = await this.#node.submitBlock(e.block!, checkpoint!, `peer:${e.blockFrom}`);
      this.#tree.delete(e.key);
      if (result.status === "connected" && e.blockPeer?.closeReason === undefined) {
        this.#proven.add(e.blockFrom!);
      }
      if (result.status !== "duplicate" && result.status !== "discarded") this.stats.blocks++;
    } catch (err) {
      this.#rejected(e, err);
    } finally {
      if (group !== undefined) this.#budget.charge(group, (performance.now() - started) / 1000);
    }
  }

  /**
   * The budget group a block is charged to: its sender's address group while the sender has
   * not delivered a connected block; undefined (not charged) for a proven sender.
   */
  #budgetGroup(e: TreeEntry): string | undefined {
    if (this.#provenEntry(e) || e.blockPeer === undefined) return undefined;
    return hostGroup(e.blockPeer.host);
  }

  /** Submits a block whose checkpoint every peer pruned, without it (all other rules checked). */
  async #submitAssumedPruned(e: TreeEntry): Promise<void> {
    try {
      const result = await this.#node.chainstate.acceptBlock(e.block!, undefined, {
        checkpoint: "assumed-pruned",
        source: `peer:${e.blockFrom}`,
      });
      this.#tree.delete(e.key);
      if (result.status === "duplicate") return;
      this.stats.blocks++;
      this.stats.assumedPrunedBlocks++;
      this.#node.logger.log(
        `p2p: accepted block ${e.key} height=${e.height} without evaluation ` +
          `(checkpoint pruned on every peer; ${e.ckptNotFound.size} said notfound)`,
      );
    } catch (err) {
      if (err instanceof ValidationError) {
        this.#node.logger.log(`rejected block ${e.key} height=${e.height}: ${err.reason}`);
      }
      this.#rejected(e, err);
    }
  }

  /**
   * A submitted block failed: drop its branch and give its sender the reason's penalty when it
   * broke a rule; keep it to retry when the reason may pass later (too far ahead of our clock).
   */
  #rejected(e: TreeEntry, err: unknown): void {
    if (!(err instanceof ValidationError || err instanceof DecodeError)) {
      // Not the block's fault (evaluator, store): neither invalid nor punished.
      this.#node.logger.log(`p2p: submitting block ${e.key} failed: ${err}`);
      this.#tree.delete(e.key);
      return;
    }
    if (err instanceof ValidationError && mayBecomeValid(err.reason)) {
      this.#holdForLater(e, err);
      return;
    }
    this.stats.invalidBlocks++;
    this.#dropBranch(e.key);
    const reason = err instanceof ValidationError ? err.reason : "undecodable checkpoint";
    // An undecodable checkpoint matched its root yet breaks the format: the block is invalid.
    const penalty = err instanceof ValidationError ? penaltyFor(err.reason, "block") : "discourage";
    if (penalty === "none") return;
    // Its other blocks waiting here are never evaluated: one invalid proof per connection
    // (PROTOCOL §8.11); an honest peer announcing one of them brings it back.
    if (e.blockFrom !== undefined) this.#forgetDeliveredBy(e.blockFrom);
    const culprit = e.blockPeer;
    if (!culprit) return;
    const error = new ProtocolError("invalid-block", reason);
    // Leaving before the verdict (evaluation takes long) must not dodge the discouragement.
    if (culprit.closeReason !== undefined) this.#punishGone?.(culprit, error);
    else culprit.disconnect(`sent invalid block ${e.key} (${reason})`, error);
  }

  /**
   * Drops what `peerId` delivered that waits to be submitted: a block another peer announced
   * too loses only its body (asked for again; its chunks were checked against the header);
   * one nobody else announced is forgotten with its descendants.
   */
  #forgetDeliveredBy(peerId: number): void {
    const forget = (key: string): void => {
      const e = this.#tree.get(key);
      if (!e || key === this.#submittingKey) return;
      for (const r of e.chunkReq.values()) this.#release(r);
      if (e.blockReq) this.#release(e.blockReq);
      this.#tree.delete(key);
      for (const [k, c] of this.#tree) if (c.parentKey === key) forget(k);
    };
    for (const [k, e] of this.#tree) {
      if (e.blockFrom !== peerId || k === this.#submittingKey) continue;
      e.from.delete(peerId);
      if (e.from.size === 0) {
        forget(k);
        continue;
      }
      delete e.block;
      delete e.blockFrom;
      delete e.blockPeer;
    }
  }

  /**
   * Keeps a block refused for now (too far ahead of our clock) with its checkpoint, to submit
   * again from the time it may pass; at most `maxFutureBlocks` are kept, the farthest ahead
   * beyond that is forgotten (peers announce it again). Its sender keeps its standing.
   */
  #holdForLater(e: TreeEntry, err: ValidationError): void {
    this.stats.futureBlocks++;
    const first = e.retryAtSecs === undefined;
    e.retryAtSecs = e.header.timestampSecs - this.#node.params.maxFutureBlockTimeSecs;
    if (first) {
      this.#node.logger.log(
        `p2p: block ${e.key} height=${e.height} is ahead of our clock (${err.reason}); ` +
          `kept to submit again at ${e.retryAtSecs}`,
      );
    }
    const held = [...this.#tree.values()].filter((h) => h.retryAtSecs !== undefined);
    if (held.length <= this.#maxFuture) return;
    const farthest = held.reduce((a, b) => (b.retryAtSecs! > a.retryAtSecs! ? b : a));
    for (const r of farthest.chunkReq.values()) this.#release(r);
    if (farthest.blockReq) this.#release(farthest.blockReq);
    this.#tree.delete(farthest.key);
  }
}

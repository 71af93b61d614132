/**
 * Fetches the network's evaluation corpus from peers in verified chunks and serves it
 * (PROTOCOL §4, §8.5): `getcorpus` asks one peer for one chunk of the corpus pinned by its
 * Merkle root in the params; the `corpuschunk` answer is verified on arrival against that root
 * (the chunk's length and Merkle path) and stored; a chunk that does not verify is the sender's
 * protocol violation (disconnect and discourage, as an invalid checkpoint chunk, §8.11). A peer
 * without a chunk answers `notfound` (inventory type `corpus`); it is not asked for that chunk
 * again before a request timeout. Requests time out and go to another peer. Each held chunk is
 * served to anyone who asks, so every node with (part of) the corpus helps others fetch it.
 *
 * @module
 */
import type { EvalCorpusPin } from "../../core/consensus/eval_corpus_pin.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { ProtocolError } from "../../core/errors.ts";
import type { Peer } from "../peer/peer.ts";
import { type CorpusChunkPayload, InvType, type Message } from "../wire/mod.ts";

/** One chunk as served, with its Merkle proof to the pinned root. */
export interface ServedChunk {
  /** The chunk bytes. */
  readonly chunk: Uint8Array;
  /** Sibling hashes up to the root. */
  readonly proof: readonly Uint8Array[];
}

/** The node's corpus as the sync sees it (node/corpus/corpus_store.ts implements it). */
export interface CorpusChunks {
  /** The pinned corpus (root, length, chunk size). */
  readonly pin: EvalCorpusPin;
  /** Chunks in all. */
  readonly count: number;
  /** Chunks held and verified. */
  readonly heldCount: number;
  /** Whether every chunk is held. */
  readonly complete: boolean;
  /** Whether chunk `index` is held. */
  has(index: number): boolean;
  /** Chunk `index` with its proof, or undefined when not held. */
  served(index: number): ServedChunk | undefined;
  /** Verifies and durably stores chunk `index`; false when it does not verify. */
  add(index: number, chunk: Uint8Array, proof: readonly Uint8Array[]): Promise<boolean>;
}

/** Tuning of {@link CorpusSync}. */
export interface CorpusSyncOptions {
  /** A request unanswered this long goes to another peer (default 30 s). */
  readonly requestTimeoutMs?: number;
  /** Most chunk requests in flight per peer (default 4: 4 MiB). */
  readonly maxInFlightPerPeer?: number;
}

interface Request {
  peer: number;
  deadline: number;
}

/** Fetching and serving the corpus for one node. */
export class CorpusSync {
  readonly #corpus: CorpusChunks;
  readonly #peers: () => readonly Peer[];
  readonly #log: (line: string) => void;
  readonly #root: Uint8Array;
  readonly #timeoutMs: number;
  readonly #maxInFlight: number;
  readonly #requests = new Map<number, Request>();
  /** Peer id → when it last said `notfound` or let a request time out (performance.now ms). */
  readonly #lacking = new Map<number, number>();
  readonly #storing = new Set<number>();
  #startedMs = performance.now();
  #bytesFetched = 0;
  #announced = false;
  /** When "no peer serves it" was last logged (performance.now ms). */
  #waitLoggedMs = -Infinity;

  /**
   * @param corpus The node's corpus.
   * @param peers The currently connected peers (handshake done).
   * @param log Log sink (one line per verified chunk, and on completion).
   * @param options Tuning.
   */
  constructor(
    corpus: CorpusChunks,
    peers: () => readonly Peer[],
    log: (line: string) => void,
    options: CorpusSyncOptions = {},
  ) {
    this.#corpus = corpus;
    this.#peers = peers;
    this.#log = log;
    this.#root = fromHex(corpus.pin.rootHex);
    this.#timeoutMs = options.requestTimeoutMs ?? 30_000;
    this.#maxInFlight = options.maxInFlightPerPeer ?? 4;
  }

  /** Whether the corpus is complete (blocks may be evaluated). */
  get complete(): boolean {
    return this.#corpus.complete;
  }

  /**
   * Handles `getcorpus`, `corpuschunk` and a `notfound` naming the corpus; false for any other
   * message. Throws {@link ProtocolError} for a chunk that does not verify.
   */
  async handle(peer: Peer, message: Message): Promise<boolean> {
    switch (message.type) {
      case "getcorpus":
        this.#serve(peer, message.root, message.chunkIndex);
        return true;
      case "corpuschunk":
        await this.#onChunk(peer, message);
        return true;
      case "notfound": {
        const mine = message.items.filter((i) => i.type === InvType.corpus);
        if (mine.length === 0) return false;
        this.#onNotFound(peer);
        return mine.length === message.items.length;
      }
      default:
        return false;
    }
  }

  /** A peer left: its requests go to others. */
  peerDisconnected(peer: Peer): void {
    for (const [i, r] of this.#requests) if (r.peer === peer.id) this.#requests.delete(i);
    this.#lacking.delete(peer.id);
  }

  /** Sends requests for missing chunks to peers with room; re-requests timed-out ones. */
  schedule(): void {
    if (this.#corpus.complete) return;
    const now = performance.now();
    if (!this.#announced) {
      this.#announced = true;
      this.#startedMs = now;
      this.#log(
        `corpus: fetching the evaluation corpus from peers (${this.#corpus.heldCount} of ` +
          `${this.#corpus.count} chunks held, root ${this.#corpus.pin.rootHex}); ` +
          "blocks are not evaluated until it is complete",
      );
    }
    for (const [i, r] of this.#requests) {
      if (r.deadline >= now) continue;
      this.#requests.delete(i);
      this.#lacking.set(r.peer, now);
    }
    const inFlight = new Map<number, number>();
    for (const r of this.#requests.values()) inFlight.set(r.peer, (inFlight.get(r.peer) ?? 0) + 1);
    const peers = this.#peers().filter((p) => {
      if (!p.ready) return false;
      const lackedAt = this.#lacking.get(p.id);
      return lackedAt === undefined || now - lackedAt >= this.#timeoutMs;
    });
    for (let i = 0; i < this.#corpus.count; i++) {
      if (this.#corpus.has(i) || this.#requests.has(i) || this.#storing.has(i)) continue;
      let best: Peer | undefined;
      for (const p of peers) {
        const n = inFlight.get(p.id) ?? 0;
        if (n >= this.#maxInFlight) continue;
        if (!best || n < (inFlight.get(best.id) ?? 0)) best = p;
      }
      if (!best) break;
      inFlight.set(best.id, (inFlight.get(best.id) ?? 0) + 1);
      this.#requests.set(i, { peer: best.id, deadline: now + this.#timeoutMs });
      best.send({ type: "getcorpus", root: this.#root, chunkIndex: i });
    }
    // Nothing in flight and nobody to ask: say so (once a minute), the node keeps waiting.
    if (
      this.#requests.size === 0 && this.#storing.size === 0 && now - this.#waitLoggedMs >= 60_000
    ) {
      this.#waitLoggedMs = now;
      this.#log(
        `corpus: no connected peer serves the missing chunks (${this.#corpus.heldCount} of ` +
          `${this.#corpus.count} held); waiting for peers that have the corpus`,
      );
    }
  }

  #serve(peer: Peer, root: Uint8Array, index: number): void {
    const served = toHex(root) === this.#corpus.pin.rootHex && Number.isInteger(index) &&
        index < this.#corpus.count
      ? this.#corpus.served(index)
      : undefined;
    if (served) peer.send({ type: "corpuschunk", root, chunkIndex: index, ...served });
    else peer.send({ type: "notfound", items: [{ type: InvType.corpus, hash: root }] });
  }

  #onNotFound(peer: Peer): void {
    this.#lacking.set(peer.id, performance.now());
    for (const [i, r] of this.#requests) if (r.peer === peer.id) this.#requests.delete(i);
  }

  async #onChunk(peer: Peer, message: CorpusChunkPayload): Promise<void> {
    const index = message.chunkIndex;
    // A late duplicate (asked twice after a timeout), or one being stored: nothing to do. A
    // chunk still missing is taken from whoever sends it, once it verifies.
    if (this.#corpus.has(index) || this.#storing.has(index)) return;
    this.#storing.add(index);
    let ok: boolean;
    try {
      ok = Number.isInteger(index) && index < this.#corpus.count &&
        toHex(message.root) === this.#corpus.pin.rootHex &&
        await this.#corpus.add(index, message.chunk, message.proof);
    } finally {
      this.#storing.delete(index);
      this.#requests.delete(index);
    }
    if (!ok) {
      throw new ProtocolError(
        "invalid-chunk",
        `corpus chunk ${index} does not match the pinned root ${this.#corpus.pin.rootHex}`,
      );
    }
    this.#bytesFetched += message.chunk.length;
    const c = this.#corpus;
    const secs = (performance.now() - this.#startedMs) / 1000;
    this.#log(
      `corpus: chunk ${index} verified from peer ${peer.id} (${c.heldCount}/${c.count} chunks, ` +
        `${(this.#bytesFetched / 1e6).toFixed(1)} MB in ${secs.toFixed(1)} s)`,
    );
    if (c.complete) {
      this.#log(
        `corpus: complete (${c.count} chunks, ${c.pin.bytes} bytes, root ${c.pin.rootHex}); ` +
          "evaluating blocks from now on",
      );
    }
    this.schedule();
  }
}

/**
 * The Node: one object owning the chainstate, mempool, evaluator, clock and logger, built from a
 * single dependencies object (DESIGN §1, STYLE 8). RPC handlers call it; it logs every block
 * connected and every rejection with its reason, finds transactions through the mempool and the
 * chainstate's transaction index (so starting reads no block), and resolves {@linkcode Node.stopped} when a stop is requested. A stop also
 * aborts {@linkcode Node.shutdownSignal}, which the evaluator and the miner watch, so in-flight
 * training and evaluation end at their next step or window boundary (an aborted evaluation
 * throws, and a block whose evaluation was aborted is simply not connected).
 *
 * @module
 */
import type { AcceptResult, Chainstate, TipChange } from "../core/chain/chainstate.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import type { VerifiedCheckpoint } from "../core/consensus/verified_checkpoint.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { DecodeError, ValidationError } from "../core/errors.ts";
import type { Mempool, MempoolEntry } from "../core/mempool/mempool.ts";
import { UnbroadcastSet } from "../core/mempool/unbroadcast.ts";
import { formatRnt } from "../core/primitives/amount.ts";
import type { AddressData } from "../core/primitives/address.ts";
import { type Block, blockId, decodeBlock } from "../core/primitives/block.ts";
import { decodeTx, type Tx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import type { NodeClock } from "./clock.ts";
import type { Logger } from "./logger.ts";
import type { CorpusChunks } from "../net/sync/corpus_sync.ts";

/** Produces blocks on demand (regtest `generatetoaddress`). */
export interface BlockProducer {
  /** Mines one block paying `address` on the current tip and submits it; returns its hash. */
  mineBlock(node: Node, address: AddressData): Promise<Uint8Array>;
}

/** A clock that may be mocked (regtest `setmocktime`). */
export interface MockClock extends NodeClock {
  /** Sets the mock time in seconds; 0 returns to the system clock. */
  setMockTime(secs: number): void;
}

/** Everything a Node is built from. */
export interface NodeDeps {
  /** Network params. */
  readonly params: NetworkParams;
  /** The chainstate (opened on the same clock and evaluator). */
  readonly chainstate: Chainstate;
  /** The mempool over that chainstate. */
  readonly mempool: Mempool;
  /** The exact consensus evaluator (memoised: the miner's evaluations are reused). */
  readonly evaluator: Evaluator;
  /** The network's evaluation corpus (PROTOCOL §4, §5.9). */
  readonly corpus: Uint8Array;
  /**
   * The corpus's chunks for P2P (served; fetched while incomplete, when `corpus` is not to be
   * used yet). Without it the node neither serves nor fetches the corpus.
   */
  readonly corpusChunks?: CorpusChunks;
  /** Time source (mockable on regtest). */
  readonly clock: MockClock;
  /** Log sink. */
  readonly logger: Logger;
  /** Data directory. */
  readonly datadir: string;
  /** Block producer for regtest `generatetoaddress`, when available. */
  readonly blockProducer?: BlockProducer;
  /** Monotonic ms for uptime (default performance.now). */
  readonly monotonicMs?: () => number;
  /**
   * Aborted by {@linkcode Node.requestStop}; pass the controller whose signal the evaluator
   * watches (default a new one).
   */
  readonly shutdown?: AbortController;
}

/** Where a transaction was found. */
export interface FoundTx {
  /** The transaction. */
  readonly tx: Tx;
  /** Hash of the active-chain block holding it; undefined for a mempool transaction. */
  readonly blockHash?: Uint8Array;
}

/** How many blocks' verification times the node remembers (oldest forgotten first). */
const VERIFY_TIMES_KEPT = 10_000;

/** The full node as RPC sees it. */
export class Node {
  readonly params: NetworkParams;
  readonly chainstate: Chainstate;
  readonly mempool: Mempool;
  readonly evaluator: Evaluator;
  readonly corpus: Uint8Array;
  readonly corpusChunks: CorpusChunks | undefined;
  readonly clock: MockClock;
  readonly logger: Logger;
  readonly datadir: string;
  readonly blockProducer: BlockProducer | undefined;
  /** Transactions this node originated that no peer is known to hold yet (the relay re-announces them). */
  readonly unbroadcast = new UnbroadcastSet();
  readonly #monotonicMs: () => number;
  readonly #startedMs: number;
  /** block hash hex → seconds `submitBlock` took to validate and store it (this run only). */
  readonly #verifySecs = new Map<string, number>();
  #mining: Promise<unknown> = Promise.resolve();
  #tipWork: Promise<unknown> = Promise.resolve();
  #stopRequested = false;
  readonly #shutdown: AbortController;
  #resolveStop!: () => void;
  /** Resolves once {@linkcode Node.requestStop} was called. */
  readonly stopped: Promise<void>;
  #unsubscribe: () => void;

  private constructor(deps: NodeDeps) {
    this.params = deps.params;
    this.chainstate = deps.chainstate;
    this.mempool = deps.mempool;
    this.evaluator = deps.evaluator;
    this.corpus = deps.corpus;
    this.corpusChunks = deps.corpusChunks;
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.datadir = deps.datadir;
    this.blockProducer = deps.blockProducer;
    this.#monotonicMs = deps.monotonicMs ?? (() => performance.now());
    this.#shutdown = deps.shutdown ?? new AbortController();
    this.#startedMs = this.#monotonicMs();
    this.stopped = new Promise((resolve) => this.#resolveStop = resolve);
    this.#unsubscribe = this.chainstate.onTipChange((change) => this.#onTipChange(change));
  }

  /** Builds a node (reads nothing: the chainstate has its index and transaction index). */
  static create(deps: NodeDeps): Promise<Node> {
    return Promise.resolve(new Node(deps));
  }

  #onTipChange(change: TipChange): void {
    for (const { block } of change.disconnected) {
      this.logger.log(`disconnected block ${toHex(blockId(this.params.magic, block.header))}`);
    }
    for (const { block, entry } of change.connected) {
      const reward = block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
      const h = entry.header;
      this.logger.log(
        `connected block height=${entry.height} hash=${toHex(entry.hash)} ` +
          `loss=${
            (h.sampleLossMicroNats / 1e6).toFixed(6)
          } d_model=${h.dModel} layers=${h.nLayers} ` +
          `reward=${formatRnt(reward)} txs=${block.txs.length}`,
      );
    }
    const work = this.#tipWork.then(() => this.mempool.handleTipChange(change));
    this.#tipWork = work.catch((e) => this.logger.log(`mempool update failed: ${e}`));
  }

  /** Waits until the mempool has followed every tip change so far. */
  async settled(): Promise<void> {
    await this.#tipWork;
  }

  /**
   * Validates and stores a block with its checkpoint (through the chainstate). Logs and rethrows
   * a rejection (ValidationError with its reason, DecodeError for bytes that do not decode).
   * `source` names who handed it in ("rpc", "miner", "peer:7"; default "local"): unevaluated
   * side-branch blocks are bounded per source (PROTOCOL §6.6).
   */
  async submitBlock(
    block: Block | Uint8Array,
    checkpoint: Uint8Array | VerifiedCheckpoint,
    source = "local",
  ): Promise<AcceptResult> {
    let decoded: Block;
    try {
      decoded = block instanceof Uint8Array ? decodeBlock(block, this.params) : block;
    } catch (e) {
      this.logger.log(`rejected block: undecodable (${(e as Error).message})`);
      throw e;
    }
    const hash = toHex(blockId(this.params.magic, decoded.header));
    try {
      const startedMs = this.#monotonicMs();
      const result = await this.chainstate.acceptBlock(decoded, checkpoint, { source });
      if (result.status === "connected" || result.status === "side-branch") {
        this.#verifySecs.set(hash, (this.#monotonicMs() - startedMs) / 1000);
        if (this.#verifySecs.size > VERIFY_TIMES_KEPT) {
          this.#verifySecs.delete(this.#verifySecs.keys().next().value!);
        }
      }
      if (result.status !== "connected") {
        this.logger.log(`block ${hash} at height ${decoded.header.height}: ${result.status}`);
      }
      await this.settled();
      return result;
    } catch (e) {
      if (e instanceof ValidationError) {
        this.logger.log(
          `rejected block ${hash} height=${decoded.header.height}: ${e.reason} (${e.message})`,
        );
      } else if (e instanceof DecodeError) {
        this.logger.log(`rejected block ${hash}: undecodable checkpoint (${e.message})`);
      }
      throw e;
    }
  }

  /**
   * Accepts a transaction into the mempool; logs and rethrows a rejection. One of `origin`
   * "local" (RPC, wallet, `mempool.dat`) joins {@linkcode Node.unbroadcast}.
   */
  async submitTransaction(
    input: Tx | Uint8Array,
    origin: "local" | "peer" = "local",
  ): Promise<MempoolEntry> {
    const tx = input instanceof Uint8Array ? decodeTx(input, this.params.maxTxBytes) : input;
    const id = toHex(txid(this.params.magic, tx));
    await this.settled();
    try {
      const entry = await this.mempool.acceptTx(tx);
      if (origin === "local") this.unbroadcast.add(entry.txid);
      // Detail, as Core's -debug=mempool (a busy node accepts many).
      const line = `accepted tx ${id} to the mempool (${entry.sizeBytes} bytes)`;
      if (this.logger.debug) this.logger.debug("mempool", line);
      else this.logger.log(line);
      return entry;
    } catch (e) {
      if (e instanceof ValidationError) this.logger.log(`rejected tx ${id}: ${e.reason}`);
      throw e;
    }
  }

  /**
   * Seconds this node spent validating and storing block `hash` (all rules, the model evaluation
   * included), when it accepted the block with its checkpoint during this run; undefined for
   * blocks it accepted earlier, synced without a checkpoint, or forgot (it keeps the last 10 000).
   */
  verifySeconds(hash: Uint8Array): number | undefined {
    return this.#verifySecs.get(toHex(hash));
  }

  /** The active-chain block hash holding `id`, if any. */
  txBlock(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.chainstate.txBlock(id);
  }

  /** Finds a transaction in the mempool, then the active chain. */
  async findTx(id: Uint8Array): Promise<FoundTx | undefined> {
    const pooled = this.mempool.get(id);
    if (pooled) return { tx: pooled.tx };
    const blockHash = await this.txBlock(id);
    if (!blockHash) return undefined;
    const block = await this.chainstate.getBlock(blockHash);
    const tx = block?.txs.find((t) => toHex(txid(this.params.magic, t)) === toHex(id));
    return tx ? { tx, blockHash } : undefined;
  }

  /**
   * Runs `work` after any earlier mining job (one block producer at a time).
   */
  serializeMining<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#mining.then(work);
    this.#mining = run.catch(() => {});
    return run;
  }

  /** Seconds since the node started. */
  uptimeSecs(): number {
    return Math.floor((this.#monotonicMs() - this.#startedMs) / 1000);
  }

  /** Whether a stop was requested. */
  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** Aborted once a stop is requested: long work (training, evaluation) watches it. */
  get shutdownSignal(): AbortSignal {
    return this.#shutdown.signal;
  }

  /**
   * Asks the node to shut down (RPC `stop`, signals): aborts {@linkcode Node.shutdownSignal}
   * and resolves {@linkcode Node.stopped}.
   */
  requestStop(why: string): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    this.logger.log(`shutdown requested (${why})`);
    if (!this.#shutdown.signal.aborted) {
      this.#shutdown.abort(new DOMException(`node shutting down (${why})`, "AbortError"));
    }
    this.#resolveStop();
  }

  /** Stops following the chainstate (call before closing it). */
  async detach(): Promise<void> {
    this.#unsubscribe();
    await this.#mining.catch(() => {});
    await this.settled();
  }
}

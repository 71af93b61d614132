/**
 * The chainstate (DESIGN §4, PROTOCOL.md §6): block index, active chain, UTXO set and undo
 * data on LevelDB, checkpoint files, fork choice and reorganisation.
 *
 * - `acceptBlock` runs the cheap stages (the block alone with its signature — once per block
 *   object, see checked_block.ts —, header context against the parent, checkpoint size/root
 *   unless it comes verified), stores the block and its checkpoint, then activates the best
 *   chain with the block and checkpoint it has in memory (nothing just written is read back).
 * - Fork choice: the valid chain with the most chain work (the sum of every block's verified
 *   progress, capped per block, plus one: PROTOCOL §6.3); ties go to the block seen first.
 *   Unevaluated blocks count with the work their headers claim; a claim that does not
 *   re-evaluate exactly makes the block invalid. A switch needing more than `params.maxReorgDepth` disconnections is
 *   refused, and so is one disconnecting d ≥ 2 blocks whose branch does not beat the tip by
 *   `reorgMarginWork(d)` (copied checkpoints must not reorganise for free). The candidates are kept as a set of the usable blocks off the active chain
 *   (updated on accept, connect, disconnect, invalidation, pruning and eviction), so choosing
 *   never scans the block index.
 * - Connecting a block checks its transactions against the UTXO set first and evaluates the
 *   checkpoint (checkProofOfTraining) last, only when every cheap rule holds, and only once.
 * - Unevaluated side-branch blocks are bounded (side_branch_budget.ts, PROTOCOL §6.6): over a
 *   bound the worst leaf is forgotten (index record, block and checkpoint).
 * - Connecting or disconnecting a block is one atomic LevelDB batch holding the UTXO changes,
 *   undo data, index record, height entry, tip and supply totals: after a crash the store is
 *   at the state before or after that block, never between.
 * - A block that fails during activation is marked invalid with its descendants; the best
 *   remaining valid chain is (re)connected.
 * - `acceptBlock(block, undefined, { checkpoint: "assumed-pruned" })` stores a block without
 *   its checkpoint (status `assumedPruned`) and connects it with every rule but the checkpoint
 *   commitment and evaluation; the sync decides when (PROTOCOL §8.10).
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";
import { ValidationError } from "../errors.ts";
import { type Block, blockId, decodeBlock, encodeBlock } from "../primitives/block.ts";
import { isCoinbase, type OutPoint } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import type { Evaluator } from "../consensus/evaluator.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { type ChainEntry, outpointKey, type UtxoEntry } from "../consensus/chain_entry.ts";
import { checkBlock } from "../consensus/checked_block.ts";
import { checkHeaderAgainstParent } from "../consensus/check_header_context.ts";
import { connectBlockTransactions } from "../consensus/connect_block.ts";
import type { SignatureVerifier } from "../crypto/signature_verifier.ts";
import { genesisBlock, genesisCheckpointBytes, genesisEntry } from "../consensus/genesis.ts";
import { nextEntry } from "../consensus/next_entry.ts";
import { reorgMarginWork } from "../consensus/chain_work.ts";
import { isRejectReason, mayBecomeValid, type RejectReason } from "../consensus/reasons.ts";
import {
  type CheckpointMode,
  checkProofOfTraining,
  type ProofOfTrainingResult,
} from "../consensus/proof_of_training.ts";
import { reject } from "../consensus/reasons.ts";
import { VerifiedCheckpoint } from "../consensus/verified_checkpoint.ts";
import { outPointFromKey, Prefix, STORE_VERSION } from "./keys.ts";
import { BlockStatus, type IndexRecord, type UndoData } from "./records.ts";
import { ChainStore, StoreBatch } from "./store.ts";
import { CheckpointFiles } from "./checkpoint_files.ts";
import {
  type HeldBlock,
  pickEviction,
  type SideBranchLimits,
  sideBranchLimits,
} from "./side_branch_budget.ts";

/** The time source of the chainstate (a manual clock in tests). */
export interface ChainClock {
  /** Seconds since the epoch. */
  nowSecs(): number;
}

/** One block connected or disconnected by an activation. */
export interface ChainBlock {
  /** Its chain entry. */
  readonly entry: ChainEntry;
  /** The block. */
  readonly block: Block;
}

/** What an activation changed; listeners get it after the batch is on disk. */
export interface TipChange {
  /** The new tip. */
  readonly tip: ChainEntry;
  /** Blocks disconnected, tip first. */
  readonly disconnected: readonly ChainBlock[];
  /** Blocks connected, lowest first. */
  readonly connected: readonly ChainBlock[];
}

/** Result of {@linkcode Chainstate.acceptBlock}. */
export interface AcceptResult {
  /**
   * "connected": on the active chain now; "side-branch": stored, not active; "duplicate";
   * "discarded": valid as far as checked, but off the active chain and not kept because the
   * side-branch bounds (PROTOCOL §6.6) left no room for it (it may be handed in again later).
   */
  readonly status: "connected" | "side-branch" | "duplicate" | "discarded";
  /** The block's hash. */
  readonly hash: Uint8Array;
  /** Present when the acceptance switched branches: hashes disconnected (tip first) and connected. */
  readonly reorged?: { readonly disconnected: Uint8Array[]; readonly connected: Uint8Array[] };
}

/** One tip of the block tree (a block without children), as `getchaintips` reports it. */
export interface ChainTip {
  /** The tip's entry. */
  readonly entry: ChainEntry;
  /** Blocks between the tip and the active chain (0 for the active tip). */
  readonly branchLength: number;
  /**
   * "active"; "valid-fork": fully validated once; "unevaluated": stored, never connected;
   * "invalid": the block or an ancestor broke a rule.
   */
  readonly status: "active" | "valid-fork" | "unevaluated" | "invalid";
}

/** Options of {@linkcode Chainstate.acceptBlock}. */
export interface AcceptOptions {
  /**
   * "evaluate" (default): the checkpoint is required, checked and evaluated on connect.
   * "assumed-pruned": no checkpoint (pruned on every peer); the block is stored with the
   * `assumedPruned` status bit and connected with every rule checked but the checkpoint's.
   */
  readonly checkpoint?: CheckpointMode;
  /**
   * Who handed the block in ("rpc", "miner", "peer:7", …): unevaluated side-branch blocks are
   * bounded per source (PROTOCOL §6.6). Default "local".
   */
  readonly source?: string;
}

/** Options of {@linkcode Chainstate.open}. */
export interface ChainstateOptions {
  /** Keep checkpoints of the last this-many blocks; 0 keeps all. Default params.keepCheckpoints. */
  readonly prune?: number;
  /**
   * Regtest only, for tests: allow `prune` ≤ maxReorgDepth (a reorganisation deeper than
   * `prune` then finds checkpoints missing).
   */
  readonly shallowPrune?: boolean;
  /** Called after every tip change. */
  readonly onTipChange?: (change: TipChange) => void;
  /** Called at open with the leftover checkpoint files removed (names), when there were any. */
  readonly onSweep?: (removed: readonly string[]) => void;
  /**
   * Bounds of the unevaluated side-branch blocks; default {@linkcode sideBranchLimits} of the
   * params and the tip's checkpoint size. Tests pass smaller ones.
   */
  readonly sideBranchLimits?: SideBranchLimits;
  /** Verifies each block's signature batch (default: in this thread); see ConnectContext. */
  readonly signatureVerifier?: SignatureVerifier;
  /** Called after each Proof-of-Training evaluation (for logs: the node prints verify seconds). */
  readonly onVerified?: (verified: VerifiedBlock) => void;
  /**
   * Called when a block with a checkpoint is connected unevaluated because its parent's
   * checkpoint is missing (assumed-pruned parent, PROTOCOL §5.5 stage 4).
   */
  readonly onUnpaired?: (hash: Uint8Array, height: number) => void;
  /**
   * Called when a branch with more work than the tip is not switched to because it does not
   * clear the reorganisation margin (PROTOCOL §6.3); once per activation and branch tip.
   */
  readonly onReorgRefused?: (refusal: ReorgRefusal) => void;
}

/** A branch that out-weighs the tip but not by the reorganisation margin its depth owes. */
export interface ReorgRefusal {
  /** The tip the node keeps. */
  readonly tip: ChainEntry;
  /** The refused branch's tip. */
  readonly branchTip: ChainEntry;
  /** Blocks of the active chain the switch would have disconnected. */
  readonly depth: number;
  /** The work the branch needed beyond the tip's: `reorgMarginWork(depth)`. */
  readonly marginWork: bigint;
}

/** A block whose Proof-of-Training was just evaluated and held. */
export interface VerifiedBlock {
  /** Block id. */
  readonly hash: Uint8Array;
  readonly height: number;
  /** The exact sample losses, μ_t, progress and work. */
  readonly result: ProofOfTrainingResult;
  /** Wall seconds of the check (both evaluations included). */
  readonly seconds: number;
}

/** A block being accepted, kept in memory while its activation runs. */
interface FreshBlock {
  readonly block: Block;
  readonly checkpoint: VerifiedCheckpoint | undefined;
}

const hex = toHex;

/** Block index, UTXO set and active chain of one network on LevelDB. */
export class Chainstate {
  /** The network. */
  readonly params: NetworkParams;
  readonly #store: ChainStore;
  readonly #files: CheckpointFiles;
  readonly #evaluator: Evaluator;
  readonly #corpus: Uint8Array;
  readonly #clock: ChainClock;
  readonly #prune: number;
  readonly #index = new Map<string, IndexRecord>();
  readonly #children = new Map<string, string[]>();
  /**
   * Fork-choice candidates: keys of the blocks off the active chain that could be connected
   * (stored, not invalid, with a checkpoint or already evaluated or assumed-pruned). Blocks on
   * the active chain are never better than its tip, so the tip plus this set is every choice.
   */
  readonly #candidates = new Set<string>();
  /** Who handed in each unevaluated side-branch block (this session; "unknown" after a reopen). */
  readonly #sources = new Map<string, string>();
  readonly #limits: SideBranchLimits | undefined;
  /** The block being accepted (not read back from the store while it is activated). */
  #fresh: { key: string; value: FreshBlock } | undefined;
  /**
   * The checkpoint of the last block evaluated on connect: the next block's parent, so its
   * Proof-of-Training check pairs with it without reading and hashing the file again.
   */
  #lastEvaluated: { key: string; checkpoint: VerifiedCheckpoint } | undefined;
  /** Active chain hashes (hex) by height. */
  #active: string[] = [];
  #nextSeq = 0;
  #prunedBelow = 0;
  /** Lowest height below `#prunedBelow` connected since the last prune (shallow-prune reorgs). */
  #reconnectedBelow = Number.POSITIVE_INFINITY;
  #lock: Promise<unknown> = Promise.resolve();
  readonly #listeners = new Set<(change: TipChange) => void>();
  #closed = false;
  readonly #verifier: SignatureVerifier | undefined;
  readonly #onVerified: ((verified: VerifiedBlock) => void) | undefined;
  readonly #onUnpaired: ((hash: Uint8Array, height: number) => void) | undefined;
  readonly #onReorgRefused: ((refusal: ReorgRefusal) => void) | undefined;

  private constructor(
    params: NetworkParams,
    store: ChainStore,
    files: CheckpointFiles,
    evaluator: Evaluator,
    corpus: Uint8Array,
    clock: ChainClock,
    prune: number,
    limits: SideBranchLimits | undefined,
    verifier: SignatureVerifier | undefined,
    onVerified: ((verified: VerifiedBlock) => void) | undefined,
    onUnpaired: ((hash: Uint8Array, height: number) => void) | undefined,
    onReorgRefused: ((refusal: ReorgRefusal) => void) | undefined,
  ) {
    this.params = params;
    this.#verifier = verifier;
    this.#onVerified = onVerified;
    this.#onUnpaired = onUnpaired;
    this.#onReorgRefused = onReorgRefused;
    this.#limits = limits;
    this.#store = store;
    this.#files = files;
    this.#evaluator = evaluator;
    this.#corpus = corpus;
    this.#clock = clock;
    this.#prune = prune;
  }

  /**
   * Opens the chainstate in `datadir` (LevelDB in `chainstate/`, checkpoints in
   * `checkpoints/`), writing the genesis block on first open.
   */
  static async open(
    datadir: string,
    params: NetworkParams,
    evaluator: Evaluator,
    corpus: Uint8Array,
    clock: ChainClock,
    options: ChainstateOptions = {},
  ): Promise<Chainstate> {
    const prune = options.prune ?? params.keepCheckpoints;
    if (!Number.isInteger(prune) || prune < 0) throw new RangeError(`Bad prune ${prune}`);
    const shallowOk = options.shallowPrune === true && params.name === "regtest" && prune >= 2;
    if (prune !== 0 && prune <= params.maxReorgDepth && !shallowOk) {
      throw new RangeError(`prune must be 0 or above maxReorgDepth ${params.maxReorgDepth}`);
    }
    const store = await ChainStore.open(datadir);
    const files = new CheckpointFiles(datadir);
    await files.init();
    const cs = new Chainstate(
      params,
      store,
      files,
      evaluator,
      corpus,
      clock,
      prune,
      options.sideBranchLimits,
      options.signatureVerifier,
      options.onVerified,
      options.onUnpaired,
      options.onReorgRefused,
    );
    if (options.onTipChange) cs.#listeners.add(options.onTipChange);
    try {
      await cs.#load();
      // A crash can leave temp files and checkpoints written ahead of their index record.
      const swept = await files.sweep((hash) => {
        const rec = cs.#index.get(hex(hash));
        return rec !== undefined && (rec.status & BlockStatus.haveCheckpoint) !== 0;
      });
      if (swept.length > 0) options.onSweep?.(swept);
      // After a crash in the middle of a reorganisation the stored tip is consistent but may
      // not be the best chain: finish the switch now.
      await cs.#activateBestChain();
    } catch (e) {
      await store.close();
      throw e;
    }
    return cs;
  }

  async #load(): Promise<void> {
    const tipHash = await this.#store.getTip();
    if (!tipHash) {
      await this.#writeGenesis();
      return;
    }
    for (const rec of await this.#store.loadIndex()) this.#remember(rec);
    this.#nextSeq = (await this.#store.getCounter(Prefix.seq)) ?? this.#index.size;
    this.#prunedBelow = (await this.#store.getCounter(Prefix.pruned)) ?? 0;
    const active: string[] = [];
    let rec = this.#index.get(hex(tipHash));
    if (!rec) throw new RangeError("Chain store tip has no index record");
    for (;;) {
      active.push(hex(rec.entry.hash));
      if (rec.entry.height === 0) break;
      const parent = this.#index.get(hex(rec.entry.header.prevHash));
      if (!parent) throw new RangeError("Chain store is missing an ancestor of the tip");
      rec = parent;
    }
    this.#active = active.reverse();
    for (const [key, r] of this.#index) {
      if (this.#active[r.entry.height] !== key && Chainstate.#usable(r)) this.#candidates.add(key);
    }
    if ((await this.#store.getCounter(Prefix.txIndexed)) === undefined) await this.#indexTxs();
  }

  /**
   * Stores written before the transaction index existed get it once, from the active chain's
   * blocks (additive: same store version, old code ignores the `x` keys).
   */
  async #indexTxs(): Promise<void> {
    let batch = new StoreBatch();
    for (const key of this.#active) {
      const hash = this.#index.get(key)!.entry.hash;
      const bytes = await this.#store.getBlock(hash);
      if (!bytes) continue;
      for (const tx of decodeBlock(bytes, this.params).txs) {
        batch.putTx(txid(this.params.magic, tx), hash);
      }
      if (batch.ops.length >= 10_000) {
        await this.#store.write(batch);
        batch = new StoreBatch();
      }
    }
    await this.#store.write(batch.putCounter(Prefix.txIndexed, 1));
  }

  /** Whether fork choice may pick `rec` (stored, not invalid, checkpoint or evaluated). */
  static #usable(rec: IndexRecord): boolean {
    if (rec.status & BlockStatus.invalid || !(rec.status & BlockStatus.haveBlock)) return false;
    const usable = BlockStatus.haveCheckpoint | BlockStatus.potValid | BlockStatus.assumedPruned;
    return (rec.status & usable) !== 0;
  }

  /** Whether `rec` is a stored side-branch block never evaluated (bounded, PROTOCOL §6.6). */
  static #unevaluated(rec: IndexRecord): boolean {
    return (rec.status & BlockStatus.haveCheckpoint) !== 0 &&
      (rec.status & (BlockStatus.potValid | BlockStatus.invalid | BlockStatus.assumedPruned)) === 0;
  }

  async #writeGenesis(): Promise<void> {
    const block = genesisBlock(this.params);
    const entry = genesisEntry(this.params);
    const ckpt = VerifiedCheckpoint.verify(block.header, genesisCheckpointBytes(this.params));
    await this.#files.put(entry.hash, ckpt);
    const rec: IndexRecord = {
      entry,
      status: BlockStatus.haveBlock | BlockStatus.haveCheckpoint | BlockStatus.potValid |
        BlockStatus.txsValid,
      seq: 0,
      invalidReason: "",
    };
    const batch = new StoreBatch()
      .putCounter(Prefix.version, STORE_VERSION)
      .putBlock(entry.hash, encodeBlock(block))
      .putIndex(rec)
      .putUndo(entry.hash, { spent: [], created: [] })
      .putHeight(0, entry.hash)
      .putTip(entry.hash, entry.mintedResonances, entry.returnedResonances)
      .putCounter(Prefix.seq, 1)
      .putCounter(Prefix.txIndexed, 1);
    for (const tx of block.txs) batch.putTx(txid(this.params.magic, tx), entry.hash);
    await this.#store.write(batch);
    this.#remember(rec);
    this.#nextSeq = 1;
    this.#active = [hex(entry.hash)];
  }

  #remember(rec: IndexRecord): void {
    const key = hex(rec.entry.hash);
    const fresh = !this.#index.has(key);
    this.#index.set(key, rec);
    if (fresh && rec.entry.height > 0) {
      const p = hex(rec.entry.header.prevHash);
      const list = this.#children.get(p);
      if (list) list.push(key);
      else this.#children.set(p, [key]);
    }
  }

  /** Subscribes to tip changes; returns the unsubscribe function. */
  onTipChange(listener: (change: TipChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Checkpoints of the last this-many blocks are kept (0: all). */
  get pruneDepth(): number {
    return this.#prune;
  }

  /** The active chain's tip. */
  tip(): ChainEntry {
    return this.#index.get(this.#active[this.#active.length - 1]!)!.entry;
  }

  /** The height of the tip. */
  height(): number {
    return this.#active.length - 1;
  }

  /** The entry of any known block (active or side branch), or undefined. */
  getEntry(hash: Uint8Array): ChainEntry | undefined {
    return this.#index.get(hex(hash))?.entry;
  }

  /** Index bookkeeping of a known block: status bits, first-seen sequence, invalid reason. */
  getBlockStatus(hash: Uint8Array): Readonly<IndexRecord> | undefined {
    return this.#index.get(hex(hash));
  }

  /** The active chain's entry at `height`, or undefined above the tip. */
  getEntryByHeight(height: number): ChainEntry | undefined {
    const h = this.#active[height];
    return h === undefined ? undefined : this.#index.get(h)!.entry;
  }

  /** Whether `hash` is on the active chain. */
  isActive(hash: Uint8Array): boolean {
    const rec = this.#index.get(hex(hash));
    return rec !== undefined && this.#active[rec.entry.height] === hex(hash);
  }

  /** Every tip of the block tree: the active one first, then by height descending. */
  chainTips(): ChainTip[] {
    const tips: ChainTip[] = [];
    const tipKey = this.#active[this.#active.length - 1]!;
    for (const [key, rec] of this.#index) {
      if ((this.#children.get(key)?.length ?? 0) > 0 && key !== tipKey) continue;
      const forkHeight = this.#forkHeight(rec);
      const status = key === tipKey
        ? "active"
        : rec.status & BlockStatus.invalid
        ? "invalid"
        : rec.status & BlockStatus.txsValid
        ? "valid-fork"
        : "unevaluated";
      tips.push({ entry: rec.entry, branchLength: rec.entry.height - forkHeight, status });
    }
    return tips.sort((x, y) =>
      (x.status === "active" ? -1 : y.status === "active" ? 1 : 0) ||
      y.entry.height - x.entry.height
    );
  }

  /** The hash of the active-chain block holding transaction `id`, or undefined. */
  txBlock(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#store.getTxBlock(id);
  }

  /** The stored block, or undefined. */
  async getBlock(hash: Uint8Array): Promise<Block | undefined> {
    const bytes = await this.#store.getBlock(hash);
    return bytes && decodeBlock(bytes, this.params);
  }

  /** The stored canonical block bytes, or undefined. */
  getBlockBytes(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#store.getBlock(hash);
  }

  /**
   * Active-chain blocks accepted without their checkpoint ("assumed-pruned"), never evaluated
   * by this node.
   */
  unevaluatedBlocks(): number {
    let n = 0;
    for (const key of this.#active) {
      if (this.#index.get(key)!.status & BlockStatus.assumedPruned) n++;
    }
    return n;
  }

  /** The stored checkpoint bytes, or undefined (unknown block or pruned). */
  getCheckpoint(hash: Uint8Array): Promise<Uint8Array | undefined> {
    const rec = this.#index.get(hex(hash));
    if (!rec || !(rec.status & BlockStatus.haveCheckpoint)) return Promise.resolve(undefined);
    return this.#files.get(hash);
  }

  /** The unspent output at `op` in the tip's UTXO set, or undefined. */
  getUtxo(op: OutPoint): Promise<UtxoEntry | undefined> {
    return this.#store.getCoin(op);
  }

  /** Several unspent outputs at once. */
  getUtxos(ops: readonly OutPoint[]): Promise<(UtxoEntry | undefined)[]> {
    return this.#store.getCoins(ops);
  }

  /** Every unspent output of the tip's UTXO set (for tests and audits). */
  utxos(): AsyncGenerator<[OutPoint, UtxoEntry]> {
    return this.#store.coins();
  }

  /**
   * Unspent outputs created at heights ≤ `maxHeight`, oldest (lowest height) first, at most
   * `limit`: a bounded read of the coin-age index (for emission-return sweeps).
   */
  oldestUtxos(maxHeight: number, limit: number): Promise<[OutPoint, UtxoEntry][]> {
    return this.#store.oldestCoins(maxHeight, limit);
  }

  /** The undo data of an active block (undefined for side branches). */
  getUndo(hash: Uint8Array): Promise<UndoData | undefined> {
    return this.#store.getUndo(hash);
  }

  /** Closes the database (waits for a running acceptBlock). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#lock.catch(() => {});
    await this.#store.close();
  }

  /**
   * Validates and stores a block with its checkpoint, then activates the best chain.
   * Throws ValidationError (reason per core/consensus/reasons.ts) when the block breaks a rule,
   * "bad-prevblk" when its parent is unknown or invalid, DecodeError for undecodable bytes.
   * With `{ checkpoint: "assumed-pruned" }` pass `undefined` as the checkpoint (RangeError
   * otherwise, and when the default mode gets none). A {@linkcode VerifiedCheckpoint} (chunks
   * verified on arrival) is not hashed again, only compared with the header.
   */
  acceptBlock(
    block: Block | Uint8Array,
    checkpointBytes: Uint8Array | VerifiedCheckpoint | undefined,
    options: AcceptOptions = {},
  ): Promise<AcceptResult> {
    const assumed = options.checkpoint === "assumed-pruned";
    if (assumed !== (checkpointBytes === undefined)) {
      return Promise.reject(
        new RangeError(
          assumed ? "an assumed-pruned block takes no checkpoint" : "checkpoint bytes required",
        ),
      );
    }
    const source = options.source ?? "local";
    const run = this.#lock.then(() => this.#accept(block, checkpointBytes, source));
    this.#lock = run.catch(() => {});
    return run;
  }

  async #accept(
    input: Block | Uint8Array,
    checkpointBytes: Uint8Array | VerifiedCheckpoint | undefined,
    source: string,
  ): Promise<AcceptResult> {
    if (this.#closed) throw new RangeError("Chainstate is closed");
    const block = input instanceof Uint8Array ? decodeBlock(input, this.params) : input;
    const bytes = input instanceof Uint8Array ? input : encodeBlock(block);
    const { header } = block;
    const hash = blockId(this.params.magic, header);
    const key = hex(hash);
    const known = this.#index.get(key);
    if (known) {
      if (known.status & BlockStatus.invalid) {
        throw new ValidationError(storedReason(known), "known invalid");
      }
      return { status: "duplicate", hash };
    }
    const checked = checkBlock(block, this.params);
    const parent = this.#index.get(hex(header.prevHash));
    if (!parent) throw new ValidationError("bad-prevblk", "parent block unknown");
    if (parent.status & BlockStatus.invalid) {
      throw new ValidationError("bad-prevblk", "parent block invalid");
    }
    checkHeaderAgainstParent(header, parent.entry, this.params, {
      nowSecs: this.#clock.nowSecs(),
    });
    let checkpoint: VerifiedCheckpoint | undefined;
    if (checkpointBytes instanceof VerifiedCheckpoint) {
      if (!checkpointBytes.matches(header)) {
        reject("bad-checkpoint-root", "checkpoint was verified against another header");
      }
      checkpoint = checkpointBytes;
    } else if (checkpointBytes) {
      checkpoint = VerifiedCheckpoint.verify(header, checkpointBytes);
    }
    if (checkpoint) await this.#files.put(hash, checkpoint);
    const rec: IndexRecord = {
      entry: this.#headerEntry(parent, block),
      status: BlockStatus.haveBlock |
        (checkpointBytes ? BlockStatus.haveCheckpoint : BlockStatus.assumedPruned),
      seq: this.#nextSeq++,
      invalidReason: "",
    };
    await this.#store.write(
      new StoreBatch().putBlock(hash, bytes).putIndex(rec).putCounter(Prefix.seq, this.#nextSeq),
    );
    this.#remember(rec);
    if (Chainstate.#usable(rec)) this.#candidates.add(key);
    this.#sources.set(key, source);

    let change: TipChange | undefined;
    this.#fresh = { key, value: { block: checked, checkpoint } };
    try {
      change = await this.#activateBestChain();
    } finally {
      this.#fresh = undefined;
    }
    const after = this.#index.get(key)!;
    if (after.status & BlockStatus.invalid) {
      throw new ValidationError(storedReason(after), "block failed validation");
    }
    if (Chainstate.#unevaluated(after) && !this.isActive(hash)) {
      await this.#enforceSideBranchLimits(key);
      if (!this.#index.has(key)) return { status: "discarded", hash };
    }
    const status = this.isActive(hash) ? "connected" : "side-branch";
    if (change && change.disconnected.length > 0) {
      return {
        status,
        hash,
        reorged: {
          disconnected: change.disconnected.map((b) => b.entry.hash),
          connected: change.connected.map((b) => b.entry.hash),
        },
      };
    }
    return { status, hash };
  }

  /**
   * The entry of a block not yet connected: header fields, MTP and stagnation are final; the
   * supply totals are the parent's until the block is connected (status `txsValid`).
   */
  #headerEntry(parent: IndexRecord, block: Block): ChainEntry {
    return nextEntry(this.params, parent.entry, block, {
      mintedResonances: 0n,
      returnedResonances: 0n,
      recentTimestampsSecs: this.#recentTimestamps(parent),
    });
  }

  /** Timestamps of the `medianTimeSpan − 1` blocks ending at `rec`, oldest first. */
  #recentTimestamps(rec: IndexRecord): number[] {
    const times: number[] = [];
    let r: IndexRecord | undefined = rec;
    while (r && times.length < this.params.medianTimeSpan - 1) {
      times.push(r.entry.header.timestampSecs);
      r = r.entry.height === 0 ? undefined : this.#index.get(hex(r.entry.header.prevHash));
    }
    return times.reverse();
  }

  /** Whether candidate `a` beats `b` in fork choice (more chain work, then first seen). */
  static #better(a: IndexRecord, b: IndexRecord): boolean {
    const wa = a.entry.chainWork, wb = b.entry.chainWork;
    return wa > wb || (wa === wb && a.seq < b.seq);
  }

  /** The best candidate, starting from the tip unless `withTip` is false (then maybe none). */
  #bestCandidate(refused: Set<string>, withTip = true): IndexRecord | undefined {
    let best = withTip ? this.#index.get(this.#active[this.#active.length - 1]!)! : undefined;
    for (const key of this.#candidates) {
      if (refused.has(key)) continue;
      const rec = this.#index.get(key)!;
      if (best === undefined || Chainstate.#better(rec, best)) best = rec;
    }
    return best;
  }

  /**
   * Evicts unevaluated side-branch blocks until the bounds hold for the scopes of `newest`
   * (its branch, its source, all): the worst leaf first (side_branch_budget.ts).
   */
  async #enforceSideBranchLimits(newest: string): Promise<void> {
    const limits = this.#limits ?? sideBranchLimits(this.params, this.tip().header.checkpointSize);
    for (;;) {
      const held: HeldBlock[] = [];
      for (const key of this.#candidates) {
        const rec = this.#index.get(key)!;
        if (!Chainstate.#unevaluated(rec)) continue;
        held.push({
          key,
          bytes: rec.entry.header.checkpointSize,
          source: this.#sources.get(key) ?? "unknown",
          fork: this.#active[this.#forkHeight(rec)]!,
          chainWork: rec.entry.chainWork,
          seq: rec.seq,
          leaf: (this.#children.get(key)?.length ?? 0) === 0,
        });
      }
      const me = held.find((b) => b.key === newest);
      if (!me) return;
      const victim = pickEviction(held, me, limits);
      if (victim === undefined) return;
      await this.#forget(victim);
    }
  }

  /** Deletes a side-branch leaf block: index record, block bytes, checkpoint file. */
  async #forget(key: string): Promise<void> {
    const rec = this.#index.get(key)!;
    await this.#store.write(new StoreBatch().delBlock(rec.entry.hash));
    this.#index.delete(key);
    this.#candidates.delete(key);
    this.#sources.delete(key);
    this.#children.delete(key);
    const p = hex(rec.entry.header.prevHash);
    const siblings = this.#children.get(p)?.filter((c) => c !== key) ?? [];
    if (siblings.length > 0) this.#children.set(p, siblings);
    else this.#children.delete(p);
    await this.#files.remove(rec.entry.hash);
  }

  /**
   * Whether `best` may replace the tip of `active`: a branch that would disconnect `d ≥ 2` of
   * its blocks must carry more than the tip's work plus `reorgMarginWork(d)` (PROTOCOL §6.3).
   */
  #clearsReorgMargin(best: IndexRecord, active: readonly string[], report = false): boolean {
    let r: IndexRecord = best;
    while (active[r.entry.height] !== hex(r.entry.hash)) {
      r = this.#index.get(hex(r.entry.header.prevHash))!;
    }
    const depth = active.length - 1 - r.entry.height;
    if (r === best || depth < 2) return true;
    const tip = this.#index.get(active[active.length - 1]!)!;
    const marginWork = reorgMarginWork(this.params, depth);
    if (best.entry.chainWork > tip.entry.chainWork + marginWork) return true;
    if (report) {
      this.#onReorgRefused?.({ tip: tip.entry, branchTip: best.entry, depth, marginWork });
    }
    return false;
  }

  /** The height of the last common block of the active chain and `rec`'s branch. */
  #forkHeight(rec: IndexRecord): number {
    let r: IndexRecord = rec;
    while (this.#active[r.entry.height] !== hex(r.entry.hash)) {
      r = this.#index.get(hex(r.entry.header.prevHash))!;
    }
    return r.entry.height;
  }

  async #activateBestChain(): Promise<TipChange | undefined> {
    const refused = new Set<string>();
    // The active chain as it was before this activation disconnected anything: the reorg margin
    // is owed to the blocks the node had, not to a branch it is half-way through connecting
    // (restoring the old tip after a failed connect owes nothing).
    let before: string[] | undefined;
    const disconnected: ChainBlock[] = [];
    const connected: ChainBlock[] = [];
    for (;;) {
      const tipRec = this.#index.get(this.#active[this.#active.length - 1]!)!;
      // A branch that cleared the margin and then failed part-way may leave a tip that alone
      // would not have cleared it: that tip must not stay (else a valid replayed prefix plus
      // one forged block would reorganise for free); the old chain is back among the
      // candidates and wins unless something better clears the margin.
      const tipStays = before === undefined || this.#clearsReorgMargin(tipRec, before);
      const best = this.#bestCandidate(refused, tipStays) ?? tipRec;
      if (best === tipRec) break;
      const forkHeight = this.#forkHeight(best);
      if (tipRec.entry.height - forkHeight > this.params.maxReorgDepth) {
        refused.add(hex(best.entry.hash));
        continue;
      }
      if (!this.#clearsReorgMargin(best, before ?? this.#active, true)) {
        refused.add(hex(best.entry.hash));
        continue;
      }
      if (tipRec.entry.height > forkHeight) before ??= this.#active.slice();
      const path: IndexRecord[] = [];
      for (let r = best; r.entry.height > forkHeight;) {
        path.push(r);
        r = this.#index.get(hex(r.entry.header.prevHash))!;
      }
      path.reverse();
      while (this.height() > forkHeight) {
        const done = await this.#disconnectTip();
        const i = connected.findIndex((c) => hex(c.entry.hash) === hex(done.entry.hash));
        if (i >= 0) connected.splice(i, 1);
        else disconnected.push(done);
      }
      for (const rec of path) {
        try {
          const done = await this.#connect(rec);
          const i = disconnected.findIndex((d) => hex(d.entry.hash) === hex(done.entry.hash));
          if (i >= 0) disconnected.splice(i, 1);
          else connected.push(done);
        } catch (e) {
          if (!(e instanceof ValidationError)) throw e;
          // A reason that may pass later (too far ahead of the clock) is no verdict on the
          // block: it is never persisted as invalid; the branch is only skipped this time.
          if (mayBecomeValid(e.reason)) refused.add(hex(best.entry.hash));
          else await this.#markInvalid(rec, e.reason);
          break;
        }
      }
    }
    if (disconnected.length === 0 && connected.length === 0) return undefined;
    await this.#pruneCheckpoints();
    const change: TipChange = { tip: this.tip(), disconnected, connected };
    for (const listener of this.#listeners) listener(change);
    return change;
  }

  async #markInvalid(rec: IndexRecord, reason: RejectReason): Promise<void> {
    const batch = new StoreBatch();
    const stack = [rec];
    const drop: Uint8Array[] = [];
    let first = true;
    while (stack.length > 0) {
      const r = stack.pop()!;
      if (r.status & BlockStatus.haveCheckpoint) drop.push(r.entry.hash);
      r.status = (r.status | BlockStatus.invalid) & ~BlockStatus.haveCheckpoint;
      r.invalidReason = first ? reason : "bad-prevblk";
      this.#candidates.delete(hex(r.entry.hash));
      this.#sources.delete(hex(r.entry.hash));
      first = false;
      batch.putIndex(r);
      for (const c of this.#children.get(hex(r.entry.hash)) ?? []) stack.push(this.#index.get(c)!);
    }
    await this.#store.write(batch);
    for (const hash of drop) await this.#files.remove(hash); // useless now
  }

  /** The block `rec`: the one being accepted from memory, any other from the store. */
  async #blockOf(rec: IndexRecord): Promise<Block> {
    const key = hex(rec.entry.hash);
    if (this.#fresh?.key === key) return this.#fresh.value.block;
    const bytes = await this.#store.getBlock(rec.entry.hash);
    if (!bytes) throw new RangeError(`Block ${key} data missing`);
    return decodeBlock(bytes, this.params);
  }

  /**
   * The checkpoint of `rec`: the one being accepted as it was verified; one stored earlier (a
   * side branch that wins later) is read from its file and verified again, since the disk is
   * not trusted with consensus data.
   */
  async #checkpointOf(rec: IndexRecord): Promise<VerifiedCheckpoint> {
    const key = hex(rec.entry.hash);
    const fresh = this.#fresh?.key === key ? this.#fresh.value.checkpoint : undefined;
    if (fresh) return fresh;
    if (this.#lastEvaluated?.key === key) return this.#lastEvaluated.checkpoint;
    const bytes = await this.#files.get(rec.entry.hash);
    if (!bytes) throw new RangeError(`Checkpoint of ${key} missing`);
    return VerifiedCheckpoint.verify(rec.entry.header, bytes);
  }

  /**
   * Connects `rec` (a child of the tip) in one batch; ValidationError leaves state unchanged.
   * The transactions are checked against the UTXO set first (nothing is written until the
   * end), the checkpoint evaluated last: a block breaking a cheap rule is rejected with that
   * rule's reason and never evaluated (PROTOCOL §5.5).
   */
  async #connect(rec: IndexRecord): Promise<ChainBlock> {
    const { hash } = rec.entry;
    const parent = this.#index.get(this.#active[this.#active.length - 1]!)!;
    const block = await this.#blockOf(rec);
    const prevouts: OutPoint[] = [];
    for (const tx of block.txs) {
      if (isCoinbase(tx)) continue;
      for (const input of tx.inputs) prevouts.push(input.prevout);
    }
    const coins = await this.#store.getCoins(prevouts);
    const map = new Map<string, UtxoEntry>();
    prevouts.forEach((op, i) => {
      const c = coins[i];
      if (c) map.set(outpointKey(op), c);
    });
    const result = await connectBlockTransactions(block, { get: (k: string) => map.get(k) }, {
      params: this.params,
      parent: parent.entry,
      nowSecs: this.#clock.nowSecs(),
      ...(this.#verifier ? { verifier: this.#verifier } : {}),
    });
    if (!(rec.status & (BlockStatus.potValid | BlockStatus.assumedPruned))) {
      if (!(parent.status & BlockStatus.haveCheckpoint)) {
        // Nothing to pair the checkpoint with (PROTOCOL §8.10): the parent came without its
        // checkpoint (pruned on every peer), so this block is taken under the same assumption;
        // its children are evaluated against its checkpoint as usual.
        rec = { ...rec, status: rec.status | BlockStatus.assumedPruned };
        this.#onUnpaired?.(hash, rec.entry.height);
      } else {
        const started = performance.now();
        const checkpoint = await this.#checkpointOf(rec);
        const result = await checkProofOfTraining(
          block.header,
          checkpoint,
          { header: parent.entry.header, checkpoint: await this.#checkpointOf(parent) },
          { params: this.params, evaluator: this.#evaluator, corpus: this.#corpus },
        );
        this.#lastEvaluated = { key: hex(hash), checkpoint };
        this.#onVerified?.({
          hash,
          height: rec.entry.height,
          result,
          seconds: (performance.now() - started) / 1000,
        });
      }
    }
    const entry = nextEntry(this.params, parent.entry, block, {
      mintedResonances: result.mintedResonances,
      returnedResonances: result.returnedResonances,
      recentTimestampsSecs: this.#recentTimestamps(parent),
    });
    const undo: UndoData = { spent: [], created: [] };
    const batch = new StoreBatch();
    for (const [k, e] of result.spent) {
      const op = outPointFromKey(k);
      undo.spent.push([op, e]);
      batch.delCoin(op);
    }
    for (const [k, e] of result.created) {
      const op = outPointFromKey(k);
      undo.created.push(op);
      batch.putCoin(op, e);
    }
    const next: IndexRecord = {
      entry,
      status: rec.status | BlockStatus.txsValid |
        (rec.status & BlockStatus.assumedPruned ? 0 : BlockStatus.potValid),
      seq: rec.seq,
      invalidReason: "",
    };
    batch.putUndo(hash, undo).putIndex(next).putHeight(entry.height, hash);
    batch.putTip(hash, entry.mintedResonances, entry.returnedResonances);
    for (const tx of block.txs) batch.putTx(txid(this.params.magic, tx), hash);
    await this.#store.write(batch);
    this.#index.set(hex(hash), next);
    this.#active.push(hex(hash));
    if (entry.height < this.#prunedBelow) {
      this.#reconnectedBelow = Math.min(this.#reconnectedBelow, entry.height);
    }
    this.#candidates.delete(hex(hash));
    this.#sources.delete(hex(hash));
    return { entry, block };
  }

  /** Disconnects the tip in one batch, restoring its spent outputs from the undo data. */
  async #disconnectTip(): Promise<ChainBlock> {
    const rec = this.#index.get(this.#active[this.#active.length - 1]!)!;
    const { hash, height } = rec.entry;
    if (height === 0) throw new RangeError("Cannot disconnect genesis");
    const parent = this.#index.get(hex(rec.entry.header.prevHash))!;
    const undo = await this.#store.getUndo(hash);
    const bytes = await this.#store.getBlock(hash);
    if (!undo || !bytes) throw new RangeError(`Undo data of ${hex(hash)} missing`);
    const block = decodeBlock(bytes, this.params);
    const batch = new StoreBatch();
    for (const op of undo.created) batch.delCoin(op);
    for (const [op, e] of undo.spent) batch.putCoin(op, e);
    for (const tx of block.txs) batch.delTx(txid(this.params.magic, tx));
    batch.delUndo(hash).delHeight(height);
    batch.putTip(
      parent.entry.hash,
      parent.entry.mintedResonances,
      parent.entry.returnedResonances,
    );
    await this.#store.write(batch);
    this.#active.pop();
    if (Chainstate.#usable(rec)) this.#candidates.add(hex(hash));
    return { entry: rec.entry, block };
  }

  /** Deletes checkpoints of blocks at heights ≤ tip − prune (active and side branches). */
  async #pruneCheckpoints(): Promise<void> {
    if (this.#prune === 0) return;
    const cutoff = this.height() - this.#prune; // prune heights ≤ cutoff
    if (cutoff < this.#prunedBelow) return;
    // Off the active chain every block holding a checkpoint is a candidate; on it, only the
    // heights not pruned yet can hold one. No scan of the whole index.
    const victims: IndexRecord[] = [];
    const from = Math.min(this.#prunedBelow, this.#reconnectedBelow);
    this.#reconnectedBelow = Number.POSITIVE_INFINITY;
    for (let h = from; h <= cutoff; h++) {
      const rec = this.#index.get(this.#active[h]!)!;
      if (rec.status & BlockStatus.haveCheckpoint) victims.push(rec);
    }
    for (const key of this.#candidates) {
      const rec = this.#index.get(key)!;
      if (rec.entry.height <= cutoff && rec.status & BlockStatus.haveCheckpoint) victims.push(rec);
    }
    const batch = new StoreBatch();
    for (const rec of victims) {
      rec.status &= ~BlockStatus.haveCheckpoint;
      batch.putIndex(rec);
      const key = hex(rec.entry.hash);
      if (!Chainstate.#usable(rec)) {
        this.#candidates.delete(key);
        this.#sources.delete(key);
      }
    }
    this.#prunedBelow = cutoff + 1;
    batch.putCounter(Prefix.pruned, this.#prunedBelow);
    await this.#store.write(batch);
    for (const rec of victims) await this.#files.remove(rec.entry.hash);
  }
}

/**
 * The reject reason stored with an invalid block; a reason this version does not know (written
 * by another one) reads as "bad-prevblk", the reason of blocks invalid by ancestry.
 */
function storedReason(rec: IndexRecord): RejectReason {
  return isRejectReason(rec.invalidReason) ? rec.invalidReason : "bad-prevblk";
}

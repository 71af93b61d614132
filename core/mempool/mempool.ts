/**
 * The mempool: transactions waiting for a block, validated against the chain tip's UTXO set
 * (plus the outputs of other mempool transactions) with the consensus transaction rules, as if
 * they were to be mined in the tip's child.
 *
 * - Policy first ({@linkcode checkStandard}), then consensus rules, then the relay fee.
 * - A transaction spending an outpoint another mempool transaction spends is rejected
 *   (`txn-mempool-conflict`; no replacement).
 * - Size cap: when full, the lowest fee-rate entries (with their mempool descendants) are evicted
 *   for a better-paying newcomer; a newcomer that does not beat them is refused (`mempool-full`).
 * - Templates: highest fee rate first, parents before children, within a byte budget.
 * - Tip changes: mined transactions and those conflicting with the block leave (with
 *   descendants); after a reorg, the disconnected blocks' transactions are offered back and
 *   everything is revalidated against the new tip.
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";
import { ValidationError } from "../errors.ts";
import { decodeTx, isCoinbase, type OutPoint, type Tx, txSize } from "../primitives/tx.ts";
import { txid as computeTxid } from "../primitives/tx_hash.ts";
import type { Block } from "../primitives/block.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { type ChainEntry, outpointKey, type UtxoEntry } from "../consensus/chain_entry.ts";
import { validateTransaction } from "../consensus/validate_transaction.ts";
import { checkRelayFee, checkStandard, type RelayPolicy } from "./standardness.ts";

/** What the mempool reads from the chain (Chainstate implements it). */
export interface MempoolChain {
  /** Network params. */
  readonly params: NetworkParams;
  /** The active tip. */
  tip(): ChainEntry;
  /** Unspent outputs of the tip's UTXO set (undefined where spent or unknown). */
  getUtxos(ops: readonly OutPoint[]): Promise<(UtxoEntry | undefined)[]>;
}

/** One mempool transaction. */
export interface MempoolEntry {
  /** The transaction. */
  readonly tx: Tx;
  /** Its txid. */
  readonly txid: Uint8Array;
  /** Encoded size in bytes (witnesses included: the fee unit). */
  readonly sizeBytes: number;
  /** Inputs minus outputs, resonances. */
  readonly feeResonances: bigint;
  /** Arrival order (older first on equal fee rates). */
  readonly seq: number;
  /** Outpoint keys it spends. */
  readonly spends: readonly string[];
  /** Outputs it creates, as the UTXO entries they would become. */
  readonly created: readonly (readonly [string, UtxoEntry])[];
}

/** Options of a {@linkcode Mempool}. */
export interface MempoolOptions {
  /** Total size cap in bytes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Relay fee floor, resonances per byte (default params.minRelayFeePerByte). */
  readonly minRelayFeePerByte?: bigint;
  /** Largest relayed transaction (default params.maxTxBytes). */
  readonly maxStandardTxBytes?: number;
}

/** Block-shaped input of the tip-change hook (Chainstate's TipChange fits). */
export interface MempoolTipChange {
  /** Blocks disconnected (any order; they are replayed lowest first). */
  readonly disconnected: readonly { readonly block: Block; readonly entry: ChainEntry }[];
  /** Blocks connected, lowest first. */
  readonly connected: readonly { readonly block: Block; readonly entry: ChainEntry }[];
}

/** True when entry `a` pays a strictly higher fee per byte than `b` (exact, in bigint). */
function higherRate(a: MempoolEntry, b: MempoolEntry): boolean {
  return a.feeResonances * BigInt(b.sizeBytes) > b.feeResonances * BigInt(a.sizeBytes);
}

/** Sort order: fee rate descending, then arrival. */
function byRate(a: MempoolEntry, b: MempoolEntry): number {
  if (higherRate(a, b)) return -1;
  if (higherRate(b, a)) return 1;
  return a.seq - b.seq;
}

/** Transactions waiting to be mined. */
export class Mempool {
  readonly #chain: MempoolChain;
  readonly #policy: RelayPolicy;
  readonly #maxBytes: number;
  readonly #entries = new Map<string, MempoolEntry>();
  /** Outpoint key → txid hex of the mempool tx spending it. */
  readonly #spentBy = new Map<string, string>();
  /** Outpoint key → created entry of a mempool tx. */
  readonly #outputs = new Map<string, UtxoEntry>();
  #bytes = 0;
  #seq = 0;
  #lock: Promise<unknown> = Promise.resolve();

  constructor(chain: MempoolChain, options: MempoolOptions = {}) {
    this.#chain = chain;
    this.#maxBytes = options.maxBytes ?? 64 << 20;
    this.#policy = {
      maxStandardTxBytes: options.maxStandardTxBytes ?? chain.params.maxTxBytes,
      minRelayFeePerByte: options.minRelayFeePerByte ?? chain.params.minRelayFeePerByte,
    };
  }

  /** Number of transactions. */
  get count(): number {
    return this.#entries.size;
  }

  /** Total encoded size of all transactions, bytes. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Whether txid `id` is in the pool. */
  has(id: Uint8Array): boolean {
    return this.#entries.has(toHex(id));
  }

  /** The entry of txid `id`, or undefined. */
  get(id: Uint8Array): MempoolEntry | undefined {
    return this.#entries.get(toHex(id));
  }

  /** All entries in arrival order. */
  entries(): MempoolEntry[] {
    return [...this.#entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The txid hex of the mempool transaction spending outpoint `op`, if any. */
  spenderOf(op: OutPoint): string | undefined {
    return this.#spentBy.get(outpointKey(op));
  }

  /**
   * Validates `tx` (policy, consensus rules against the tip's child, relay fee) and adds it.
   * Throws ValidationError with a policy or consensus reason; DecodeError for bad bytes.
   */
  acceptTx(tx: Tx | Uint8Array): Promise<MempoolEntry> {
    const run = this.#lock.then(() => this.#accept(tx));
    this.#lock = run.catch(() => {});
    return run;
  }

  async #accept(input: Tx | Uint8Array): Promise<MempoolEntry> {
    const params = this.#chain.params;
    const tx = input instanceof Uint8Array ? decodeTx(input, params.maxTxBytes) : input;
    const sizeBytes = txSize(tx);
    const id = computeTxid(params.magic, tx);
    const idHex = toHex(id);
    if (this.#entries.has(idHex)) {
      throw new ValidationError("txn-already-in-mempool", idHex);
    }
    checkStandard(tx, sizeBytes, this.#policy);
    const spends = tx.inputs.map((i) => outpointKey(i.prevout));
    for (const k of spends) {
      const other = this.#spentBy.get(k);
      if (other !== undefined) {
        throw new ValidationError("txn-mempool-conflict", `input ${k} spent by ${other}`);
      }
    }
    const fromChain = tx.inputs.filter((i) => !this.#outputs.has(outpointKey(i.prevout)));
    const coins = await this.#chain.getUtxos(fromChain.map((i) => i.prevout));
    const view = new Map<string, UtxoEntry>();
    fromChain.forEach((i, n) => {
      const c = coins[n];
      if (c) view.set(outpointKey(i.prevout), c);
    });
    for (const k of spends) {
      const c = this.#outputs.get(k);
      if (c) view.set(k, c);
    }
    const tip = this.#chain.tip();
    const result = await validateTransaction(tx, { get: (k: string) => view.get(k) }, {
      params,
      parent: tip,
    });
    checkRelayFee(result.feeResonances, sizeBytes, this.#policy);
    // The outputs as the tip's child would create them (as connectBlockTransactions does).
    const owner = result.pendingOwnerHash;
    const created = tx.outputs.map((out, vout) =>
      [outpointKey({ txid: id, vout }), {
        value: out.value,
        address: out.address,
        height: tip.height + 1,
        coinbase: false,
        createdMtpSecs: tip.mtpSecs,
        ...(owner ? { pendingOwnerHash: owner } : {}),
      }] as const
    );
    const entry: MempoolEntry = {
      tx,
      txid: id,
      sizeBytes,
      feeResonances: result.feeResonances,
      seq: this.#seq++,
      spends,
      created,
    };
    this.#makeRoom(entry);
    this.#add(entry);
    return entry;
  }

  /** Evicts lowest-rate entries (with descendants) until `entry` fits; mempool-full otherwise. */
  #makeRoom(entry: MempoolEntry): void {
    if (entry.sizeBytes > this.#maxBytes) {
      throw new ValidationError("mempool-full", `transaction larger than the pool`);
    }
    while (this.#bytes + entry.sizeBytes > this.#maxBytes) {
      let worst: MempoolEntry | undefined;
      for (const e of this.#entries.values()) {
        if (!worst || higherRate(worst, e) || (!higherRate(e, worst) && e.seq > worst.seq)) {
          worst = e;
        }
      }
      if (!worst || !higherRate(entry, worst)) {
        throw new ValidationError("mempool-full", "fee rate too low for a full mempool");
      }
      if (entry.spends.some((k) => this.#isOutputOf(k, worst!))) {
        throw new ValidationError("mempool-full", "parent would be evicted");
      }
      this.#removeWithDescendants(toHex(worst.txid));
    }
  }

  #isOutputOf(key: string, e: MempoolEntry): boolean {
    return e.created.some(([k]) => k === key);
  }

  #add(entry: MempoolEntry): void {
    const idHex = toHex(entry.txid);
    this.#entries.set(idHex, entry);
    for (const k of entry.spends) this.#spentBy.set(k, idHex);
    for (const [k, e] of entry.created) this.#outputs.set(k, e);
    this.#bytes += entry.sizeBytes;
  }

  /** Removes txid `idHex` and every mempool transaction spending its outputs. */
  #removeWithDescendants(idHex: string): void {
    const stack = [idHex];
    while (stack.length > 0) {
      for (const child of this.#removeOne(stack.pop()!)) stack.push(child);
    }
  }

  /**
   * Removes txid `idHex` alone (a mined transaction: its outputs are now in the chain's UTXO
   * set, so children stay valid); returns the txids of pooled children.
   */
  #removeOne(id: string): string[] {
    const e = this.#entries.get(id);
    if (!e) return [];
    this.#entries.delete(id);
    this.#bytes -= e.sizeBytes;
    for (const k of e.spends) {
      if (this.#spentBy.get(k) === id) this.#spentBy.delete(k);
    }
    const children: string[] = [];
    for (const [k] of e.created) {
      this.#outputs.delete(k);
      const child = this.#spentBy.get(k);
      if (child !== undefined) children.push(child);
    }
    return children;
  }

  /** Removes a transaction (and its descendants) by txid; returns whether it was present. */
  remove(id: Uint8Array): boolean {
    const idHex = toHex(id);
    if (!this.#entries.has(idHex)) return false;
    this.#removeWithDescendants(idHex);
    return true;
  }

  /**
   * Transactions for a block template: highest fee rate first, every parent before its child,
   * total encoded size ≤ `maxBytes`.
   */
  getTemplateTxs(maxBytes: number): Tx[] {
    const sorted = [...this.#entries.values()].sort(byRate);
    const included = new Set<string>();
    const out: Tx[] = [];
    let used = 0;
    let progress = true;
    while (progress) {
      progress = false;
      for (const e of sorted) {
        const idHex = toHex(e.txid);
        if (included.has(idHex) || used + e.sizeBytes > maxBytes) continue;
        const ready = e.spends.every((k) => {
          if (!this.#outputs.has(k)) return true;
          return included.has(k.slice(0, k.indexOf(":")));
        });
        if (!ready) continue;
        included.add(idHex);
        out.push(e.tx);
        used += e.sizeBytes;
        progress = true;
      }
    }
    return out;
  }

  /** Sum of the fees of `txs` that are mempool entries, resonances. */
  feesOf(txs: readonly Tx[]): bigint {
    let sum = 0n;
    for (const tx of txs) {
      sum += this.get(computeTxid(this.#chain.params.magic, tx))?.feeResonances ?? 0n;
    }
    return sum;
  }

  /**
   * Follows a tip change: drops mined and conflicting transactions (with descendants); after a
   * reorg, offers the disconnected blocks' transactions back and revalidates everything.
   */
  handleTipChange(change: MempoolTipChange): Promise<void> {
    const run = this.#lock.then(() => this.#tipChange(change));
    this.#lock = run.catch(() => {});
    return run;
  }

  async #tipChange(change: MempoolTipChange): Promise<void> {
    const magic = this.#chain.params.magic;
    const mined = new Set<string>();
    const spentByBlocks = new Set<string>();
    for (const { block } of change.connected) {
      for (const tx of block.txs) {
        mined.add(toHex(computeTxid(magic, tx)));
        if (isCoinbase(tx)) continue;
        for (const i of tx.inputs) spentByBlocks.add(outpointKey(i.prevout));
      }
    }
    if (change.disconnected.length === 0) {
      for (const id of mined) this.#removeOne(id);
      for (const k of spentByBlocks) {
        const id = this.#spentBy.get(k);
        if (id !== undefined) this.#removeWithDescendants(id);
      }
      return;
    }
    const back = [...change.disconnected].sort((a, b) => a.entry.height - b.entry.height);
    const candidates: Tx[] = [];
    for (const { block } of back) {
      for (const tx of block.txs) if (!isCoinbase(tx)) candidates.push(tx);
    }
    for (const e of this.entries()) candidates.push(e.tx);
    this.#entries.clear();
    this.#spentBy.clear();
    this.#outputs.clear();
    this.#bytes = 0;
    for (const tx of candidates) {
      if (mined.has(toHex(computeTxid(magic, tx)))) continue;
      try {
        await this.#accept(tx);
      } catch (e) {
        if (!(e instanceof ValidationError)) throw e;
      }
    }
  }
}

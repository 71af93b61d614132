/**
 * The chain store: a LevelDB database (classic-level, binary keys and values) with the key
 * schema of `keys.ts`, plus the checkpoint files. Reads are small helpers; every state change
 * goes through one {@linkcode StoreBatch} committed atomically.
 *
 * @module
 */
import { ClassicLevel } from "classic-level";
import type { OutPoint } from "../primitives/tx.ts";
import type { UtxoEntry } from "../consensus/chain_entry.ts";
import {
  blockKey,
  coinAgeKey,
  coinKey,
  heightKey,
  indexKey,
  parseCoinAgeKey,
  Prefix,
  singletonKey,
  STORE_VERSION,
  txKey,
  undoKey,
} from "./keys.ts";
import {
  decodeIndexRecord,
  decodeU64s,
  decodeUndo,
  decodeUtxoEntry,
  encodeIndexRecord,
  encodeU64s,
  encodeUndo,
  encodeUtxoEntry,
  type IndexRecord,
  type UndoData,
} from "./records.ts";

type Op =
  | { type: "put"; key: Uint8Array; value: Uint8Array }
  | { type: "del"; key: Uint8Array };

function hexKey(k: Uint8Array): string {
  return Array.from(k, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Copies a Buffer returned by classic-level into a plain Uint8Array. */
function plain(b: Uint8Array): Uint8Array {
  return new Uint8Array(b);
}

/** A list of writes committed together by {@linkcode ChainStore.write}. */
export class StoreBatch {
  /** The operations, in order. */
  readonly ops: Op[] = [];
  /** Coins deleted without their height: {@linkcode ChainStore.write} finds their age keys. */
  readonly coinDels: OutPoint[] = [];
  /** Creation heights of coins put by this batch (by coin key hex). */
  readonly #putHeights = new Map<string, number>();

  /** Puts an index record. */
  putIndex(rec: IndexRecord): this {
    this.ops.push({ type: "put", key: indexKey(rec.entry.hash), value: encodeIndexRecord(rec) });
    return this;
  }

  /** Puts block bytes. */
  putBlock(hash: Uint8Array, bytes: Uint8Array): this {
    this.ops.push({ type: "put", key: blockKey(hash), value: bytes });
    return this;
  }

  /** Deletes a block: its index record and bytes (an evicted side-branch block). */
  delBlock(hash: Uint8Array): this {
    this.ops.push({ type: "del", key: indexKey(hash) }, { type: "del", key: blockKey(hash) });
    return this;
  }

  /** Records that active-chain block `hash` holds transaction `id`. */
  putTx(id: Uint8Array, hash: Uint8Array): this {
    this.ops.push({ type: "put", key: txKey(id), value: hash });
    return this;
  }

  /** Forgets transaction `id` (its block left the active chain). */
  delTx(id: Uint8Array): this {
    this.ops.push({ type: "del", key: txKey(id) });
    return this;
  }

  /** Puts undo data. */
  putUndo(hash: Uint8Array, undo: UndoData): this {
    this.ops.push({ type: "put", key: undoKey(hash), value: encodeUndo(undo) });
    return this;
  }

  /** Deletes undo data. */
  delUndo(hash: Uint8Array): this {
    this.ops.push({ type: "del", key: undoKey(hash) });
    return this;
  }

  /** Puts an unspent output (and its coin-age index key). */
  putCoin(op: OutPoint, entry: UtxoEntry): this {
    this.ops.push({ type: "put", key: coinKey(op), value: encodeUtxoEntry(entry) });
    this.ops.push({ type: "put", key: coinAgeKey(entry.height, op), value: new Uint8Array(0) });
    this.#putHeights.set(hexKey(coinKey(op)), entry.height);
    return this;
  }

  /**
   * Deletes an unspent output; its coin-age key goes too (found from the stored coin at write
   * time unless the coin was put by this batch).
   */
  delCoin(op: OutPoint): this {
    this.ops.push({ type: "del", key: coinKey(op) });
    const h = this.#putHeights.get(hexKey(coinKey(op)));
    if (h === undefined) this.coinDels.push(op);
    else this.ops.push({ type: "del", key: coinAgeKey(h, op) });
    return this;
  }

  /** Sets the active chain's hash at `height`. */
  putHeight(height: number, hash: Uint8Array): this {
    this.ops.push({ type: "put", key: heightKey(height), value: hash });
    return this;
  }

  /** Clears the active chain's hash at `height`. */
  delHeight(height: number): this {
    this.ops.push({ type: "del", key: heightKey(height) });
    return this;
  }

  /** Sets the tip hash and its supply totals. */
  putTip(hash: Uint8Array, minted: bigint, returned: bigint): this {
    this.ops.push({ type: "put", key: singletonKey(Prefix.tip), value: hash });
    this.ops.push({
      type: "put",
      key: singletonKey(Prefix.supply),
      value: encodeU64s(minted, returned),
    });
    return this;
  }

  /** Sets a u64 singleton (`n` next sequence, `p` pruned-below height, `V` version). */
  putCounter(prefix: number, value: number): this {
    this.ops.push({ type: "put", key: singletonKey(prefix), value: encodeU64s(value) });
    return this;
  }
}

/** LevelDB access for the chainstate. */
export class ChainStore {
  readonly #db: ClassicLevel<Uint8Array, Uint8Array>;

  private constructor(db: ClassicLevel<Uint8Array, Uint8Array>) {
    this.#db = db;
  }

  /** Opens (creating if missing) the database in `<datadir>/chainstate`. */
  static async open(datadir: string): Promise<ChainStore> {
    await Deno.mkdir(datadir, { recursive: true });
    const db = new ClassicLevel<Uint8Array, Uint8Array>(`${datadir}/chainstate`, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    await db.open();
    const store = new ChainStore(db);
    const version = await store.getCounter(Prefix.version);
    if (version !== undefined && version !== STORE_VERSION) {
      await db.close();
      throw new RangeError(
        `Chain store version ${version} is not ${STORE_VERSION}: this datadir was written by an ` +
          "older rnt under other consensus rules; move it away and sync again",
      );
    }
    try {
      await store.#ensureCoinAgeIndex();
    } catch (e) {
      await db.close();
      throw e;
    }
    return store;
  }

  /**
   * Stores written before the coin-age index existed get it once, from a scan of the UTXO set
   * (additive: same store version, old code ignores the `a` keys).
   */
  async #ensureCoinAgeIndex(): Promise<void> {
    if ((await this.getCounter(Prefix.coinAgeIndexed)) !== undefined) return;
    let ops: Op[] = [];
    for await (const [op, e] of this.coins()) {
      ops.push({ type: "put", key: coinAgeKey(e.height, op), value: new Uint8Array(0) });
      if (ops.length >= 10_000) {
        await this.#db.batch(ops);
        ops = [];
      }
    }
    ops.push({ type: "put", key: singletonKey(Prefix.coinAgeIndexed), value: encodeU64s(1) });
    await this.#db.batch(ops, { sync: true });
  }

  /** Closes the database. */
  async close(): Promise<void> {
    await this.#db.close();
  }

  /** Commits `batch` atomically (all or nothing, synced to disk). */
  async write(batch: StoreBatch): Promise<void> {
    if (batch.ops.length === 0) return;
    const ops = [...batch.ops];
    const coins = await this.getCoins(batch.coinDels);
    batch.coinDels.forEach((op, i) => {
      const c = coins[i];
      if (c) ops.push({ type: "del", key: coinAgeKey(c.height, op) });
    });
    await this.#db.batch(ops, { sync: true });
  }

  async #get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const v = await this.#db.get(key);
    return v === undefined ? undefined : plain(v);
  }

  /** Every index record (loaded once at open). */
  async loadIndex(): Promise<IndexRecord[]> {
    const out: IndexRecord[] = [];
    const gte = new Uint8Array([Prefix.index]);
    const lt = new Uint8Array([Prefix.index + 1]);
    for await (const [k, v] of this.#db.iterator({ gte, lt })) {
      out.push(decodeIndexRecord(plain(k).slice(1), plain(v)));
    }
    return out;
  }

  /** The stored block bytes. */
  getBlock(hash: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#get(blockKey(hash));
  }

  /** The active-chain block holding transaction `id`. */
  getTxBlock(id: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#get(txKey(id));
  }

  /** The undo data of a connected block. */
  async getUndo(hash: Uint8Array): Promise<UndoData | undefined> {
    const v = await this.#get(undoKey(hash));
    return v && decodeUndo(v);
  }

  /** One unspent output. */
  async getCoin(op: OutPoint): Promise<UtxoEntry | undefined> {
    const v = await this.#get(coinKey(op));
    return v && decodeUtxoEntry(v);
  }

  /** Several unspent outputs at once (undefined where spent or unknown). */
  async getCoins(ops: readonly OutPoint[]): Promise<(UtxoEntry | undefined)[]> {
    if (ops.length === 0) return [];
    const vs = await this.#db.getMany(ops.map(coinKey));
    return vs.map((v) => (v === undefined ? undefined : decodeUtxoEntry(plain(v))));
  }

  /** The active chain's hash at `height`. */
  getHashAtHeight(height: number): Promise<Uint8Array | undefined> {
    return this.#get(heightKey(height));
  }

  /** The tip hash, undefined for a fresh store. */
  getTip(): Promise<Uint8Array | undefined> {
    return this.#get(singletonKey(Prefix.tip));
  }

  /** The tip's supply totals [minted, returned]. */
  async getSupply(): Promise<[bigint, bigint] | undefined> {
    const v = await this.#get(singletonKey(Prefix.supply));
    if (!v) return undefined;
    const [m, r] = decodeU64s(v, 2);
    return [m!, r!];
  }

  /** A u64 singleton as a number. */
  async getCounter(prefix: number): Promise<number | undefined> {
    const v = await this.#get(singletonKey(prefix));
    return v && Number(decodeU64s(v, 1)[0]);
  }

  /**
   * Unspent outputs created at heights ≤ `maxHeight`, lowest height first, at most `limit`:
   * reads only that prefix of the coin-age index, never the whole UTXO set.
   */
  async oldestCoins(maxHeight: number, limit: number): Promise<[OutPoint, UtxoEntry][]> {
    if (limit <= 0 || maxHeight < 0) return [];
    const gte = new Uint8Array([Prefix.coinAge]);
    const lt = coinAgeKey(Math.min(maxHeight + 1, 0xffff_ffff), {
      txid: new Uint8Array(32),
      vout: 0,
    });
    const ops: OutPoint[] = [];
    for await (const k of this.#db.keys({ gte, lt, limit })) ops.push(parseCoinAgeKey(plain(k)).op);
    const coins = await this.getCoins(ops);
    const out: [OutPoint, UtxoEntry][] = [];
    ops.forEach((op, i) => {
      const c = coins[i];
      if (c) out.push([op, c]);
    });
    return out;
  }

  /** Every unspent output, in key order (for tests and audits). */
  async *coins(): AsyncGenerator<[OutPoint, UtxoEntry]> {
    const gte = new Uint8Array([Prefix.coin]);
    const lt = new Uint8Array([Prefix.coin + 1]);
    for await (const [k, v] of this.#db.iterator({ gte, lt })) {
      const key = plain(k);
      const op = {
        txid: key.slice(1, 33),
        vout: new DataView(key.buffer).getUint32(33, false),
      };
      yield [op, decodeUtxoEntry(plain(v))];
    }
  }
}

/**
 * The LevelDB key schema of the chain store (PROTOCOL.md §6). Every key starts with one ASCII
 * prefix byte; hashes are raw 32 bytes; heights and output indexes are big-endian u32 so that
 * LevelDB's byte order is numeric order.
 *
 * | key                          | value                                                  |
 * |------------------------------|--------------------------------------------------------|
 * | `b` ‖ blockHash              | block index record: header, entry, status, seq (index) |
 * | `h` ‖ u32be height           | hash of the active-chain block at that height          |
 * | `B` ‖ blockHash              | canonical block bytes (headers live in the index)      |
 * | `u` ‖ blockHash              | undo data of a connected block                         |
 * | `c` ‖ txid ‖ u32be vout      | unspent output (UtxoEntry)                             |
 * | `a` ‖ u32be height ‖ txid ‖ u32be vout | empty: the same output, ordered by the height |
 * |                              | that created it (oldest first, for emission sweeps)    |
 * | `A`                          | present once every `c` key has its `a` key (u64 1)     |
 * | `x` ‖ txid                   | hash of the active-chain block holding that tx         |
 * | `X`                          | present once `x` covers the whole active chain (u64 1) |
 * | `T`                          | chain tip: block hash                                  |
 * | `S`                          | supply totals of the tip: minted, returned (u64 each)  |
 * | `n`                          | next first-seen sequence number (u64)                  |
 * | `p`                          | checkpoint pruning: heights below this are pruned      |
 * | `V`                          | store format version (u32)                             |
 *
 * Checkpoint bytes live in files `<datadir>/checkpoints/<hex hash>.rnet`, written atomically;
 * the index record's `haveCheckpoint` flag is the authority on whether one is stored.
 *
 * @module
 */
import { fromHex } from "../crypto/keccak.ts";
import type { OutPoint } from "../primitives/tx.ts";

/** Key prefixes (one ASCII byte each). */
export const Prefix = Object.freeze(
  {
    index: 0x62, // "b"
    height: 0x68, // "h"
    block: 0x42, // "B"
    undo: 0x75, // "u"
    coin: 0x63, // "c"
    tip: 0x54, // "T"
    supply: 0x53, // "S"
    seq: 0x6e, // "n"
    pruned: 0x70, // "p"
    version: 0x56, // "V"
    coinAge: 0x61, // "a"
    coinAgeIndexed: 0x41, // "A"
    tx: 0x78, // "x"
    txIndexed: 0x58, // "X"
  } as const,
);

/** The store format version written by this code. */
export const STORE_VERSION = 2;

function withHash(prefix: number, hash: Uint8Array): Uint8Array {
  if (hash.length !== 32) throw new RangeError(`Hash must be 32 bytes, got ${hash.length}`);
  const k = new Uint8Array(33);
  k[0] = prefix;
  k.set(hash, 1);
  return k;
}

/** `b` ‖ hash: the block index record. */
export function indexKey(hash: Uint8Array): Uint8Array {
  return withHash(Prefix.index, hash);
}

/** `B` ‖ hash: the block bytes. */
export function blockKey(hash: Uint8Array): Uint8Array {
  return withHash(Prefix.block, hash);
}

/** `u` ‖ hash: the undo data. */
export function undoKey(hash: Uint8Array): Uint8Array {
  return withHash(Prefix.undo, hash);
}

/** `x` ‖ txid: the active-chain block holding the transaction. */
export function txKey(id: Uint8Array): Uint8Array {
  return withHash(Prefix.tx, id);
}

/** `h` ‖ u32be(height): the active chain's hash at `height`. */
export function heightKey(height: number): Uint8Array {
  if (!Number.isInteger(height) || height < 0 || height > 0xffff_ffff) {
    throw new RangeError(`Height must be a u32, got ${height}`);
  }
  const k = new Uint8Array(5);
  k[0] = Prefix.height;
  new DataView(k.buffer).setUint32(1, height, false);
  return k;
}

/** `c` ‖ txid ‖ u32be(vout): one unspent output. */
export function coinKey(op: OutPoint): Uint8Array {
  if (op.txid.length !== 32) throw new RangeError("Outpoint txid must be 32 bytes");
  const k = new Uint8Array(37);
  k[0] = Prefix.coin;
  k.set(op.txid, 1);
  new DataView(k.buffer).setUint32(33, op.vout, false);
  return k;
}

/** The outpoint of a `c` key (inverse of {@linkcode coinKey}). */
export function outPointOfCoinKey(key: Uint8Array): OutPoint {
  if (key.length !== 37 || key[0] !== Prefix.coin) throw new RangeError("Not a coin key");
  return {
    txid: key.slice(1, 33),
    vout: new DataView(key.buffer, key.byteOffset, key.byteLength).getUint32(33, false),
  };
}

/**
 * `a` ‖ u32be(height) ‖ txid ‖ u32be(vout): the coin-age index entry of an output created at
 * `height`. Creation MTP never decreases with height on one chain, so key order is age order.
 */
export function coinAgeKey(height: number, op: OutPoint): Uint8Array {
  const k = new Uint8Array(41);
  k.set(heightKey(height));
  k[0] = Prefix.coinAge;
  k.set(coinKey(op).subarray(1), 5);
  return k;
}

/** Height and outpoint of an `a` key (inverse of {@linkcode coinAgeKey}). */
export function parseCoinAgeKey(key: Uint8Array): { height: number; op: OutPoint } {
  if (key.length !== 41 || key[0] !== Prefix.coinAge) throw new RangeError("Not a coin-age key");
  const view = new DataView(key.buffer, key.byteOffset, key.byteLength);
  return {
    height: view.getUint32(1, false),
    op: { txid: key.slice(5, 37), vout: view.getUint32(37, false) },
  };
}

/** A one-byte singleton key (`T`, `S`, `n`, `p`, `V`, `A`, `X`). */
export function singletonKey(prefix: number): Uint8Array {
  return new Uint8Array([prefix]);
}

/**
 * The outpoint of a consensus `outpointKey` string (`<txid hex>:<vout>`); RangeError otherwise.
 */
export function outPointFromKey(key: string): OutPoint {
  const m = /^([0-9a-f]{64}):(\d{1,10})$/.exec(key);
  const vout = m ? Number(m[2]) : NaN;
  if (!m || vout > 0xffff_ffff) throw new RangeError(`Bad outpoint key ${key}`);
  return { txid: fromHex(m[1]!), vout };
}

/**
 * `<datadir>/mempool.dat`: the mempool's transactions on disk (as Bitcoin Core's file of the same
 * name), so a payment accepted before a restart is still waiting after it. Pure encode/decode:
 * the node writes it atomically and re-validates every transaction against its chain on load.
 *
 * Layout (little-endian):
 * ```
 * "rntmempl" (8) ‖ version u8 (= 1) ‖ network magic (4) ‖ savedAtSecs u64 ‖ CompactSize(n) ‖
 * n × (CompactSize(len) ‖ tx (len bytes, the consensus encoding with witnesses)) ‖
 * keccak256(everything before) (32)
 * ```
 * Transactions are in arrival order, so a parent precedes the children spending it.
 *
 * @module
 */
import { keccak256 } from "../crypto/keccak.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { DecodeError, ValidationError } from "../errors.ts";

/** File name inside the data directory. */
export const MEMPOOL_FILE_NAME = "mempool.dat";
/** Current format version. */
export const MEMPOOL_FILE_VERSION = 1;
/** Largest file accepted: a full default pool (64 MiB) plus framing. */
export const MAX_MEMPOOL_FILE_BYTES = (64 << 20) + (1 << 20);

const FILE_MAGIC = new TextEncoder().encode("rntmempl");
const HEADER_BYTES = FILE_MAGIC.length + 1 + 4 + 8;
/** Smallest encoded transaction (far below any real one; bounds the count against the size). */
const MIN_TX_BYTES = 8;

/** A decoded mempool file. */
export interface MempoolSnapshot {
  /** When it was written, Unix seconds. */
  readonly savedAtSecs: number;
  /** Encoded transactions, in arrival order. */
  readonly txs: Uint8Array[];
}

/** Serialises encoded transactions `txs` (arrival order) for network `networkMagic`. */
export function encodeMempoolFile(
  txs: readonly Uint8Array[],
  networkMagic: Uint8Array,
  savedAtSecs: number,
): Uint8Array {
  if (networkMagic.length !== 4) throw new RangeError("networkMagic must be 4 bytes");
  const size = txs.reduce((s, t) => s + t.length + 9, HEADER_BYTES + 9);
  const w = new ByteWriter(size + 32);
  w.writeBytes(FILE_MAGIC).writeU8(MEMPOOL_FILE_VERSION).writeBytes(networkMagic);
  w.writeU64(BigInt(savedAtSecs)).writeCompactSize(txs.length);
  for (const tx of txs) w.writeCompactSize(tx.length).writeBytes(tx);
  const body = w.finish();
  return new ByteWriter(body.length + 32).writeBytes(body).writeBytes(keccak256(body)).finish();
}

/**
 * Parses a mempool file; DecodeError on a bad magic, version, network, checksum or layout. The
 * transactions themselves are not decoded here (the node validates each one).
 *
 * @param bytes The file contents.
 * @param networkMagic The network this node runs on.
 * @param maxTxBytes The largest transaction accepted (the network's consensus limit).
 */
export function decodeMempoolFile(
  bytes: Uint8Array,
  networkMagic: Uint8Array,
  maxTxBytes: number,
): MempoolSnapshot {
  if (bytes.length < HEADER_BYTES + 1 + 32) {
    throw new DecodeError(`Mempool file of ${bytes.length} bytes is too short`);
  }
  const body = bytes.subarray(0, bytes.length - 32);
  const sum = keccak256(body);
  if (!sum.every((b, i) => b === bytes[body.length + i])) {
    throw new DecodeError("Mempool file checksum mismatch");
  }
  const r = new ByteReader(body);
  if (!r.readBytes(FILE_MAGIC.length).every((b, i) => b === FILE_MAGIC[i])) {
    throw new DecodeError("Not a mempool file");
  }
  const version = r.readU8();
  if (version !== MEMPOOL_FILE_VERSION) {
    throw new DecodeError(`Unsupported mempool file version ${version}`);
  }
  const magic = r.readBytes(4);
  if (!magic.every((b, i) => b === networkMagic[i])) {
    throw new DecodeError("Mempool file belongs to another network");
  }
  const savedAtSecs = r.readU64Number();
  const n = r.readCount(Math.floor(MAX_MEMPOOL_FILE_BYTES / MIN_TX_BYTES), MIN_TX_BYTES);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < n; i++) txs.push(r.readVarBytes(maxTxBytes).slice());
  r.expectEnd();
  return { savedAtSecs, txs };
}

/** What {@linkcode restoreMempool} did with each transaction of a file. */
export interface RestoreResult {
  /** Transactions accepted again. */
  readonly accepted: number;
  /** Transactions refused, with the reason (mined meanwhile, spent inputs, bad bytes, ...). */
  readonly rejected: readonly { readonly index: number; readonly reason: string }[];
}

/** What {@linkcode restoreMempool} offers the transactions to (the Mempool fits). */
export interface MempoolAcceptor {
  /** Validates one encoded transaction against the current tip and adds it; throws on refusal. */
  acceptTx(tx: Uint8Array): Promise<unknown>;
}

/**
 * Offers every transaction of a snapshot to `pool` in file order, so each is re-validated
 * against the current chain. A refusal (ValidationError, DecodeError) is counted with its reason
 * and the rest continue; any other error propagates.
 */
export async function restoreMempool(
  pool: MempoolAcceptor,
  snapshot: MempoolSnapshot,
): Promise<RestoreResult> {
  let accepted = 0;
  const rejected: { index: number; reason: string }[] = [];
  for (const [index, tx] of snapshot.txs.entries()) {
    try {
      await pool.acceptTx(tx);
      accepted++;
    } catch (e) {
      if (e instanceof ValidationError) rejected.push({ index, reason: e.reason });
      else if (e instanceof DecodeError) rejected.push({ index, reason: "undecodable" });
      else throw e;
    }
  }
  return { accepted, rejected };
}

/**
 * Value encodings of the chain store (PROTOCOL.md §6): block index records, unspent outputs
 * and undo data. All integers little-endian, as everywhere in rnt; amounts are u64 resonances.
 *
 * ```
 * UtxoEntry   = value u64 ‖ address 34 ‖ height u32 ‖ flags u8 ‖ createdMtpSecs u64
 *               [‖ pendingOwnerHash 32 when flags bit 1]      (flags bit 0: coinbase)
 * IndexRecord = header 264 ‖ mtpSecs u64 ‖ stagnation u32 ‖ minted u64 ‖ returned u64 ‖
 *               chainWork u64 ‖ status u8 ‖ seq u64 ‖ CompactSize len ‖ invalid reason (UTF-8)
 * Undo        = CompactSize n ‖ n × (txid 32 ‖ vout u32 ‖ UtxoEntry)      (spent, in order)
 *               CompactSize m ‖ m × (txid 32 ‖ vout u32)                   (created)
 * ```
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { readAddressData, writeAddressData } from "../primitives/address.ts";
import { readHeader, writeHeader } from "../primitives/block.ts";
import type { OutPoint } from "../primitives/tx.ts";
import type { ChainEntry, UtxoEntry } from "../consensus/chain_entry.ts";

/** Status bits of a block index record. */
export const BlockStatus = Object.freeze(
  {
    /** The block bytes are stored (`B` key). */
    haveBlock: 1,
    /** The checkpoint file is stored (cleared when pruned). */
    haveCheckpoint: 2,
    /** The checkpoint passed checkProofOfTraining (evaluated once, never again). */
    potValid: 4,
    /** The block was connected at least once: its entry's supply totals are final. */
    txsValid: 8,
    /** The block, or an ancestor, broke a rule: never part of the active chain. */
    invalid: 16,
    /**
     * Accepted without its checkpoint ("assumed-pruned": pruned on every peer when this node
     * synced it): every rule but the checkpoint commitment and the evaluation was checked.
     */
    assumedPruned: 32,
  } as const,
);

/** One block index record: the chain entry plus bookkeeping. */
export interface IndexRecord {
  /** The chain entry (supply totals are final only with `txsValid`). */
  entry: ChainEntry;
  /** Bit set of {@linkcode BlockStatus}. */
  status: number;
  /** First-seen sequence number (fork-choice tie-break: lower wins). */
  seq: number;
  /** Reject reason when `invalid` ("" otherwise). */
  invalidReason: string;
}

/** Undo data of one connected block. */
export interface UndoData {
  /** Outputs the block spent, with their entries, in spend order. */
  spent: [OutPoint, UtxoEntry][];
  /** Outputs the block created. */
  created: OutPoint[];
}

/** Appends a UtxoEntry. */
export function writeUtxoEntry(w: ByteWriter, e: UtxoEntry): void {
  w.writeU64(e.value);
  writeAddressData(w, e.address);
  const flags = (e.coinbase ? 1 : 0) | (e.pendingOwnerHash ? 2 : 0);
  w.writeU32(e.height).writeU8(flags).writeU64(e.createdMtpSecs);
  if (e.pendingOwnerHash) {
    if (e.pendingOwnerHash.length !== 32) throw new RangeError("pendingOwnerHash must be 32 bytes");
    w.writeBytes(e.pendingOwnerHash);
  }
}

/** Reads a UtxoEntry. */
export function readUtxoEntry(r: ByteReader): UtxoEntry {
  const value = r.readU64();
  const address = readAddressData(r);
  const height = r.readU32();
  const flags = r.readU8();
  if (flags > 3) throw new DecodeError(`Bad UTXO flags ${flags}`);
  const createdMtpSecs = r.readU64Number();
  const base = { value, address, height, coinbase: (flags & 1) === 1, createdMtpSecs };
  return flags & 2 ? { ...base, pendingOwnerHash: r.readBytes(32) } : base;
}

/** Encodes a UtxoEntry as a store value. */
export function encodeUtxoEntry(e: UtxoEntry): Uint8Array {
  const w = new ByteWriter(64);
  writeUtxoEntry(w, e);
  return w.finish();
}

/** Decodes a store value written by {@linkcode encodeUtxoEntry}. */
export function decodeUtxoEntry(bytes: Uint8Array): UtxoEntry {
  const r = new ByteReader(bytes);
  const e = readUtxoEntry(r);
  r.expectEnd();
  return e;
}

/** Encodes an index record. */
export function encodeIndexRecord(rec: IndexRecord): Uint8Array {
  const w = new ByteWriter(320);
  const e = rec.entry;
  writeHeader(w, e.header);
  w.writeU64(e.mtpSecs).writeU32(e.stagnation);
  w.writeU64(e.mintedResonances).writeU64(e.returnedResonances).writeU64(e.chainWork);
  w.writeU8(rec.status).writeU64(rec.seq);
  w.writeVarBytes(new TextEncoder().encode(rec.invalidReason));
  return w.finish();
}

/** Decodes an index record; `hash` is the key's block hash. */
export function decodeIndexRecord(hash: Uint8Array, bytes: Uint8Array): IndexRecord {
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  const mtpSecs = r.readU64Number();
  const stagnation = r.readU32();
  const mintedResonances = r.readU64();
  const returnedResonances = r.readU64();
  const chainWork = r.readU64();
  const status = r.readU8();
  const seq = r.readU64Number();
  const invalidReason = new TextDecoder().decode(r.readVarBytes(256));
  r.expectEnd();
  return {
    entry: {
      hash,
      header,
      height: header.height,
      mtpSecs,
      stagnation,
      mintedResonances,
      returnedResonances,
      chainWork,
    },
    status,
    seq,
    invalidReason,
  };
}

function writeOutPoint(w: ByteWriter, op: OutPoint): void {
  w.writeBytes(op.txid).writeU32(op.vout);
}

function readOutPoint(r: ByteReader): OutPoint {
  return { txid: r.readBytes(32), vout: r.readU32() };
}

/** Encodes undo data. */
export function encodeUndo(undo: UndoData): Uint8Array {
  const w = new ByteWriter(128 + undo.spent.length * 120);
  w.writeCompactSize(undo.spent.length);
  for (const [op, e] of undo.spent) {
    writeOutPoint(w, op);
    writeUtxoEntry(w, e);
  }
  w.writeCompactSize(undo.created.length);
  for (const op of undo.created) writeOutPoint(w, op);
  return w.finish();
}

/** Decodes undo data. */
export function decodeUndo(bytes: Uint8Array): UndoData {
  const r = new ByteReader(bytes);
  const n = r.readCount(Number.MAX_SAFE_INTEGER, 36 + 55);
  const spent: [OutPoint, UtxoEntry][] = [];
  for (let i = 0; i < n; i++) spent.push([readOutPoint(r), readUtxoEntry(r)]);
  const m = r.readCount(Number.MAX_SAFE_INTEGER, 36);
  const created: OutPoint[] = [];
  for (let i = 0; i < m; i++) created.push(readOutPoint(r));
  r.expectEnd();
  return { spent, created };
}

/** Encodes a u64 (the `n`, `p` and supply singletons). */
export function encodeU64s(...values: (bigint | number)[]): Uint8Array {
  const w = new ByteWriter(8 * values.length);
  for (const v of values) w.writeU64(v);
  return w.finish();
}

/** Decodes `count` u64 values. */
export function decodeU64s(bytes: Uint8Array, count: number): bigint[] {
  const r = new ByteReader(bytes);
  const out: bigint[] = [];
  for (let i = 0; i < count; i++) out.push(r.readU64());
  r.expectEnd();
  return out;
}

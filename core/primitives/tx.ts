/**
 * Transactions and their canonical encoding (DESIGN §5).
 *
 * Layout (for PROTOCOL.md), all integers little-endian:
 * ```
 * version u32
 * CompactSize nIn,  nIn  × (prev txid 32 ‖ prev vout u32 ‖ sequence u32)
 * CompactSize nOut, nOut × (value u64 ‖ address payload 34 = version 0 ‖ kind ‖ policy hash)
 * locktime u64 (seconds of median-time-past; 0 = none; meaning set by consensus)
 * CompactSize nWit (0 or nIn), nWit × (policy ‖ satisfaction)      ← witness section
 * ```
 * The txid covers everything before the witness section; the wtxid covers all of it.
 * A coinbase has one input spending {@linkcode NULL_OUTPOINT} and no witnesses; inputs without
 * witnesses (nWit = 0) are how consensus expresses coinbase and emission-return sweeps.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { type AddressData, readAddressData, writeAddressData } from "./address.ts";
import type { Policy } from "./policy.ts";
import { encodePolicy, readPolicy } from "./policy_codec.ts";
import { readSatisfaction, type Satisfaction, writeSatisfaction } from "./satisfaction.ts";

/** A reference to an output: the txid and output index. */
export interface OutPoint {
  /** 32-byte txid. */
  readonly txid: Uint8Array;
  /** Output index. */
  readonly vout: number;
}

/** A transaction input. */
export interface TxIn {
  /** The output spent. */
  readonly prevout: OutPoint;
  /** u32, free for consensus/policy use (not a relative lock: `older()` covers that). */
  readonly sequence: number;
}

/** A transaction output. */
export interface TxOut {
  /** Amount in resonances (u64). */
  readonly value: bigint;
  /** Recovery kind and policy hash. */
  readonly address: AddressData;
}

/** What spends one input: the revealed policy and its satisfaction. */
export interface InputWitness {
  /** The policy whose hash the spent output commits to. */
  readonly policy: Policy;
  /** Signatures and preimages. */
  readonly satisfaction: Satisfaction;
}

/** A transaction. */
export interface Tx {
  /** u32 version. */
  readonly version: number;
  /** Inputs, at least one. */
  readonly inputs: readonly TxIn[];
  /** Outputs, at least one. */
  readonly outputs: readonly TxOut[];
  /** u64 seconds of MTP (safe integer). */
  readonly locktime: number;
  /** One per input, or none at all (coinbase, sweeps). */
  readonly witnesses: readonly InputWitness[];
}

/** The outpoint a coinbase input spends: 32 zero bytes, index 0xffffffff. */
export const NULL_OUTPOINT: OutPoint = Object.freeze({
  txid: new Uint8Array(32),
  vout: 0xffff_ffff,
});

/** Size floor of an encoded input (32 + 4 + 4) and output (8 + 34). */
const MIN_INPUT_BYTES = 40;
const MIN_OUTPUT_BYTES = 42;
/** Smallest policy (9) + empty satisfaction (2). */
const MIN_WITNESS_BYTES = 11;

/** Default cap on an encoded transaction when the caller gives none (the block limit). */
export const DEFAULT_MAX_TX_BYTES = 1_000_000;

/** True iff `o` is the null outpoint. */
export function isNullOutPoint(o: OutPoint): boolean {
  return o.vout === 0xffff_ffff && o.txid.length === 32 && o.txid.every((b) => b === 0);
}

/** True iff `tx` has the coinbase shape: exactly one input, spending the null outpoint. */
export function isCoinbase(tx: Tx): boolean {
  return tx.inputs.length === 1 && isNullOutPoint(tx.inputs[0]!.prevout);
}

/**
 * Canonical encoding of `tx`; with `{ witness: false }` the txid preimage (no witness section).
 * RangeError on values out of range or a witness count other than 0 or the input count.
 *
 * @example
 * ```ts
 * import { encodeTx, decodeTx, NULL_OUTPOINT } from "./tx.ts";
 * const tx = {
 *   version: 1, locktime: 7, witnesses: [],
 *   inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
 *   outputs: [{ value: 5n, address: { kind: 1, hash: new Uint8Array(32) } }],
 * };
 * console.log(decodeTx(encodeTx(tx)).locktime); // 7
 * ```
 */
export function encodeTx(tx: Tx, opts: { witness?: boolean } = {}): Uint8Array {
  const w = new ByteWriter(256);
  writeTx(w, tx, opts.witness ?? true);
  return w.finish();
}

/** Appends `tx` (with or without its witness section) to `w`. */
export function writeTx(w: ByteWriter, tx: Tx, witness = true): void {
  if (tx.witnesses.length !== 0 && tx.witnesses.length !== tx.inputs.length) {
    throw new RangeError(
      `Witness count must be 0 or ${tx.inputs.length}, got ${tx.witnesses.length}`,
    );
  }
  w.writeU32(tx.version).writeCompactSize(tx.inputs.length);
  for (const { prevout, sequence } of tx.inputs) {
    if (prevout.txid.length !== 32) throw new RangeError("Outpoint txid must be 32 bytes");
    w.writeBytes(prevout.txid).writeU32(prevout.vout).writeU32(sequence);
  }
  w.writeCompactSize(tx.outputs.length);
  for (const out of tx.outputs) {
    w.writeU64(out.value);
    writeAddressData(w, out.address);
  }
  w.writeU64(tx.locktime);
  if (!witness) return;
  w.writeCompactSize(tx.witnesses.length);
  for (const wit of tx.witnesses) {
    w.writeBytes(encodePolicy(wit.policy));
    writeSatisfaction(w, wit.satisfaction);
  }
}

/**
 * Decodes one transaction occupying all of `bytes` (at most `maxTxBytes`); DecodeError on
 * anything non-canonical, oversized, truncated or trailing.
 */
export function decodeTx(bytes: Uint8Array, maxTxBytes: number = DEFAULT_MAX_TX_BYTES): Tx {
  if (bytes.length > maxTxBytes) {
    throw new DecodeError(`Transaction of ${bytes.length} bytes exceeds ${maxTxBytes}`);
  }
  const r = new ByteReader(bytes);
  const tx = readTx(r);
  r.expectEnd();
  return tx;
}

/**
 * Reads one transaction at the reader's position; the caller bounds its size (the block
 * decoder checks each transaction against `maxTxBytes`).
 */
export function readTx(r: ByteReader): Tx {
  const version = r.readU32();
  const nIn = r.readCount(Number.MAX_SAFE_INTEGER, MIN_INPUT_BYTES);
  if (nIn === 0) throw new DecodeError("Transaction has no inputs");
  const inputs: TxIn[] = [];
  for (let i = 0; i < nIn; i++) {
    const txid = r.readBytes(32);
    const vout = r.readU32();
    inputs.push({ prevout: { txid, vout }, sequence: r.readU32() });
  }
  const nOut = r.readCount(Number.MAX_SAFE_INTEGER, MIN_OUTPUT_BYTES);
  if (nOut === 0) throw new DecodeError("Transaction has no outputs");
  const outputs: TxOut[] = [];
  for (let i = 0; i < nOut; i++) {
    const value = r.readU64();
    outputs.push({ value, address: readAddressData(r) });
  }
  const locktime = r.readU64Number();
  const at = r.offset;
  const nWit = r.readCount(nIn, MIN_WITNESS_BYTES);
  if (nWit !== 0 && nWit !== nIn) {
    throw new DecodeError(`Witness count ${nWit} at offset ${at} must be 0 or ${nIn}`);
  }
  const witnesses: InputWitness[] = [];
  for (let i = 0; i < nWit; i++) {
    witnesses.push({ policy: readPolicy(r), satisfaction: readSatisfaction(r) });
  }
  return { version, inputs, outputs, locktime, witnesses };
}

/** Encoded size of `tx` in bytes, witnesses included (the unit of fees and limits). */
export function txSize(tx: Tx): number {
  return encodeTx(tx).length;
}

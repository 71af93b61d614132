/**
 * Block headers and blocks (DESIGN §4): canonical encoding, block id, miner signature.
 *
 * Header layout (for PROTOCOL.md), little-endian, 264 bytes; the first 200 are the unsigned
 * header:
 * ```
 * version u32 | height u32 | prevHash 32 | txRoot 32 | witnessRoot 32 | checkpointRoot 32 |
 * checkpointSize u64 | dModel u32 | nLayers u32 | parentSampleLoss u32 | sampleLoss u32 (µnats) |
 * timestamp u64 (seconds) | minerKey 32 || signature 64
 * ```
 * - `blockId = taggedHash("rnt/block", magic, unsignedHeader)`;
 * - `signature = Ed25519(minerKey secret, blockId)`, checked with strict verification;
 * - `txRoot = merkleRoot(magic, txids)`, `witnessRoot = merkleRoot(magic, wtxids)` over all
 *   transactions in block order (coinbase first).
 *
 * Block = header ‖ CompactSize(nTx ≥ 1) ‖ transactions. The checkpoint travels separately.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { keyPairFromSeed, sign, verify } from "../crypto/ed25519.ts";
import { merkleRoot } from "../crypto/merkle.ts";
import { readTx, type Tx, writeTx } from "./tx.ts";
import { txid, wtxid } from "./tx_hash.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/** A block header. */
export interface BlockHeader {
  /** u32 header version. */
  readonly version: number;
  /** u32 height (genesis = 0). */
  readonly height: number;
  /** Parent block id (32 zero bytes for genesis). */
  readonly prevHash: Uint8Array;
  /** Merkle root of the txids. */
  readonly txRoot: Uint8Array;
  /** Merkle root of the wtxids. */
  readonly witnessRoot: Uint8Array;
  /** Merkle root of the checkpoint's chunk hashes. */
  readonly checkpointRoot: Uint8Array;
  /** Checkpoint size in bytes (u64, safe integer). */
  readonly checkpointSize: number;
  /** Model width (u32). */
  readonly dModel: number;
  /** Model layers (u32). */
  readonly nLayers: number;
  /**
   * The parent checkpoint's exact consensus loss on this block's evaluation sample, micro-nats
   * per prediction (u32; PROTOCOL §5.9). 0 in the genesis header.
   */
  readonly parentSampleLossMicroNats: number;
  /** This block's checkpoint's exact consensus loss on the same sample (u32; 0 in genesis). */
  readonly sampleLossMicroNats: number;
  /** Block time, seconds since the epoch (u64, safe integer). */
  readonly timestampSecs: number;
  /** The miner's Ed25519 public key. */
  readonly minerKey: Uint8Array;
  /** Ed25519 signature by minerKey over the block id. */
  readonly signature: Uint8Array;
}

/** A header without its signature (what the block id commits to). */
export type UnsignedHeader = Omit<BlockHeader, "signature">;

/** A block: header and transactions (coinbase first). */
export interface Block {
  /** The header. */
  readonly header: BlockHeader;
  /** Transactions, at least the coinbase. */
  readonly txs: readonly Tx[];
}

/** Encoded size of an unsigned header. */
export const UNSIGNED_HEADER_BYTES = 200;
/** Encoded size of a header. */
export const HEADER_BYTES = 264;

/** Size limits for {@linkcode decodeBlock} (NetworkParams has both fields). */
export interface BlockLimits {
  /** Max encoded block size, checkpoint excluded. */
  readonly maxBlockBytes: number;
  /** Max encoded size of one transaction. */
  readonly maxTxBytes: number;
}

/** Smallest encoded transaction: 4 + 1 + 40 + 1 + 42 + 8 + 1. */
const MIN_TX_BYTES = 97;

function writeUnsigned(w: ByteWriter, h: UnsignedHeader): void {
  for (
    const [name, b] of [
      ["prevHash", h.prevHash],
      ["txRoot", h.txRoot],
      ["witnessRoot", h.witnessRoot],
      ["checkpointRoot", h.checkpointRoot],
      ["minerKey", h.minerKey],
    ] as const
  ) {
    if (b.length !== 32) throw new RangeError(`${name} must be 32 bytes, got ${b.length}`);
  }
  w.writeU32(h.version).writeU32(h.height).writeBytes(h.prevHash).writeBytes(h.txRoot);
  w.writeBytes(h.witnessRoot).writeBytes(h.checkpointRoot).writeU64(h.checkpointSize);
  w.writeU32(h.dModel).writeU32(h.nLayers).writeU32(h.parentSampleLossMicroNats);
  w.writeU32(h.sampleLossMicroNats);
  w.writeU64(h.timestampSecs).writeBytes(h.minerKey);
}

/** The 200-byte unsigned header encoding (the block id preimage). */
export function encodeUnsignedHeader(h: UnsignedHeader): Uint8Array {
  const w = new ByteWriter(UNSIGNED_HEADER_BYTES);
  writeUnsigned(w, h);
  return w.finish();
}

/** Appends the 264-byte header encoding. */
export function writeHeader(w: ByteWriter, h: BlockHeader): void {
  if (h.signature.length !== 64) throw new RangeError("signature must be 64 bytes");
  writeUnsigned(w, h);
  w.writeBytes(h.signature);
}

/** The 264-byte header encoding. */
export function encodeHeader(h: BlockHeader): Uint8Array {
  const w = new ByteWriter(HEADER_BYTES);
  writeHeader(w, h);
  return w.finish();
}

/** Reads a 264-byte header. */
export function readHeader(r: ByteReader): BlockHeader {
  return {
    version: r.readU32(),
    height: r.readU32(),
    prevHash: r.readBytes(32),
    txRoot: r.readBytes(32),
    witnessRoot: r.readBytes(32),
    checkpointRoot: r.readBytes(32),
    checkpointSize: r.readU64Number(),
    dModel: r.readU32(),
    nLayers: r.readU32(),
    parentSampleLossMicroNats: r.readU32(),
    sampleLossMicroNats: r.readU32(),
    timestampSecs: r.readU64Number(),
    minerKey: r.readBytes(32),
    signature: r.readBytes(64),
  };
}

/** Decodes exactly one header (264 bytes); DecodeError otherwise. */
export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new ByteReader(bytes);
  const h = readHeader(r);
  r.expectEnd();
  return h;
}

/**
 * The block id: taggedHash("rnt/block", magic, unsigned header). The signature is not covered.
 *
 * @example
 * ```ts
 * import { blockId } from "./block.ts";
 * const z = new Uint8Array(32);
 * const h = { version: 1, height: 0, prevHash: z, txRoot: z, witnessRoot: z, checkpointRoot: z,
 *   checkpointSize: 0, dModel: 16, nLayers: 1, parentSampleLossMicroNats: 0, sampleLossMicroNats: 0, timestampSecs: 0,
 *   minerKey: z };
 * console.log(blockId(new Uint8Array([1, 2, 3, 4]), h).length); // 32
 * ```
 */
export function blockId(magic: Uint8Array, header: UnsignedHeader): Uint8Array {
  return taggedHash("rnt/block", magic, encodeUnsignedHeader(header));
}

/**
 * Signs a header: returns it with `signature` set. `secretKey` is the 32-byte seed whose public
 * key must equal `header.minerKey` (RangeError otherwise).
 */
export function signHeader(
  magic: Uint8Array,
  header: UnsignedHeader,
  secretKey: Uint8Array,
): BlockHeader {
  const { publicKey } = keyPairFromSeed(secretKey);
  if (!bytesEqual(publicKey, header.minerKey)) {
    throw new RangeError("secretKey does not match header.minerKey");
  }
  return { ...unsignedOf(header), signature: sign(secretKey, blockId(magic, header)) };
}

/** The header's fields without `signature` (drops any extra properties too). */
export function unsignedOf(h: UnsignedHeader): UnsignedHeader {
  return {
    version: h.version,
    height: h.height,
    prevHash: h.prevHash,
    txRoot: h.txRoot,
    witnessRoot: h.witnessRoot,
    checkpointRoot: h.checkpointRoot,
    checkpointSize: h.checkpointSize,
    dModel: h.dModel,
    nLayers: h.nLayers,
    parentSampleLossMicroNats: h.parentSampleLossMicroNats,
    sampleLossMicroNats: h.sampleLossMicroNats,
    timestampSecs: h.timestampSecs,
    minerKey: h.minerKey,
  };
}

/** True iff `header.signature` is a strict Ed25519 signature by `minerKey` on the block id. */
export function verifyHeaderSignature(magic: Uint8Array, header: BlockHeader): boolean {
  return verify(header.signature, blockId(magic, header), header.minerKey);
}

/** merkleRoot over the txids of `txs`. */
export function computeTxRoot(magic: Uint8Array, txs: readonly Tx[]): Uint8Array {
  return merkleRoot(magic, txs.map((t) => txid(magic, t)));
}

/** merkleRoot over the wtxids of `txs`. */
export function computeWitnessRoot(magic: Uint8Array, txs: readonly Tx[]): Uint8Array {
  return merkleRoot(magic, txs.map((t) => wtxid(magic, t)));
}

/** The canonical block encoding. */
export function encodeBlock(block: Block): Uint8Array {
  const w = new ByteWriter(1024);
  writeHeader(w, block.header);
  w.writeCompactSize(block.txs.length);
  for (const tx of block.txs) writeTx(w, tx);
  return w.finish();
}

/**
 * Decodes a block: at most `limits.maxBlockBytes` in all, at least one transaction, each at
 * most `limits.maxTxBytes`; DecodeError on anything else (including trailing bytes).
 */
export function decodeBlock(bytes: Uint8Array, limits: BlockLimits): Block {
  if (bytes.length > limits.maxBlockBytes) {
    throw new DecodeError(`Block of ${bytes.length} bytes exceeds ${limits.maxBlockBytes}`);
  }
  const r = new ByteReader(bytes);
  const header = readHeader(r);
  const nTx = r.readCount(Number.MAX_SAFE_INTEGER, MIN_TX_BYTES);
  if (nTx === 0) throw new DecodeError("Block has no transactions");
  const txs: Tx[] = [];
  for (let i = 0; i < nTx; i++) {
    const start = r.offset;
    txs.push(readTx(r));
    if (r.offset - start > limits.maxTxBytes) {
      throw new DecodeError(
        `Transaction ${i} of ${r.offset - start} bytes exceeds ${limits.maxTxBytes}`,
      );
    }
  }
  r.expectEnd();
  return { header, txs };
}

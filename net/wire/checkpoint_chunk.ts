/**
 * Checkpoint transfer: `getckpt` asks a peer for one 1 MiB chunk of a block's checkpoint,
 * `ckptchunk` answers with the chunk and its Merkle proof, so the receiver verifies each chunk
 * on arrival against the header's `checkpointRoot` ({@link verifyChunkMessage}), from any peer.
 *
 * Wire forms: `getckpt = blockHash 32 ‖ chunkIndex u32`;
 * `ckptchunk = blockHash 32 ‖ chunkIndex u32 ‖ CompactSize(len ≤ 1 MiB) ‖ chunk ‖
 * CompactSize(n ≤ 32) ‖ n × sibling hash 32`.
 *
 * @module
 */
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { verifyChunk } from "../../core/checkpoint/chunks.ts";
import type { BlockHeader } from "../../core/primitives/block.ts";
import { MAX_CHUNK_BYTES, MAX_CHUNK_PROOF_HASHES } from "./limits.ts";

/** The `getckpt` payload. */
export interface GetCkptPayload {
  /** Id of the block whose checkpoint is wanted. */
  readonly blockHash: Uint8Array;
  /** Which chunk (0-based). */
  readonly chunkIndex: number;
}

/** The `ckptchunk` payload. */
export interface CkptChunkPayload {
  /** Id of the block the checkpoint belongs to. */
  readonly blockHash: Uint8Array;
  /** Which chunk (0-based). */
  readonly chunkIndex: number;
  /** The chunk bytes (1 MiB, the last chunk shorter). */
  readonly chunk: Uint8Array;
  /** Sibling hashes from the chunk up to the root (`merkleProof` of core/checkpoint). */
  readonly proof: readonly Uint8Array[];
}

/** Appends the `getckpt` payload. */
export function writeGetCkpt(w: ByteWriter, p: GetCkptPayload): void {
  if (p.blockHash.length !== 32) throw new RangeError("blockHash must be 32 bytes");
  w.writeBytes(p.blockHash).writeU32(p.chunkIndex);
}

/** Reads the `getckpt` payload. */
export function readGetCkpt(r: ByteReader): GetCkptPayload {
  return { blockHash: r.readBytes(32), chunkIndex: r.readU32() };
}

/** Appends the `ckptchunk` payload. */
export function writeCkptChunk(w: ByteWriter, p: CkptChunkPayload): void {
  if (p.blockHash.length !== 32) throw new RangeError("blockHash must be 32 bytes");
  if (p.chunk.length > MAX_CHUNK_BYTES) {
    throw new RangeError(`Chunk of ${p.chunk.length} bytes exceeds ${MAX_CHUNK_BYTES}`);
  }
  if (p.proof.length > MAX_CHUNK_PROOF_HASHES) {
    throw new RangeError(`Proof of ${p.proof.length} hashes exceeds ${MAX_CHUNK_PROOF_HASHES}`);
  }
  w.writeBytes(p.blockHash).writeU32(p.chunkIndex).writeVarBytes(p.chunk);
  w.writeCompactSize(p.proof.length);
  for (const h of p.proof) {
    if (h.length !== 32) throw new RangeError("Proof hashes must be 32 bytes");
    w.writeBytes(h);
  }
}

/** Reads the `ckptchunk` payload (chunk ≤ 1 MiB, proof ≤ 32 hashes, bounded first). */
export function readCkptChunk(r: ByteReader): CkptChunkPayload {
  const blockHash = r.readBytes(32);
  const chunkIndex = r.readU32();
  const chunk = r.readVarBytes(MAX_CHUNK_BYTES);
  const n = r.readCount(MAX_CHUNK_PROOF_HASHES, 32);
  const proof: Uint8Array[] = [];
  for (let i = 0; i < n; i++) proof.push(r.readBytes(32));
  return { blockHash, chunkIndex, chunk, proof };
}

/**
 * Whether a received chunk is chunk `chunkIndex` of the checkpoint `header` commits to
 * (`checkpointRoot`, `checkpointSize`), by its Merkle proof. The caller has already matched
 * `message.blockHash` to the header's block id.
 *
 * @param message The received `ckptchunk` payload.
 * @param header The header of the block it claims to belong to.
 * @returns True when the chunk is authentic.
 */
export function verifyChunkMessage(message: CkptChunkPayload, header: BlockHeader): boolean {
  if (header.checkpointSize < 1) return false;
  return verifyChunk(
    message.chunk,
    message.chunkIndex,
    header.checkpointSize,
    message.proof,
    header.checkpointRoot,
  );
}

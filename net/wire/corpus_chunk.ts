/**
 * Evaluation corpus transfer (PROTOCOL §4, §8.5): `getcorpus` asks a peer for one chunk of the
 * corpus the network pins by its Merkle root, `corpuschunk` answers with the chunk and its
 * Merkle proof, so the receiver verifies each chunk on arrival against the root in its params
 * ({@link verifyCorpusChunkMessage}), from any peer. A peer without that chunk answers
 * `notfound` with an item of type `corpus` naming the root.
 *
 * The payloads are those of `getckpt` / `ckptchunk` (checkpoint_chunk.ts) with the corpus root in
 * place of the block id, and are read and written by the same code:
 * `getcorpus = root 32 ‖ chunkIndex u32`;
 * `corpuschunk = root 32 ‖ chunkIndex u32 ‖ CompactSize(len ≤ 1 MiB) ‖ chunk ‖
 * CompactSize(n ≤ 32) ‖ n × sibling hash 32`.
 *
 * @module
 */
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { verifyChunk } from "../../core/checkpoint/chunks.ts";
import type { EvalCorpusPin } from "../../core/consensus/eval_corpus_pin.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { readCkptChunk, readGetCkpt, writeCkptChunk, writeGetCkpt } from "./checkpoint_chunk.ts";

/** The `getcorpus` payload. */
export interface GetCorpusPayload {
  /** Merkle root of the corpus wanted (the network's pinned root). */
  readonly root: Uint8Array;
  /** Which chunk (0-based). */
  readonly chunkIndex: number;
}

/** The `corpuschunk` payload. */
export interface CorpusChunkPayload {
  /** Merkle root of the corpus the chunk belongs to. */
  readonly root: Uint8Array;
  /** Which chunk (0-based). */
  readonly chunkIndex: number;
  /** The chunk bytes (1 MiB, the last chunk shorter). */
  readonly chunk: Uint8Array;
  /** Sibling hashes from the chunk up to the root (`merkleProof` of core/checkpoint). */
  readonly proof: readonly Uint8Array[];
}

/** Appends the `getcorpus` payload. */
export function writeGetCorpus(w: ByteWriter, p: GetCorpusPayload): void {
  if (p.root.length !== 32) throw new RangeError("root must be 32 bytes");
  writeGetCkpt(w, { blockHash: p.root, chunkIndex: p.chunkIndex });
}

/** Reads the `getcorpus` payload. */
export function readGetCorpus(r: ByteReader): GetCorpusPayload {
  const { blockHash, chunkIndex } = readGetCkpt(r);
  return { root: blockHash, chunkIndex };
}

/** Appends the `corpuschunk` payload (chunk ≤ 1 MiB, proof ≤ 32 hashes). */
export function writeCorpusChunk(w: ByteWriter, p: CorpusChunkPayload): void {
  if (p.root.length !== 32) throw new RangeError("root must be 32 bytes");
  writeCkptChunk(w, {
    blockHash: p.root,
    chunkIndex: p.chunkIndex,
    chunk: p.chunk,
    proof: p.proof,
  });
}

/** Reads the `corpuschunk` payload (chunk ≤ 1 MiB, proof ≤ 32 hashes, bounded first). */
export function readCorpusChunk(r: ByteReader): CorpusChunkPayload {
  const { blockHash, chunkIndex, chunk, proof } = readCkptChunk(r);
  return { root: blockHash, chunkIndex, chunk, proof };
}

/**
 * Whether a received chunk is chunk `chunkIndex` of the corpus `pin` commits to: the message
 * names the pinned root, and the chunk's length and Merkle path match it.
 *
 * @param message The received `corpuschunk` payload.
 * @param pin The network's pinned corpus.
 * @returns True when the chunk is authentic.
 */
export function verifyCorpusChunkMessage(message: CorpusChunkPayload, pin: EvalCorpusPin): boolean {
  if (toHex(message.root) !== pin.rootHex) return false;
  return verifyChunk(message.chunk, message.chunkIndex, pin.bytes, message.proof, message.root);
}

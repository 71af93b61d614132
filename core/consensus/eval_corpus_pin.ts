/**
 * The identity of a network's evaluation corpus (PROTOCOL §4): the Merkle root of its chunks
 * (the chunk tree of §3.5, 1 MiB chunks, the count committed in the root), its length in bytes
 * and the chunk size. Consensus samples windows from the corpus (§5.9), so every honest node
 * must hold exactly these bytes: a node checks a bundled copy, a local file (`--corpus FILE`) or
 * each chunk fetched from a peer against this root before it evaluates anything.
 *
 * @module
 */
import { checkpointRoot, CHUNK_BYTES } from "../checkpoint/chunks.ts";
import { toHex } from "../crypto/keccak.ts";

/** The pinned evaluation corpus of one network (a field of its params). */
export interface EvalCorpusPin {
  /** Hex Merkle root over the corpus's chunks (PROTOCOL §3.5 tree). */
  readonly rootHex: string;
  /** Length of the corpus in bytes. */
  readonly bytes: number;
  /** Chunk size in bytes (1 MiB, the checkpoint chunk size, on every network). */
  readonly chunkBytes: number;
  /** Whether the corpus ships with the software (`core/data/`, gpu/model/eval_corpus.ts). */
  readonly bundled: boolean;
}

/**
 * The Merkle root of `bytes` as a corpus (chunks of {@link CHUNK_BYTES}), lowercase hex.
 *
 * @example
 * ```ts
 * import { corpusRootHex } from "./eval_corpus_pin.ts";
 * corpusRootHex(new Uint8Array(10)).length; // 64
 * ```
 */
export function corpusRootHex(bytes: Uint8Array): string {
  return toHex(checkpointRoot(bytes));
}

/**
 * Why `bytes` are not the corpus `pin` commits to, or undefined when they are (length and
 * Merkle root both match).
 *
 * @param bytes A candidate corpus (bundled, a local file, or assembled from chunks).
 * @param pin The network's pinned corpus.
 * @returns A sentence-case reason, or undefined.
 */
export function corpusMismatch(bytes: Uint8Array, pin: EvalCorpusPin): string | undefined {
  if (pin.chunkBytes !== CHUNK_BYTES) {
    return `corpus chunk size ${pin.chunkBytes} is not the supported ${CHUNK_BYTES}`;
  }
  if (bytes.length !== pin.bytes) {
    return `corpus is ${bytes.length} bytes, the network pins ${pin.bytes}`;
  }
  const root = corpusRootHex(bytes);
  if (root !== pin.rootHex) {
    return `corpus Merkle root ${root} is not the network's ${pin.rootHex}`;
  }
  return undefined;
}

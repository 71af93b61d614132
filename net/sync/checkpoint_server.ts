/**
 * Serves checkpoint chunks (`getckpt` → `ckptchunk`) from the chainstate, with the Merkle proof
 * to the header's `checkpointRoot`; keeps the chunk hashes of the last few checkpoints.
 *
 * @module
 */
import type { Chainstate } from "../../core/chain/chainstate.ts";
import { CHUNK_BYTES, chunkCount, chunkHashes, merkleProof } from "../../core/checkpoint/chunks.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { CkptChunkPayload } from "../wire/mod.ts";

interface Cached {
  bytes: Uint8Array;
  /** Chunk hashes, computed on the first request of a checkpoint of two or more chunks. */
  hashes?: Uint8Array[];
}

/** Answers chunk requests for the checkpoints the chainstate keeps. */
export class CheckpointServer {
  readonly #chainstate: Chainstate;
  readonly #cache = new Map<string, Promise<Cached | undefined>>();
  readonly #size: number;

  /**
   * @param chainstate Where checkpoints are read from.
   * @param cacheSize How many checkpoints to keep in memory (default 4).
   */
  constructor(chainstate: Chainstate, cacheSize = 4) {
    this.#chainstate = chainstate;
    this.#size = cacheSize;
  }

  /** The chunk `index` of block `blockHash`'s checkpoint with its proof, or undefined. */
  async chunk(blockHash: Uint8Array, index: number): Promise<CkptChunkPayload | undefined> {
    const key = toHex(blockHash);
    let got = this.#cache.get(key);
    if (!got) {
      got = this.#chainstate.getCheckpoint(blockHash).then((bytes) => bytes && { bytes });
      this.#cache.set(key, got);
      while (this.#cache.size > this.#size) this.#cache.delete(this.#cache.keys().next().value!);
    } else {
      this.#cache.delete(key);
      this.#cache.set(key, got);
    }
    const c = await got;
    if (!c) {
      this.#cache.delete(key);
      return undefined;
    }
    const n = chunkCount(c.bytes.length);
    if (!Number.isInteger(index) || index < 0 || index >= n) return undefined;
    const start = index * CHUNK_BYTES;
    // A one-chunk checkpoint's proof is empty: no need to hash it to serve it.
    if (n > 1) c.hashes ??= chunkHashes(c.bytes);
    return {
      blockHash,
      chunkIndex: index,
      chunk: c.bytes.subarray(start, Math.min(start + CHUNK_BYTES, c.bytes.length)),
      proof: n > 1 ? merkleProof(c.hashes!, index) : [],
    };
  }
}

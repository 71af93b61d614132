/**
 * A checkpoint whose bytes are known to be the ones a header commits to (size and chunk Merkle
 * root, PROTOCOL §3.5), checked once: either whole ({@linkcode VerifiedCheckpoint.verify}, one
 * root computation) or chunk by chunk with Merkle proofs as they arrive from peers
 * ({@linkcode CheckpointAssembly}). Only these two make one, so code that holds a
 * `VerifiedCheckpoint` never hashes the bytes again.
 *
 * @module
 */
import { checkpointRoot, CHUNK_BYTES, chunkCount, verifyChunk } from "../checkpoint/chunks.ts";
import type { BlockHeader } from "../primitives/block.ts";
import { reject } from "./reasons.ts";

const issued = Symbol("verified checkpoint");

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/**
 * The checkpoint's length equals `checkpointSize` and its chunk root `checkpointRoot`
 * ("bad-checkpoint-root").
 */
export function checkCheckpointCommitment(header: BlockHeader, checkpointBytes: Uint8Array): void {
  if (checkpointBytes.length !== header.checkpointSize || checkpointBytes.length === 0) {
    reject(
      "bad-checkpoint-root",
      `checkpoint is ${checkpointBytes.length} bytes, header says ${header.checkpointSize}`,
    );
  }
  if (!sameBytes(checkpointRoot(checkpointBytes), header.checkpointRoot)) {
    reject("bad-checkpoint-root");
  }
}

/** Checkpoint bytes verified against a header's `checkpointSize` and `checkpointRoot`. */
export class VerifiedCheckpoint {
  /** The encoded checkpoint. */
  readonly bytes: Uint8Array;
  /** The chunk Merkle root the bytes have (the header's `checkpointRoot`). */
  readonly root: Uint8Array;

  /** Not for callers: use {@linkcode VerifiedCheckpoint.verify} or a CheckpointAssembly. */
  constructor(token: symbol, bytes: Uint8Array, root: Uint8Array) {
    if (token !== issued) throw new TypeError("A VerifiedCheckpoint comes only from a check");
    this.bytes = bytes;
    this.root = root;
  }

  /**
   * Checks `bytes` against `header` (one root computation; ValidationError
   * "bad-checkpoint-root" on a size or root mismatch).
   *
   * @example
   * ```ts ignore
   * const ckpt = VerifiedCheckpoint.verify(block.header, bytes);
   * ```
   */
  static verify(header: BlockHeader, bytes: Uint8Array): VerifiedCheckpoint {
    checkCheckpointCommitment(header, bytes);
    return new VerifiedCheckpoint(issued, bytes, header.checkpointRoot.slice());
  }

  /** Whether these are the bytes `header` commits to (compares size and root, no hashing). */
  matches(header: BlockHeader): boolean {
    return this.bytes.length === header.checkpointSize &&
      sameBytes(this.root, header.checkpointRoot);
  }
}

/** What a header commits to about its checkpoint. */
export type CheckpointCommitment = Pick<BlockHeader, "checkpointSize" | "checkpointRoot">;

/**
 * Collects a checkpoint's chunks as they arrive, each verified on arrival against the header's
 * root with its Merkle proof; once all are in, {@linkcode CheckpointAssembly.take} joins them
 * into a {@linkcode VerifiedCheckpoint} without hashing anything again.
 */
export class CheckpointAssembly {
  readonly #header: CheckpointCommitment;
  readonly #chunks: (Uint8Array | undefined)[];
  #have = 0;

  /**
   * @param header the header (or just its commitment: size ≥ 1 and root) whose checkpoint is
   *   being collected
   */
  constructor(header: CheckpointCommitment) {
    this.#header = header;
    this.#chunks = Array.from({ length: chunkCount(header.checkpointSize) }, () => undefined);
  }

  /** Number of chunks. */
  get count(): number {
    return this.#chunks.length;
  }

  /** Chunks arrived so far. */
  get received(): number {
    return this.#have;
  }

  /** Whether every chunk has arrived. */
  get complete(): boolean {
    return this.#have === this.#chunks.length;
  }

  /** Whether chunk `index` has arrived. */
  has(index: number): boolean {
    return this.#chunks[index] !== undefined;
  }

  /**
   * Verifies chunk `index` with its Merkle `proof` against the header's root and keeps a copy.
   * Returns false (keeping nothing) when it does not verify.
   */
  add(index: number, chunk: Uint8Array, proof: readonly Uint8Array[]): boolean {
    const h = this.#header;
    if (!verifyChunk(chunk, index, h.checkpointSize, proof, h.checkpointRoot)) return false;
    if (this.#chunks[index] === undefined) {
      this.#chunks[index] = chunk.slice();
      this.#have++;
    }
    return true;
  }

  /** The whole checkpoint, or undefined while a chunk is missing. */
  take(): VerifiedCheckpoint | undefined {
    if (!this.complete) return undefined;
    const bytes = new Uint8Array(this.#header.checkpointSize);
    this.#chunks.forEach((c, i) => bytes.set(c!, i * CHUNK_BYTES));
    return new VerifiedCheckpoint(issued, bytes, this.#header.checkpointRoot.slice());
  }
}

/**
 * Checkpoints being uploaded chunk by chunk (`uploadcheckpointchunk`) before the `submitblock`
 * that commits to them. Every chunk arrives with its Merkle proof and is verified against the
 * announced root on arrival (a CheckpointAssembly), so a staged checkpoint is complete and
 * correct once every index is in, and is handed out as a VerifiedCheckpoint that the chainstate
 * does not hash again. Memory is bounded: at most {@linkcode MAX_STAGED_UPLOADS} roots, the oldest dropped.
 *
 * @module
 */
import {
  CheckpointAssembly,
  type VerifiedCheckpoint,
} from "../../core/consensus/verified_checkpoint.ts";
import { toHex } from "../../core/crypto/keccak.ts";

/** Checkpoints staged at once; a new root beyond this drops the oldest. */
export const MAX_STAGED_UPLOADS = 4;

/** Progress of one staged checkpoint. */
export interface UploadProgress {
  /** Chunks received so far. */
  received: number;
  /** Chunks in total. */
  chunks: number;
  /** Whether every chunk is in. */
  complete: boolean;
}

/** Why a chunk was refused. */
export class UploadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UploadError";
  }
}

/** Staged checkpoint uploads, keyed by checkpoint root. */
export class CheckpointUploads {
  readonly #maxBytes: number;
  readonly #staged = new Map<string, { size: number; chunks: CheckpointAssembly }>();

  /** `maxBytes`: the largest checkpoint accepted (the network's largest model). */
  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  /**
   * Adds chunk `index` of the `size`-byte checkpoint whose root is `root`, after checking it
   * against `proof`. Throws UploadError for a bad size, index or proof, or a size that
   * differs from the one first announced for this root.
   */
  add(
    root: Uint8Array,
    size: number,
    index: number,
    chunk: Uint8Array,
    proof: readonly Uint8Array[],
  ): UploadProgress {
    if (!Number.isSafeInteger(size) || size < 1 || size > this.#maxBytes) {
      throw new UploadError(`Checkpoint size ${size} is outside 1..${this.#maxBytes}`);
    }
    const key = toHex(root);
    let staged = this.#staged.get(key);
    if (staged && staged.size !== size) {
      throw new UploadError(
        `Checkpoint ${key} was announced with ${staged.size} bytes, not ${size}`,
      );
    }
    const chunks = staged?.chunks ??
      new CheckpointAssembly({ checkpointSize: size, checkpointRoot: root.slice() });
    if (!chunks.add(index, chunk, proof)) {
      throw new UploadError(`Chunk ${index} does not match root ${key} (size, index or proof)`);
    }
    if (!staged) {
      if (this.#staged.size >= MAX_STAGED_UPLOADS) {
        this.#staged.delete(this.#staged.keys().next().value!);
      }
      staged = { size, chunks };
      this.#staged.set(key, staged);
    }
    return { received: chunks.received, chunks: chunks.count, complete: chunks.complete };
  }

  /**
   * The complete checkpoint for `root` (verified chunk by chunk), removed from staging;
   * undefined if incomplete.
   */
  take(root: Uint8Array): VerifiedCheckpoint | undefined {
    const key = toHex(root);
    const checkpoint = this.#staged.get(key)?.chunks.take();
    if (checkpoint) this.#staged.delete(key);
    return checkpoint;
  }

  /** Roots staged now. */
  get size(): number {
    return this.#staged.size;
  }
}

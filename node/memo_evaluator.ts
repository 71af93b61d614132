/**
 * An evaluator that remembers the last few per-window results it computed, keyed by the
 * checkpoint's chunk Merkle root (the header's `checkpointRoot`, passed in by the caller), the
 * window length and a hash of the evaluated bytes (a block's sample). When this node's own miner
 * has just evaluated its checkpoint and the parent's on a block's sample, the chainstate's
 * Proof-of-Training check of the same block reuses both results instead of running the identical
 * deterministic evaluations twice. The root is the one the caller verified the bytes against
 * (consensus passes a VerifiedCheckpoint's root, the miner the root of the bytes it is about to
 * publish), so every result in the memo was computed by the wrapped evaluator on exactly those
 * checkpoint bytes and validation is unchanged. A call without a root is evaluated and not
 * remembered: identifying the checkpoint would mean encoding and hashing it again.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { keccak256, toHex } from "../core/crypto/keccak.ts";

/** Wraps `inner`, keeping the last `capacity` results. */
export class MemoEvaluator implements Evaluator {
  readonly name: string;
  readonly #inner: Evaluator;
  readonly #capacity: number;
  readonly #memo = new Map<string, number[]>();
  /** Evaluations answered from the memo (for logs and tests). */
  hits = 0;

  constructor(inner: Evaluator, capacity = 8) {
    this.#inner = inner;
    this.#capacity = capacity;
    this.name = inner.name;
  }

  async evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    checkpointRoot?: Uint8Array,
  ): Promise<number[]> {
    if (checkpointRoot === undefined) {
      return await this.#inner.evaluateWindows(checkpoint, bytes, windowLen);
    }
    const key = `${toHex(checkpointRoot)}:${toHex(keccak256(bytes))}:${windowLen}`;
    const known = this.#memo.get(key);
    if (known !== undefined) {
      this.hits++;
      return known.slice();
    }
    const sums = await this.#inner.evaluateWindows(checkpoint, bytes, windowLen, checkpointRoot);
    this.#memo.set(key, sums.slice());
    while (this.#memo.size > this.#capacity) {
      this.#memo.delete(this.#memo.keys().next().value!);
    }
    return sums;
  }
}

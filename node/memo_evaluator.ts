/**
 * An evaluator that remembers the last few losses it computed, keyed by keccak256 of the
 * checkpoint's canonical encoding. When this node's own miner has just evaluated a checkpoint,
 * the chainstate's Proof-of-Training check of the same bytes reuses that number instead of
 * running the identical deterministic evaluation twice. Every loss in the memo was computed by
 * the wrapped evaluator on exactly those bytes, so validation is unchanged.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { keccak256, toHex } from "../core/crypto/keccak.ts";

/**
 * Wraps `inner`, keeping the last `capacity` results (validation set and window included in the
 * key).
 */
export class MemoEvaluator implements Evaluator {
  readonly name: string;
  readonly #inner: Evaluator;
  readonly #capacity: number;
  readonly #memo = new Map<string, number>();
  /** Evaluations answered from the memo (for logs and tests). */
  hits = 0;

  constructor(inner: Evaluator, capacity = 8) {
    this.#inner = inner;
    this.#capacity = capacity;
    this.name = inner.name;
  }

  async evaluate(
    checkpoint: Checkpoint,
    validation: Uint8Array,
    windowLen: number,
  ): Promise<number> {
    const key = `${toHex(keccak256(encodeCheckpoint(checkpoint)))}:${
      toHex(keccak256(validation))
    }:${windowLen}`;
    const known = this.#memo.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    const loss = await this.#inner.evaluate(checkpoint, validation, windowLen);
    this.#memo.set(key, loss);
    while (this.#memo.size > this.#capacity) {
      this.#memo.delete(this.#memo.keys().next().value!);
    }
    return loss;
  }
}

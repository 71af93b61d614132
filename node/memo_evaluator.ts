/**
 * An evaluator that remembers the last few losses it computed, keyed by the checkpoint's chunk
 * Merkle root (the header's `checkpointRoot`, passed in by the caller). When this node's own
 * miner has just evaluated a checkpoint, the chainstate's Proof-of-Training check of the same
 * bytes reuses that number instead of running the identical deterministic evaluation twice.
 * The root is the one the caller verified the bytes against (consensus passes a
 * VerifiedCheckpoint's root, the miner the root of the bytes it is about to publish), so every
 * loss in the memo was computed by the wrapped evaluator on exactly those bytes and validation
 * is unchanged. A call without a root is evaluated and not remembered: identifying the
 * checkpoint would mean encoding and hashing it again.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
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
  /** Hex keccak256 of each validation set seen (the set is fixed per network: hashed once). */
  readonly #validationIds = new WeakMap<Uint8Array, string>();
  /** Evaluations answered from the memo (for logs and tests). */
  hits = 0;

  constructor(inner: Evaluator, capacity = 8) {
    this.#inner = inner;
    this.#capacity = capacity;
    this.name = inner.name;
  }

  #validationId(validation: Uint8Array): string {
    let id = this.#validationIds.get(validation);
    if (id === undefined) {
      id = toHex(keccak256(validation));
      this.#validationIds.set(validation, id);
    }
    return id;
  }

  async evaluate(
    checkpoint: Checkpoint,
    validation: Uint8Array,
    windowLen: number,
    checkpointRoot?: Uint8Array,
  ): Promise<number> {
    if (checkpointRoot === undefined) {
      return await this.#inner.evaluate(checkpoint, validation, windowLen);
    }
    const key = `${toHex(checkpointRoot)}:${this.#validationId(validation)}:${windowLen}`;
    const known = this.#memo.get(key);
    if (known !== undefined) {
      this.hits++;
      return known;
    }
    const loss = await this.#inner.evaluate(checkpoint, validation, windowLen, checkpointRoot);
    this.#memo.set(key, loss);
    while (this.#memo.size > this.#capacity) {
      this.#memo.delete(this.#memo.keys().next().value!);
    }
    return loss;
  }
}

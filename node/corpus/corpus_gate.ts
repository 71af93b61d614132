/**
 * Keeps consensus away from an incomplete corpus: the evaluator the chainstate and the miner use
 * refuses to evaluate until every chunk of the corpus is held and verified. The refusal is a
 * plain Error, no verdict on any block (PROTOCOL §8.11: an evaluator failure never marks a block
 * invalid nor punishes its sender), so a node still fetching its corpus cannot split from the
 * chain for lack of data. The node's sync also submits no block before the corpus is complete
 * (net/sync/block_sync.ts); this gate covers every other path (RPC `submitblock`, the miner).
 *
 * The check runs synchronously at the start of each call, in the same tick in which the caller
 * drew the sample's bytes from the corpus buffer (core/consensus/proof_of_training.ts), so bytes
 * drawn before the last chunk arrived can never be evaluated.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import type { Evaluator } from "../../core/consensus/evaluator.ts";

/** What the gate needs to know about the corpus. */
export interface CorpusProgress {
  /** Whether every chunk is held and verified. */
  readonly complete: boolean;
  /** Chunks held. */
  readonly heldCount: number;
  /** Chunks in all. */
  readonly count: number;
}

/** Thrown by {@linkcode CorpusGatedEvaluator} while the corpus is incomplete. */
export class CorpusIncompleteError extends Error {
  constructor(held: number, count: number) {
    super(`The evaluation corpus is not complete yet (${held} of ${count} chunks): not evaluating`);
    this.name = "CorpusIncompleteError";
  }
}

/** Wraps `inner`: evaluates only once `corpus` is complete. */
export class CorpusGatedEvaluator implements Evaluator {
  readonly name: string;
  readonly #inner: Evaluator;
  readonly #corpus: CorpusProgress;

  constructor(inner: Evaluator, corpus: CorpusProgress) {
    this.#inner = inner;
    this.#corpus = corpus;
    this.name = inner.name;
  }

  evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    checkpointRoot?: Uint8Array,
  ): Promise<number[]> {
    if (!this.#corpus.complete) {
      return Promise.reject(new CorpusIncompleteError(this.#corpus.heldCount, this.#corpus.count));
    }
    return this.#inner.evaluateWindows(checkpoint, bytes, windowLen, checkpointRoot);
  }
}

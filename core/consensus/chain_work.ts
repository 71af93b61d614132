/**
 * The fork-choice score (PROTOCOL §6.3): verified progress, not the lowest tip loss. Every
 * block adds `1 + min(progressPpm, blockWorkCapPpm)`, where `progressPpm` is the relative
 * improvement its paired sample verified, `⌊(parent − child) · 10⁶ / parent⌋`. The best chain is
 * the valid one with the largest accumulated score (ties: first seen). The `1` makes a
 * blocks-only chain (progress 0 after the slow-progress decay) still grow its score; the cap
 * bounds what one block, however good or however lucky its sample, can weigh.
 *
 * @module
 */
import type { PairedSums } from "./paired_improvement.ts";
import type { NetworkParams } from "./params.ts";
import { PPM } from "./params.ts";

/** Relative improvement the sample verified, ppm, floored, never negative. */
export function blockProgressPpm(sums: PairedSums): number {
  const { parentSum, childSum } = sums;
  if (parentSum <= 0n || childSum >= parentSum) return 0;
  return Number((parentSum - childSum) * BigInt(PPM) / parentSum);
}

/**
 * A block's fork-choice weight: `1 + min(progressPpm, blockWorkCapPpm)`.
 *
 * @example
 * ```ts
 * import { blockWork } from "./chain_work.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(blockWork(REGTEST, { parentSum: 100n, childSum: 100n })); // 1n
 * ```
 */
export function blockWork(
  params: Pick<NetworkParams, "blockWorkCapPpm">,
  sums: PairedSums,
): bigint {
  return 1n + BigInt(Math.min(blockProgressPpm(sums), params.blockWorkCapPpm));
}

/** The accumulated score of a block: its parent's plus its own work (genesis: 0). */
export function chainWork(parentChainWork: bigint, work: bigint): bigint {
  if (work < 1n) throw new RangeError(`block work must be at least 1, got ${work}`);
  return parentChainWork + work;
}

/**
 * Orders two chain tips for fork choice: negative when `a` is better (more work), positive
 * when `b` is, 0 on equal work (the caller breaks ties by first-seen order).
 */
export function compareChainWork(a: bigint, b: bigint): number {
  return a > b ? -1 : a < b ? 1 : 0;
}

/**
 * The most blocks' worth of margin a reorganisation owes, however deep (see
 * {@linkcode reorgMarginWork}). Why bounded: two halves of a partitioned network that mined apart at
 * equal rates look exactly like a copy, and an unbounded margin would keep them apart for good;
 * bounded, the branch that gets this many capped blocks ahead wins, as in a race of
 * confirmations.
 */
export const REORG_MARGIN_MAX_BLOCKS = 6;

/**
 * Extra work a branch must carry beyond the active tip's to replace `depth` blocks of the active
 * chain: `min(depth − 1, REORG_MARGIN_MAX_BLOCKS) · (1 + blockWorkCapPpm)` (PROTOCOL §6.3,
 * "Reorganisation margin").
 *
 * Why: checkpoints are public, so a branch can re-publish the honest blocks' checkpoints under
 * its own headers and weigh about as much as the blocks it replaces without training anything.
 * Each replaced block beyond the first (up to the bound) must therefore be out-weighed by one block
 * of the most work a block can carry, which only training (or, after μ_t has decayed, a long wait)
 * yields. A one-block race (`depth` 1) is decided by work alone, as before.
 *
 * @example
 * ```ts
 * import { reorgMarginWork } from "./chain_work.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(reorgMarginWork(REGTEST, 1)); // 0n
 * console.log(reorgMarginWork(REGTEST, 3)); // 40002n: two blocks at the 20,000 ppm cap
 * console.log(reorgMarginWork(REGTEST, 50)); // 120006n: the bound, six capped blocks
 * ```
 */
export function reorgMarginWork(
  params: Pick<NetworkParams, "blockWorkCapPpm">,
  depth: number,
): bigint {
  if (!Number.isSafeInteger(depth) || depth < 0) {
    throw new RangeError(`reorganisation depth must be a non-negative integer, got ${depth}`);
  }
  if (depth <= 1) return 0n;
  const blocks = Math.min(depth - 1, REORG_MARGIN_MAX_BLOCKS);
  return BigInt(blocks) * (1n + BigInt(params.blockWorkCapPpm));
}

/**
 * The paired Proof-of-Training rule (PROTOCOL §5.9): on the block's sample, the child
 * checkpoint's summed integer loss must be at most the parent's × (1 − μ_t), and below it by at
 * least one unit, where μ_t is the required improvement after the slow-progress decay: it
 * halves for every `improvementHalfLifeSecs` that the block's timestamp lies beyond its
 * parent's plus `improvementGraceSecs`, down to zero (then only the one-unit rule is left).
 * Exact integers throughout.
 *
 * @module
 */
import type { BlockHeader } from "../primitives/block.ts";
import type { ChainEntry } from "./chain_entry.ts";
import type { NetworkParams } from "./params.ts";
import { PPM } from "./params.ts";
import { reject } from "./reasons.ts";

/** The decay parameters {@linkcode requiredImprovementPpm} reads. */
export type DecayParams = Pick<
  NetworkParams,
  "sampleMinImprovementPpm" | "improvementGraceSecs" | "improvementHalfLifeSecs"
>;

/**
 * μ_t in ppm for a block at `timestampSecs` on a parent at `parentTimestampSecs`:
 * `⌊μ / 2^h⌋` with `h = ⌊max(0, t − t_parent − grace) / halfLife⌋`.
 *
 * A miner cannot buy decay with its timestamp beyond what the clock rules allow: the timestamp
 * is at most `maxFutureBlockTimeSecs` ahead of every verifier's clock (`time-too-new`), so a
 * forged future time gains at most `⌈maxFutureBlockTimeSecs / halfLife⌉` halvings early, and
 * it shortens the next block's elapsed time by as much.
 *
 * @example
 * ```ts
 * import { requiredImprovementPpm } from "./paired_improvement.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(requiredImprovementPpm(REGTEST, 0, 1) === REGTEST.sampleMinImprovementPpm); // true
 * ```
 */
export function requiredImprovementPpm(
  params: DecayParams,
  parentTimestampSecs: number,
  timestampSecs: number,
): number {
  const late = timestampSecs - parentTimestampSecs - params.improvementGraceSecs;
  if (late <= 0) return params.sampleMinImprovementPpm;
  const halvings = Math.floor(late / params.improvementHalfLifeSecs);
  if (halvings >= 31) return 0;
  return Math.floor(params.sampleMinImprovementPpm / 2 ** halvings);
}

/** Sums of a block's paired sample: the parent's and the child's loss units. */
export interface PairedSums {
  /** Σ of the parent checkpoint's window losses. */
  readonly parentSum: bigint;
  /** Σ of the child checkpoint's window losses. */
  readonly childSum: bigint;
}

/** Sums the two per-window loss lists (same length, at least one window). */
export function pairedSums(
  parentLosses: readonly bigint[],
  childLosses: readonly bigint[],
): PairedSums {
  if (parentLosses.length !== childLosses.length || parentLosses.length === 0) {
    throw new RangeError(
      `paired sample needs equal non-empty loss lists, got ${parentLosses.length} and ${childLosses.length}`,
    );
  }
  let parentSum = 0n, childSum = 0n;
  for (let i = 0; i < parentLosses.length; i++) {
    if (parentLosses[i]! < 0n || childLosses[i]! < 0n) throw new RangeError("negative window loss");
    parentSum += parentLosses[i]!;
    childSum += childLosses[i]!;
  }
  return { parentSum, childSum };
}

/**
 * `childSum · 10⁶ ≤ parentSum · (10⁶ − μ_t)` and `childSum < parentSum`
 * ("insufficient-sample-improvement").
 *
 * @example
 * ```ts
 * import { checkPairedImprovement } from "./paired_improvement.ts";
 * checkPairedImprovement({ parentSum: 1000n, childSum: 990n }, 10_000); // passes: exactly 1%
 * ```
 */
export function checkPairedImprovement(sums: PairedSums, requiredPpm: number): void {
  if (!meetsPairedImprovement(sums, requiredPpm)) {
    const { parentSum, childSum } = sums;
    reject(
      "insufficient-sample-improvement",
      `sample loss ${childSum}, parent ${parentSum}, required ${requiredPpm} ppm`,
    );
  }
}

/**
 * Whether `sums` meet `requiredPpm` (the test {@linkcode checkPairedImprovement} rejects on);
 * RangeError for a required improvement outside [0, 10⁶).
 */
export function meetsPairedImprovement(sums: PairedSums, requiredPpm: number): boolean {
  if (!Number.isInteger(requiredPpm) || requiredPpm < 0 || requiredPpm >= PPM) {
    throw new RangeError(`bad required improvement ${requiredPpm} ppm`);
  }
  const { parentSum, childSum } = sums;
  return childSum * BigInt(PPM) <= parentSum * BigInt(PPM - requiredPpm) && childSum < parentSum;
}

/** A header's two claimed sample losses as {@linkcode PairedSums} (µnats per prediction). */
export function headerSums(
  header: Pick<BlockHeader, "parentSampleLossMicroNats" | "sampleLossMicroNats">,
): PairedSums {
  return {
    parentSum: BigInt(header.parentSampleLossMicroNats),
    childSum: BigInt(header.sampleLossMicroNats),
  };
}

/**
 * Stage 2, from the header alone (PROTOCOL §5.5, §5.9): the claimed sample losses must meet μ_t
 * for the block's timestamp after its parent's ("insufficient-sample-improvement"). It costs no
 * evaluation, so a header that does not even claim enough is refused before any work; stage 4
 * then recomputes both claims exactly.
 *
 * @example
 * ```ts ignore
 * checkSampleImprovement(header, parent.header, params);
 * ```
 */
export function checkSampleImprovement(
  header: BlockHeader,
  parentHeader: Pick<BlockHeader, "timestampSecs">,
  params: DecayParams,
): void {
  checkPairedImprovement(
    headerSums(header),
    requiredImprovementPpm(params, parentHeader.timestampSecs, header.timestampSecs),
  );
}

/**
 * The timestamp a miner gives a child of `parent` at `nowSecs`: the current time, but never at or
 * below the parent's median-time-past (`time-too-old`, PROTOCOL §5.4).
 */
export function childTimestampSecs(parent: Pick<ChainEntry, "mtpSecs">, nowSecs: number): number {
  return Math.max(nowSecs, parent.mtpSecs + 1);
}

/**
 * μ_t (ppm) a child of `parent` stamped at `nowSecs` ({@linkcode childTimestampSecs}) must show on
 * its sample: the full μ within the grace after the parent's time, then halving.
 *
 * @example
 * ```ts
 * import { childRequiredImprovementPpm } from "./paired_improvement.ts";
 * import { genesisEntry } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(childRequiredImprovementPpm(REGTEST, genesisEntry(REGTEST), 0)); // 10000
 * ```
 */
export function childRequiredImprovementPpm(
  params: DecayParams,
  parent: Pick<ChainEntry, "mtpSecs" | "header">,
  nowSecs: number,
): number {
  return requiredImprovementPpm(
    params,
    parent.header.timestampSecs,
    childTimestampSecs(parent, nowSecs),
  );
}

/**
 * Whether a branch known only from its headers can replace the active tip (PROTOCOL §6.3,
 * "Reorganisation margin"), decided before any of its blocks is downloaded or evaluated.
 *
 * A header's claimed work is the most its block can verify: the block's sample must re-evaluate
 * to exactly the claimed losses or the block is invalid, and no block weighs more than
 * `1 + blockWorkCapPpm` whatever it claims. So a branch whose claims do not beat
 * {@linkcode reorgWorkToBeat} can never be switched to while the tip stays, and a branch whose
 * header count alone cannot ({@linkcode maxBranchWork}) needs more headers before any claim
 * could. The sync fetches neither (net/sync/block_sync.ts) and looks again as headers arrive.
 *
 * @module
 */
import type { NetworkParams } from "./params.ts";
import { reorgMarginWork } from "./chain_work.ts";

/**
 * The chain work a branch must exceed to replace a tip of `tipWork` when switching to it would
 * disconnect `depth` blocks: `tipWork + reorgMarginWork(depth)` (depth 0 or 1: the tip's work).
 *
 * @example
 * ```ts
 * import { reorgWorkToBeat } from "./reorg_reach.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(reorgWorkToBeat(REGTEST, 100n, 1)); // 100n
 * console.log(reorgWorkToBeat(REGTEST, 100n, 4)); // 60103n: three blocks at the cap more
 * ```
 */
export function reorgWorkToBeat(
  params: Pick<NetworkParams, "blockWorkCapPpm">,
  tipWork: bigint,
  depth: number,
): bigint {
  return tipWork + reorgMarginWork(params, depth);
}

/**
 * The most chain work a branch of `blocks` blocks above a fork point of work `forkWork` can
 * reach, whatever its headers claim: every block at the cap, `forkWork + blocks · (1 + cap)`.
 *
 * @example
 * ```ts
 * import { maxBranchWork } from "./reorg_reach.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(maxBranchWork(REGTEST, 0n, 4)); // 80004n: four blocks at the 20,000 ppm cap
 * ```
 */
export function maxBranchWork(
  params: Pick<NetworkParams, "blockWorkCapPpm">,
  forkWork: bigint,
  blocks: number,
): bigint {
  if (!Number.isSafeInteger(blocks) || blocks < 0) {
    throw new RangeError(`branch length must be a non-negative integer, got ${blocks}`);
  }
  return forkWork + BigInt(blocks) * (1n + BigInt(params.blockWorkCapPpm));
}

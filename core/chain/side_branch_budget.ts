/**
 * How much unevaluated side-branch data the chainstate keeps (PROTOCOL §6.6). A block that loses
 * fork choice when it arrives is stored with its checkpoint but never evaluated until its branch
 * wins; without a bound anyone could fill the disk with such blocks. The bounds count checkpoint
 * bytes of stored, unevaluated, not-invalid blocks off the active chain, in three scopes: per
 * branch (the blocks hanging off one active-chain block), per source (the peer or local caller
 * that handed them in) and in total. Over a bound, the worst leaf in that scope goes first:
 * least claimed chain work (least progress), on ties the later seen. Active-chain blocks and
 * evaluated blocks are never counted or evicted.
 *
 * @module
 */
import type { NetworkParams } from "../consensus/params.ts";

/** Checkpoint-byte bounds of the unevaluated side-branch blocks. */
export interface SideBranchLimits {
  /** Per branch (the blocks off one active-chain block). */
  readonly branchBytes: number;
  /** Per source (one peer, or the local RPC/miner). */
  readonly sourceBytes: number;
  /** All sources and branches together. */
  readonly totalBytes: number;
}

/**
 * The bounds for a chain whose tip checkpoint is `checkpointBytes` long: a branch may hold
 * `2 × (maxReorgDepth + 1)` checkpoints (a competing branch that forks within the reorg limit
 * can be completed while it is still worse than our tip, even at half our rate of progress), a
 * source twice that, all sources together four times that.
 *
 * @example
 * ```ts
 * import { sideBranchLimits } from "./side_branch_budget.ts";
 * import { REGTEST } from "../consensus/params.ts";
 * console.log(sideBranchLimits(REGTEST, 1000).branchBytes); // 42000
 * ```
 */
export function sideBranchLimits(params: NetworkParams, checkpointBytes: number): SideBranchLimits {
  const branch = 2 * (params.maxReorgDepth + 1) * checkpointBytes;
  return { branchBytes: branch, sourceBytes: 2 * branch, totalBytes: 4 * branch };
}

/** One stored, unevaluated side-branch block as the budget sees it. */
export interface HeldBlock {
  /** Block hash (hex). */
  readonly key: string;
  /** Its checkpoint's size in bytes. */
  readonly bytes: number;
  /** Who handed it in. */
  readonly source: string;
  /** Hash (hex) of the active-chain block its branch hangs off. */
  readonly fork: string;
  /** Its claimed chain work (fork-choice score from its header claims, PROTOCOL §6.3). */
  readonly chainWork: bigint;
  /** First-seen sequence number. */
  readonly seq: number;
  /** No stored block builds on it (only leaves are evicted, so no block loses its parent). */
  readonly leaf: boolean;
}

/**
 * The block to evict so that the scopes of `newest` (its branch, its source, then all) get back
 * under `limits`, or undefined when every bound holds. Call again after each eviction.
 */
export function pickEviction(
  held: readonly HeldBlock[],
  newest: HeldBlock,
  limits: SideBranchLimits,
): string | undefined {
  const scopes: [(b: HeldBlock) => boolean, number][] = [
    [(b) => b.fork === newest.fork, limits.branchBytes],
    [(b) => b.source === newest.source, limits.sourceBytes],
    [() => true, limits.totalBytes],
  ];
  for (const [inScope, limit] of scopes) {
    const scope = held.filter(inScope);
    if (scope.reduce((s, b) => s + b.bytes, 0) <= limit) continue;
    let worst: HeldBlock | undefined;
    for (const b of scope) {
      if (!b.leaf) continue;
      if (
        !worst || b.chainWork < worst.chainWork ||
        (b.chainWork === worst.chainWork && b.seq > worst.seq)
      ) worst = b;
    }
    if (worst) return worst.key;
  }
  return undefined;
}

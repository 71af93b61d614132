/**
 * The line a miner prints when it stops: blocks found, rounds, time and rewards — and, when it
 * gave up on a block (`--max-rounds`), which block and how far from its target it was.
 *
 * @module
 */
import { formatRnt } from "../../core/primitives/amount.ts";
import type { MiningSummary } from "./block_miner.ts";

function duration(secs: number): string {
  const s = Math.round(secs);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

function nats(microNats: number): string {
  return Number.isFinite(microNats) ? (microNats / 1e6).toFixed(4) : "–";
}

/**
 * One line summing up a mining run.
 *
 * @example
 * ```ts
 * import { formatMiningSummary } from "./mining_summary.ts";
 * console.log(formatMiningSummary({
 *   blocks: 3, rejected: 0, rounds: 4, steps: 40, secs: 9.6, rewardResonances: 30_000_000_000n,
 * }));
 * // mining stopped: 3 blocks found in 4 rounds (40 steps), 10s, rewards 300.00000000 RNT
 * ```
 */
export function formatMiningSummary(summary: MiningSummary): string {
  const rejected = summary.rejected > 0 ? ` (${summary.rejected} rejected)` : "";
  const line = `mining stopped: ${summary.blocks} block${summary.blocks === 1 ? "" : "s"} ` +
    `found${rejected} in ${summary.rounds} round${summary.rounds === 1 ? "" : "s"} ` +
    `(${summary.steps} steps), ${duration(summary.secs)}, ` +
    `rewards ${formatRnt(summary.rewardResonances)} RNT`;
  const g = summary.gaveUp;
  if (!g) return line;
  return `${line}; gave up on block ${g.height} after ${g.rounds} rounds (--max-rounds): ` +
    `best val ${nats(g.bestMicroNats)}, needed ${nats(g.targetMicroNats)}`;
}

/**
 * The log line of a branch the node does not switch to although it has more work than the tip,
 * because it does not clear the reorganisation margin its depth owes (PROTOCOL §6.3). An
 * operator seeing it knows a deep competing branch exists and by how much it falls short.
 *
 * @module
 */
import type { ReorgRefusal } from "../core/chain/chainstate.ts";
import { toHex } from "../core/crypto/keccak.ts";

/**
 * One line for debug.log.
 *
 * @example
 * ```ts ignore
 * logger.log(reorgRefusedLine(refusal));
 * ```
 */
export function reorgRefusedLine(r: ReorgRefusal): string {
  const needed = r.tip.chainWork + r.marginWork;
  return `refused reorg to branch tip ${toHex(r.branchTip.hash)} height=${r.branchTip.height}: ` +
    `it would disconnect ${r.depth} blocks and has work ${r.branchTip.chainWork}, more than the ` +
    `tip's ${r.tip.chainWork} but not more than the ${needed} a ${r.depth}-block reorg needs ` +
    `(margin ${r.marginWork})`;
}

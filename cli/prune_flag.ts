/**
 * `rnt node --prune N`: keep the checkpoints of the last N blocks (PROTOCOL §6.4). 0 keeps all
 * (archive); otherwise N must exceed the network's `maxReorgDepth`, except on regtest, where any
 * N ≥ 2 is allowed so tests can exercise pruning (and sync across pruned checkpoints, §8.10)
 * with short chains. The node also uses N as the depth below the best header from which a block
 * whose checkpoint every peer pruned is accepted without it.
 *
 * @module
 */
import type { ChainstateOptions } from "../core/chain/chainstate.ts";
import { type ParsedArgs, stringFlag } from "./command.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";

/** The chainstate options `--prune` asks for (empty without the flag: the network default). */
export function pruneFlag(args: ParsedArgs, params: NetworkParams): ChainstateOptions {
  const v = stringFlag(args, "prune");
  if (v === undefined) return {};
  const n = /^\d{1,9}$/.test(v) ? Number(v) : NaN;
  const regtest = params.name === "regtest";
  const min = regtest ? 2 : params.maxReorgDepth + 1;
  if (!(n === 0 || n >= min)) {
    throw new UsageError(`--prune must be 0 (keep all) or at least ${min}, got '${v}'`);
  }
  return { prune: n, ...(regtest && n <= params.maxReorgDepth ? { shallowPrune: true } : {}) };
}

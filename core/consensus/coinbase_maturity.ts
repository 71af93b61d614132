/**
 * Coinbase maturity (PROTOCOL §5.6): a coinbase output may be spent only in a block at least
 * `coinbaseMaturity` blocks above the one that created it. The one definition: consensus, the
 * mempool, the block assembler and both wallets (CLI and RPC) ask this function.
 *
 * @module
 */
import type { UtxoEntry } from "./chain_entry.ts";
import type { NetworkParams } from "./params.ts";

/**
 * Whether an output created at `entry.height` (by a coinbase when `entry.coinbase`) may be spent
 * in a block at `spendHeight` (a transaction for the mempool goes in tip + 1). Non-coinbase
 * outputs are always mature.
 *
 * @example
 * ```ts
 * import { isMature } from "./coinbase_maturity.ts";
 * import { REGTEST } from "./params.ts"; // coinbaseMaturity 10
 * console.log(isMature({ coinbase: true, height: 5 }, 14, REGTEST)); // false
 * console.log(isMature({ coinbase: true, height: 5 }, 15, REGTEST)); // true
 * ```
 */
export function isMature(
  entry: Pick<UtxoEntry, "coinbase" | "height">,
  spendHeight: number,
  params: Pick<NetworkParams, "coinbaseMaturity">,
): boolean {
  return !entry.coinbase || spendHeight - entry.height >= params.coinbaseMaturity;
}

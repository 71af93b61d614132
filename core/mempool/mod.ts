/**
 * The mempool: relay policy, consensus validation against the chain tip, fee-rate templates,
 * a size cap with eviction, conflict rejection, and following the chain's tip changes.
 *
 * @example Not run as a doc test: it needs an open chainstate and signed transactions.
 * ```ts ignore
 * import { Mempool } from "./mod.ts";
 * const pool = new Mempool(chainstate, { maxBytes: 32 << 20 });
 * chainstate.onTipChange((change) => pool.handleTipChange(change));
 * const { feeResonances } = await pool.acceptTx(txBytes);
 * const txs = pool.getTemplateTxs(params.maxBlockBytes - 4096);
 * ```
 *
 * @module
 */
export {
  Mempool,
  type MempoolChain,
  type MempoolEntry,
  type MempoolOptions,
  type MempoolTipChange,
} from "./mempool.ts";
export { checkRelayFee, checkStandard, type RelayPolicy } from "./standardness.ts";
export { UnbroadcastSet } from "./unbroadcast.ts";

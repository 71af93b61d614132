/**
 * Chain state (PROTOCOL.md §6): the block index, active chain, UTXO set and undo data on
 * LevelDB (classic-level), checkpoint files, fork choice (lowest tip loss, first seen on ties,
 * bounded reorg depth), atomic connect/disconnect and checkpoint pruning.
 *
 * Needs `--allow-ffi --allow-read --allow-write --allow-env` (LevelDB is a native addon).
 *
 * @example Not run as a doc test: it needs a model evaluator, validation data and mined blocks.
 * ```ts ignore
 * import { Chainstate } from "./mod.ts";
 * import { REGTEST } from "../consensus/params.ts";
 * const cs = await Chainstate.open("/tmp/rnt-regtest", REGTEST, evaluator, validation, {
 *   nowSecs: () => Math.floor(Date.now() / 1000),
 * });
 * cs.onTipChange((change) => console.log("tip", change.tip.height));
 * const { status } = await cs.acceptBlock(blockBytes, checkpointBytes); // "connected" | …
 * await cs.close();
 * ```
 *
 * @module
 */
export {
  type AcceptOptions,
  type AcceptResult,
  type ChainBlock,
  type ChainClock,
  Chainstate,
  type ChainstateOptions,
  type ChainTip,
  type TipChange,
} from "./chainstate.ts";
export { BlockStatus, type IndexRecord, type UndoData } from "./records.ts";
export { CheckpointFiles } from "./checkpoint_files.ts";
export { coinKey, outPointFromKey, Prefix, STORE_VERSION } from "./keys.ts";

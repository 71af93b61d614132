/**
 * The block explorer a node serves with `rnt node --explorer[=PORT]`: a page to watch the model
 * learn (loss, model size, reward and supply by height, live as blocks arrive) and to look up
 * blocks, transactions, addresses (with when their coins return to emission), the mempool, the
 * peers and the model, generating a sample from the tip's checkpoint.
 *
 * @example
 * ```ts
 * import { defaultExplorerPort } from "./mod.ts";
 * console.log(defaultExplorerPort("testnet")); // 19556
 * ```
 *
 * @module
 */
export { createExplorerApp, type Explorer, type ExplorerOptions, LOOPBACK_HOSTS } from "./app.ts";
export { type Asset, loadExplorerAssets } from "./assets.ts";
export {
  defaultExplorerPort,
  type ExplorerHandle,
  type ExplorerServerOptions,
  startExplorerServer,
} from "./server.ts";

/**
 * The node's RPC method table: blockchain, raw transactions, mempool, mining, control and
 * utility methods, declared without a node ({@linkcode NODE_METHODS}, which `rnt cli` reads for
 * parameter types) and registered on an RpcRegistry bound to one ({@linkcode registerNodeMethods}).
 *
 * @example
 * ```ts
 * import { nodeMethodParams } from "./mod.ts";
 * console.log(nodeMethodParams("getblockhash")?.[0]?.type); // number
 * ```
 *
 * @module
 */
import type { NetworkName } from "../../core/consensus/params.ts";
import type { RpcParam } from "../method.ts";
import type { RpcRegistry } from "../registry.ts";
import type { Node } from "../../node/node.ts";
import { ADDRESS_INDEX_METHODS } from "./address_index.ts";
import { BLOCKCHAIN_METHODS } from "./blockchain.ts";
import { CONTROL_METHODS } from "./control.ts";
import { LIGHTNING_METHODS } from "./lightning.ts";
import { LOSS_HISTORY_METHODS } from "./loss_history.ts";
import { MEMPOOL_METHODS } from "./mempool.ts";
import { MINING_METHODS } from "./mining.ts";
import { NETWORK_METHODS } from "./network.ts";
import { bindNodeMethod, type NodeMethod } from "./node_method.ts";
import { RAW_TRANSACTION_METHODS } from "./rawtransactions.ts";
import { WALLET_METHODS } from "./wallet.ts";
import { UTXO_SET_METHODS } from "./utxo_set.ts";

export { bindNodeMethod, type NodeMethod } from "./node_method.ts";

/** Every node method (some registered on regtest only). */
export const NODE_METHODS: readonly NodeMethod[] = [
  ...BLOCKCHAIN_METHODS,
  ...LOSS_HISTORY_METHODS,
  ...UTXO_SET_METHODS,
  ...RAW_TRANSACTION_METHODS,
  ...MEMPOOL_METHODS,
  ...MINING_METHODS,
  ...CONTROL_METHODS,
  ...NETWORK_METHODS,
  ...ADDRESS_INDEX_METHODS,
  ...WALLET_METHODS,
  ...LIGHTNING_METHODS,
];

/** The declared parameters of a node method (or `help`), for `rnt cli`'s argument typing. */
export function nodeMethodParams(name: string): readonly RpcParam[] | undefined {
  if (name === "help") {
    return [{ name: "command", type: "string", required: false, description: "" }];
  }
  return NODE_METHODS.find((m) => m.name === name)?.params;
}

/** Registers the methods of `network` on `registry`, bound to `node`. */
export function registerNodeMethods(
  registry: RpcRegistry,
  node: Node,
  network: NetworkName = node.params.name,
): RpcRegistry {
  for (const method of NODE_METHODS) {
    if (method.networks && !method.networks.includes(network)) continue;
    registry.register(bindNodeMethod(method, node));
  }
  return registry;
}

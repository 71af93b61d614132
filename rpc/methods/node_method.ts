/**
 * A node RPC method declared apart from any running node: its parameters and help are plain data
 * (so `rnt cli` can read which parameters are strings without a node), and `run` receives the
 * Node. {@linkcode bindNodeMethod} turns one into an {@linkcode RpcMethod} for the registry.
 *
 * @module
 */
import type { RpcContext, RpcMethod } from "../method.ts";
import type { Node } from "../../node/node.ts";

/** A method of the node's RPC table. */
export interface NodeMethod extends Omit<RpcMethod, "handler"> {
  /** Only registered on these networks (default all). */
  networks?: readonly ("mainnet" | "testnet" | "regtest")[];
  /** Runs the call against `node`. */
  run(node: Node, params: unknown[], context: RpcContext): unknown;
}

/** The registry form of `method`, bound to `node`. */
export function bindNodeMethod(method: NodeMethod, node: Node): RpcMethod {
  const { run, networks: _networks, ...rest } = method;
  return { ...rest, handler: (params, context) => run(node, params, context) };
}

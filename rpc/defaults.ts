/**
 * RPC defaults shared by the server and `rnt cli`: the loopback host, each network's RPC port
 * (from the consensus params table, DESIGN.md §2) and the data directory `~/.rnt/<network>`.
 *
 * @module
 */
import { type NetworkName, NETWORKS } from "../core/consensus/params.ts";

export type { NetworkName } from "../core/consensus/params.ts";

/** Default RPC host: the node binds loopback only. */
export const DEFAULT_RPC_HOST = "127.0.0.1";

/**
 * The default JSON-RPC port of a network: 9554, 19554, 29554.
 *
 * @example
 * ```ts
 * import { defaultRpcPort } from "./defaults.ts";
 * console.log(defaultRpcPort("regtest")); // 29554
 * ```
 */
export function defaultRpcPort(network: NetworkName): number {
  return NETWORKS[network].rpcPort;
}

/**
 * The default data directory `<home>/.rnt/<network>`; `home` defaults to $HOME (or
 * $USERPROFILE). Throws TypeError when neither is set.
 *
 * @example
 * ```ts
 * import { defaultDatadir } from "./defaults.ts";
 * console.log(defaultDatadir("regtest", "/home/ann")); // /home/ann/.rnt/regtest
 * ```
 */
export function defaultDatadir(network: NetworkName, home?: string): string {
  const base = home ?? Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (base === undefined || base === "") {
    throw new TypeError("Cannot find the home directory: set HOME or pass --datadir");
  }
  return `${base.replace(/\/+$/, "")}/.rnt/${network}`;
}

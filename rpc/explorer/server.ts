/**
 * Serving the explorer: `Deno.serve` on 127.0.0.1 by default (the explorer has no login), and a
 * shutdown that first ends the open event streams so it never waits on a page left open.
 *
 * @module
 */
import type { NetworkName } from "../../core/consensus/params.ts";
import { NETWORKS } from "../../core/consensus/params.ts";
import type { Node } from "../../node/node.ts";
import { loadExplorerAssets } from "./assets.ts";
import { createExplorerApp, type ExplorerOptions } from "./app.ts";

/**
 * The default explorer port of a network: its RPC port + 2 (9556, 19556, 29556).
 *
 * @example
 * ```ts
 * import { defaultExplorerPort } from "./server.ts";
 * console.log(defaultExplorerPort("regtest")); // 29556
 * ```
 */
export function defaultExplorerPort(network: NetworkName): number {
  return NETWORKS[network].rpcPort + 2;
}

/** Where and how to serve. */
export interface ExplorerServerOptions extends Omit<ExplorerOptions, "assets"> {
  /** Port; 0 picks a free one. */
  readonly port: number;
  /** Address to bind (default 127.0.0.1). */
  readonly hostname?: string;
}

/** A running explorer. */
export interface ExplorerHandle {
  /** The bound address. */
  readonly hostname: string;
  /** The bound port. */
  readonly port: number;
  /** `http://host:port/`. */
  readonly url: string;
  /** Ends the event streams, stops accepting and finishes in-flight requests. */
  shutdown(): Promise<void>;
}

/** Starts the explorer for `node`; throws Deno.errors.AddrInUse when the port is taken. */
export async function startExplorerServer(
  node: Node,
  options: ExplorerServerOptions,
): Promise<ExplorerHandle> {
  const assets = await loadExplorerAssets();
  const explorer = createExplorerApp(node, { ...options, assets });
  const hostname = options.hostname ?? "127.0.0.1";
  let server: Deno.HttpServer;
  try {
    server = Deno.serve({
      hostname,
      port: options.port,
      onListen: () => {},
      onError: (e) => {
        options.onError?.(e, "");
        return new Response("Internal error\n", { status: 500 });
      },
    }, (request) => explorer.app.fetch(request));
  } catch (e) {
    explorer.close();
    throw e;
  }
  const addr = server.addr as Deno.NetAddr;
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  let stopping: Promise<void> | undefined;
  return {
    hostname: addr.hostname,
    port: addr.port,
    url: `http://${host}:${addr.port}/`,
    shutdown() {
      stopping ??= (async () => {
        explorer.close();
        await server.shutdown();
      })();
      return stopping;
    },
  };
}

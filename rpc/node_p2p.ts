/**
 * Starts the node's P2P side from `rnt node` flags: `--port`, `--listen` (an address to bind,
 * `0` for none; default 127.0.0.1 on regtest, 0.0.0.0 elsewhere), `--connect` (only these
 * peers), `--addnode`, `--seednode`, `--maxconnections` (inbound cap), `--proxy host:port`
 * (SOCKS5, Tor); `--connect 0` makes no outbound connections at all. Loads or creates `<datadir>/node.key`.
 * Blocks whose checkpoints every peer pruned are accepted without them when they lie at least the
 * node's own prune depth (`keepCheckpoints` by default, also for archive nodes) below the best
 * header (PROTOCOL §8.10).
 *
 * @module
 */
import { intFlag, type ParsedArgs, stringFlag } from "../core/cli/command.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { UsageError } from "../core/errors.ts";
import { loadOrCreateNodeKey, parseTarget, PeerManager } from "../net/node_net/mod.ts";
import type { SyncNode } from "../net/sync/mod.ts";

function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== "string") throw new UsageError(`option --${name} needs a value`);
  return [v];
}

/** What {@linkcode startNodeP2p} needs besides the flags. */
export interface NodeP2pContext {
  /** The node. */
  readonly node: SyncNode;
  /** Data directory (node.key, peers.dat, banlist.json). */
  readonly datadir: string;
  /** P2P port (`--port` or the network's default). */
  readonly port: number;
}

/** Builds and starts the peer manager; validates every flag first (UsageError). */
export async function startNodeP2p(args: ParsedArgs, ctx: NodeP2pContext): Promise<PeerManager> {
  const { node, datadir, port } = ctx;
  const defaultPort = node.params.p2pPort;
  const connectList = listFlag(args, "connect");
  // `--connect 0` (Core's -noconnect): no automatic outbound connections at all.
  const noAutoConnect = connectList.includes("0");
  const connect = connectList.filter((t) => t !== "0").map((t) => parseTarget(t, defaultPort));
  const addnode = listFlag(args, "addnode").map((t) => parseTarget(t, defaultPort));
  const seednode = listFlag(args, "seednode").map((t) => parseTarget(t, defaultPort));
  const maxInbound = intFlag(args, "maxconnections", 125, 0, 10_000);
  const proxyText = stringFlag(args, "proxy");
  const proxy = proxyText === undefined ? undefined : parseTarget(proxyText, 9050);
  const listenText = stringFlag(args, "listen") ??
    (node.params.name === "regtest" ? "127.0.0.1" : "0.0.0.0");
  const listen = listenText === "0" ? undefined : {
    hostname: listenText === "1" ? "0.0.0.0" : listenText,
    port,
  };
  const identity = await loadOrCreateNodeKey(datadir);
  const manager = new PeerManager({
    node,
    identity,
    datadir,
    ...(listen ? { listen } : {}),
    connect,
    noAutoConnect,
    addnode,
    seednode,
    maxInbound,
    sync: { assumePrunedDepth: node.chainstate.pruneDepth || node.params.keepCheckpoints },
    ...(proxy ? { proxy: { hostname: proxy.host, port: proxy.port } } : {}),
  });
  node.logger.log(`p2p: node id ${toHex(identity.publicKey)}`);
  try {
    await manager.start();
  } catch (e) {
    if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    node.logger.log(`error: P2P port ${port} is in use (another node? use --port)`);
    throw new Error(`P2P port ${port} is in use`);
  }
  if (connect.length > 0) {
    node.logger.log(
      `p2p: connecting only to ${connect.map((t) => `${t.host}:${t.port}`).join(", ")}`,
    );
  }
  return manager;
}

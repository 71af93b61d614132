/**
 * Starts the node's P2P side from options the command line decided (`cli/node_p2p_flags.ts` reads
 * them from `rnt node`'s flags). Loads or creates `<datadir>/node.key`.
 * Blocks whose checkpoints every peer pruned are accepted without them when they lie at least the
 * node's own prune depth (`keepCheckpoints` by default, also for archive nodes) below the best
 * header (PROTOCOL §8.10).
 *
 * @module
 */
import { toHex } from "../core/crypto/keccak.ts";
import { loadOrCreateNodeKey, PeerManager, type PeerTarget } from "../net/connman/mod.ts";
import type { SyncNode } from "../net/sync/mod.ts";

/** The P2P choices of one node (from `rnt node`'s flags). */
export interface NodeP2pOptions {
  /** Only these peers (`--connect`). */
  readonly connect: readonly PeerTarget[];
  /** No automatic outbound connections at all (`--connect 0`). */
  readonly noAutoConnect: boolean;
  /** Extra peers to keep connected (`--addnode`). */
  readonly addnode: readonly PeerTarget[];
  /** Peers asked for addresses once (`--seednode`). */
  readonly seednode: readonly PeerTarget[];
  /** DNS seeds (the network's, and `--dnsseed NAME`). */
  readonly dnsSeeds?: readonly PeerTarget[];
  /** Fixed seeds (the network's). */
  readonly fixedSeeds?: readonly PeerTarget[];
  /** Inbound connection cap (`--maxconnections`). */
  readonly maxInbound: number;
  /** SOCKS5 proxy (`--proxy`). */
  readonly proxy?: PeerTarget;
  /** Address to listen on; undefined for none (`--listen 0`). */
  readonly listenHost?: string;
}

/** What {@linkcode startNodeP2p} needs besides the options. */
export interface NodeP2pContext {
  /** The node. */
  readonly node: SyncNode;
  /** Data directory (node.key, peers.dat, banlist.json). */
  readonly datadir: string;
  /** P2P port (`--port` or the network's default). */
  readonly port: number;
}

/** Builds and starts the peer manager. */
export async function startNodeP2p(
  options: NodeP2pOptions,
  ctx: NodeP2pContext,
): Promise<PeerManager> {
  const { node, datadir, port } = ctx;
  const { connect, noAutoConnect, addnode, seednode, maxInbound, proxy } = options;
  const listen = options.listenHost === undefined
    ? undefined
    : { hostname: options.listenHost, port };
  const identity = await loadOrCreateNodeKey(datadir);
  const manager = new PeerManager({
    node,
    identity,
    datadir,
    ...(listen ? { listen } : {}),
    connect: [...connect],
    noAutoConnect,
    addnode: [...addnode],
    seednode: [...seednode],
    dnsSeeds: [...options.dnsSeeds ?? []],
    fixedSeeds: [...options.fixedSeeds ?? []],
    maxInbound,
    // Regtest nodes are tests and local networks: their own transactions go out again quickly.
    rebroadcastMs: node.params.name === "regtest" ? 2000 : 30_000,
    sync: { assumePrunedDepth: node.chainstate.pruneDepth || node.params.keepCheckpoints },
    ...(proxy ? { proxy: { hostname: proxy.host, port: proxy.port } } : {}),
  });
  node.logger.log(`p2p: node id ${toHex(identity.publicKey)}`);
  try {
    await manager.start();
  } catch (e) {
    if (!(e instanceof Deno.errors.AddrInUse)) throw e;
    // Said once, by whoever reports the startup failure (it is logged there).
    throw new Error(`P2P port ${port} is in use (another node? use --port)`);
  }
  if (connect.length > 0) {
    node.logger.log(
      `p2p: connecting only to ${connect.map((t) => `${t.host}:${t.port}`).join(", ")}`,
    );
  }
  return manager;
}

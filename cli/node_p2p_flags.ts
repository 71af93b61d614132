/**
 * Reads `rnt node`'s P2P flags into {@linkcode NodeP2pOptions}: `--listen` (an address to bind,
 * `0` for none; default 127.0.0.1 on regtest, 0.0.0.0 elsewhere), `--connect` (only these peers;
 * `--connect 0` makes no outbound connections at all), `--addnode`, `--seednode`,
 * `--dnsseed NAME[:PORT]` (another DNS seed; `--dnsseed 0` skips the network's), the network's
 * fixed seeds, `--maxconnections` (inbound cap), `--proxy host:port` (SOCKS5, Tor). Every flag is validated
 * here (UsageError), before the node starts anything.
 *
 * @module
 */
import type { NetworkParams } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import { parseTarget } from "../net/connman/mod.ts";
import type { NodeP2pOptions } from "../node/node_p2p.ts";
import { intFlag, type ParsedArgs, stringFlag } from "./command.ts";

function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.map(String);
  if (typeof v !== "string") throw new UsageError(`option --${name} needs a value`);
  return [v];
}

/** The P2P options `args` ask for on the network of `params`; throws UsageError on a bad flag. */
export function nodeP2pOptions(args: ParsedArgs, params: NetworkParams): NodeP2pOptions {
  const defaultPort = params.p2pPort;
  const connectList = listFlag(args, "connect");
  const connect = connectList.filter((t) => t !== "0").map((t) => parseTarget(t, defaultPort));
  const addnode = listFlag(args, "addnode").map((t) => parseTarget(t, defaultPort));
  const seednode = listFlag(args, "seednode").map((t) => parseTarget(t, defaultPort));
  const dnsList = listFlag(args, "dnsseed");
  const dnsSeeds = [
    ...(dnsList.includes("0") ? [] : params.dnsSeeds),
    ...dnsList.filter((t) => t !== "0" && t !== "1"),
  ].map((t) => parseTarget(t, defaultPort));
  const fixedSeeds = params.fixedSeeds.map((t) => parseTarget(t, defaultPort));
  const maxInbound = intFlag(args, "maxconnections", 125, 0, 10_000);
  const proxyText = stringFlag(args, "proxy");
  const listenText = stringFlag(args, "listen") ??
    (params.name === "regtest" ? "127.0.0.1" : "0.0.0.0");
  return {
    connect,
    // `--connect 0` (Core's -noconnect): no automatic outbound connections at all.
    noAutoConnect: connectList.includes("0"),
    addnode,
    seednode,
    dnsSeeds,
    fixedSeeds,
    maxInbound,
    ...(proxyText === undefined ? {} : { proxy: parseTarget(proxyText, 9050) }),
    ...(listenText === "0" ? {} : { listenHost: listenText === "1" ? "0.0.0.0" : listenText }),
  };
}

/**
 * Network RPC methods (Core shapes): getpeerinfo, getnetworkinfo, getconnectioncount, addnode,
 * disconnectnode, setban, listbanned, clearbanned. They reach the node's peer manager through
 * {@linkcode attachPeerManager} (the node runs without one in in-process tests: then -31-style
 * "P2P disabled" errors).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { parseTarget, type PeerManager } from "../../net/connman/mod.ts";
import { parseHost } from "../../net/wire/mod.ts";
import { RpcCode } from "../error_codes.ts";
import type { Node } from "../../node/node.ts";
import type { NodeMethod } from "./node_method.ts";
import { amountJson } from "./format.ts";

const managers = new WeakMap<Node, PeerManager>();

/** Makes `manager` the peer manager the network methods of `node` use. */
export function attachPeerManager(node: Node, manager: PeerManager): void {
  managers.set(node, manager);
}

function pm(node: Node): PeerManager {
  const m = managers.get(node);
  if (!m) throw new RpcError(-31, "Error: Peer-to-peer functionality missing or disabled");
  return m;
}

function serviceNames(services: bigint): string[] {
  const out: string[] = [];
  if (services & 1n) out.push("NETWORK");
  if (services & 2n) out.push("CHECKPOINTS");
  if (services & 4n) out.push("LIGHTNING");
  return out;
}

function parseBanHost(value: unknown): string {
  const text = String(value).replace(/\/(32|128)$/, "");
  if (!parseHost(text, 0) || text.endsWith(".onion")) {
    throw new RpcError(RpcCode.CLIENT_INVALID_IP_OR_SUBNET, "Error: Invalid IP/Subnet");
  }
  return text;
}

/** The network methods. */
export const NETWORK_METHODS: readonly NodeMethod[] = [
  {
    name: "getconnectioncount",
    category: "network",
    params: [],
    help: "Returns the number of connections to other nodes.",
    run: (node) => pm(node).peers().length,
  },
  {
    name: "getpeerinfo",
    category: "network",
    params: [],
    help: "Returns data about each connected network peer as a json array of objects.",
    run: (node) =>
      pm(node).connections().map(({ peer, kind }) => ({
        id: peer.id,
        addr: peer.address,
        network: peer.host.endsWith(".onion") ? "onion" : peer.host.includes(":") ? "ipv6" : "ipv4",
        nodeid: peer.nodeId,
        services: (peer.version?.services ?? 0n).toString(16).padStart(16, "0"),
        servicesnames: serviceNames(peer.version?.services ?? 0n),
        lastsend: peer.lastSendSecs,
        lastrecv: peer.lastRecvSecs,
        bytessent: peer.bytesSent,
        bytesrecv: peer.bytesRecv,
        conntime: peer.connectedSecs,
        pingtime: peer.pingMs === undefined ? undefined : peer.pingMs / 1000,
        version: peer.version?.protocolVersion ?? 0,
        subver: peer.version?.userAgent ?? "",
        inbound: peer.inbound,
        connection_type: kind === "inbound"
          ? "inbound"
          : kind === "outbound"
          ? "outbound-full-relay"
          : kind === "seed"
          ? "addr-fetch"
          : "manual",
        startingheight: peer.version?.bestHeight ?? 0,
        startingtiphash: peer.version ? toHex(peer.version.tipHash) : "",
        last_block: peer.lastBlockSecs,
      })),
  },
  {
    name: "getnetworkinfo",
    category: "network",
    params: [],
    help: "Returns an object containing various state info regarding P2P networking.",
    run: (node) => {
      const m = pm(node);
      const conns = m.connections();
      const inbound = conns.filter((c) => c.peer.inbound).length;
      return {
        version: 1,
        subversion: "/rnt:0.1.0/",
        protocolversion: 1,
        localservices: "0000000000000003",
        localservicesnames: ["NETWORK", "CHECKPOINTS"],
        localrelay: true,
        networkactive: m.networkActive,
        connections: conns.length,
        connections_in: inbound,
        connections_out: conns.length - inbound,
        nodeid: toHex(m.nodeId),
        listenport: m.listenPort ?? 0,
        addrman: m.addrMan.counts,
        // Core reports the same value as getmempoolinfo's minrelaytxfee (coins per kvB).
        relayfee: amountJson(node.params.minRelayFeePerByte * 1000n),
        warnings: [],
      };
    },
  },
  {
    name: "addnode",
    category: "network",
    params: [
      { name: "node", type: "string", required: true, description: "The node (host:port)" },
      {
        name: "command",
        type: "string",
        required: true,
        description: "'add' to keep it connected, 'remove' to stop, 'onetry' to connect once",
      },
    ],
    help: "Attempts to add or remove a node from the addnode list, or to try a connection once.",
    run: async (node, [target, command]) => {
      const m = pm(node);
      let t;
      try {
        t = parseTarget(String(target), node.params.p2pPort);
      } catch (e) {
        throw new RpcError(RpcCode.INVALID_PARAMETER, (e as Error).message);
      }
      if (command === "add") {
        if (!m.addNode(t)) {
          throw new RpcError(-23, "Error: Node already added");
        }
      } else if (command === "remove") {
        if (!m.removeNode(t)) throw new RpcError(-24, "Error: Node could not be removed.");
      } else if (command === "onetry") {
        await m.connectTo(t, "onetry").catch(() => {});
      } else {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "command must be add, remove or onetry");
      }
      return null;
    },
  },
  {
    name: "disconnectnode",
    category: "network",
    params: [
      { name: "address", type: "string", required: false, description: "The peer's address" },
      { name: "nodeid", type: "number", required: false, description: "The peer's id" },
    ],
    help: "Immediately disconnects from the specified peer node (by address or by id).",
    run: (node, [address, nodeid]) => {
      const hasAddr = typeof address === "string" && address !== "";
      if (hasAddr === (typeof nodeid === "number")) {
        throw new RpcError(
          RpcCode.INVALID_PARAMETER,
          "Only one of address and nodeid should be provided.",
        );
      }
      const ok = pm(node).disconnectNode(
        hasAddr ? { address: address as string } : { id: nodeid as number },
      );
      if (!ok) {
        throw new RpcError(RpcCode.CLIENT_NODE_NOT_CONNECTED, "Node not found in connected nodes");
      }
      return null;
    },
  },
  {
    name: "setban",
    category: "network",
    params: [
      { name: "subnet", type: "string", required: true, description: "The IP address" },
      { name: "command", type: "string", required: true, description: "'add' or 'remove'" },
      { name: "bantime", type: "number", required: false, description: "Seconds (default 24 h)" },
      {
        name: "absolute",
        type: "boolean",
        required: false,
        description: "bantime is an absolute Unix time",
      },
    ],
    help: "Attempts to add or remove an IP address from the banned list.",
    run: (node, [subnet, command, bantime, absolute]) => {
      const m = pm(node);
      const host = parseBanHost(subnet);
      if (command === "add") {
        if (m.bans.isBanned(host)) {
          throw new RpcError(-23, "Error: IP/Subnet already banned");
        }
        let secs = typeof bantime === "number" && bantime > 0 ? Math.floor(bantime) : 86_400;
        if (absolute === true) secs = Math.floor(bantime as number) - Math.floor(Date.now() / 1000);
        if (secs <= 0) {
          throw new RpcError(RpcCode.INVALID_PARAMETER, "Error: Absolute timestamp is in the past");
        }
        m.ban(host, secs);
      } else if (command === "remove") {
        if (!m.unban(host)) {
          throw new RpcError(
            RpcCode.CLIENT_INVALID_IP_OR_SUBNET,
            "Error: Unban failed. Requested address/subnet was not previously manually banned.",
          );
        }
      } else {
        throw new RpcError(RpcCode.INVALID_PARAMETER, "command must be add or remove");
      }
      return null;
    },
  },
  {
    name: "listbanned",
    category: "network",
    params: [],
    help: "List all manually banned IPs/subnets and discouraged peers.",
    run: (node) =>
      pm(node).bans.list().map((b) => ({
        address: b.address,
        ban_created: b.createdSecs,
        banned_until: b.untilSecs,
        ban_duration: b.untilSecs - b.createdSecs,
        time_remaining: b.untilSecs - Math.floor(Date.now() / 1000),
        reason: b.reason,
      })),
  },
  {
    name: "clearbanned",
    category: "network",
    params: [],
    help: "Clear all banned IPs.",
    run: (node) => {
      pm(node).clearBans();
      return null;
    },
  },
];

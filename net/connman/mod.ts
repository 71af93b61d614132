/**
 * The node's P2P side: the peer manager (listening, outbound connections, proxy, address relay,
 * bans) over the block sync, the node key file and peer target parsing.
 *
 * @module
 */
export { loadOrCreateNodeKey, NODE_KEY_FILE } from "./node_key.ts";
export { type ConnectionKind, PeerManager, type PeerManagerOptions } from "./peer_manager.ts";
export { formatTarget, parseTarget, type PeerTarget } from "./target.ts";

/**
 * What the Lightning service hands its two helpers that run beside the channels: the gossip
 * service (gossip_service.ts) and the channel heartbeat (funding_refresher.ts). Each gets the
 * node, the chain and the service's own operations as plain functions.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import {
  encodeRefreshMessage,
  type RefreshMessage,
} from "../../core/lightning/refresh_messages.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { submit } from "./channel_steps.ts";
import { GossipChain } from "./gossip_chain.ts";
import { announceDepthFor, gossipQueryIntervalFor, GossipService } from "./gossip_service.ts";
import type { GraphStore } from "./graph_store.ts";
import type { ServiceCore } from "./service_core.ts";

/** Starts the node's gossip over `store` for the service of `core`. */
export function startGossip(
  core: ServiceCore,
  nodeSeed: Uint8Array,
  store: GraphStore,
  connectedPeers: () => string[],
): Promise<GossipService> {
  const chain = new GossipChain(core.node.chainstate, core.node.params.magic);
  return GossipService.start({
    magic: core.node.params.magic,
    nodeId: core.transport.nodeId,
    nodeSeed,
    announceDepth: announceDepthFor(core.node.params),
    queryIntervalSecs: gossipQueryIntervalFor(core.node.params),
    store,
    send: (peerId, id, payload) => core.peer(peerId)?.send({ type: "ln", id, payload }),
    penalise: (peerId, misbehavior) =>
      core.peer(peerId)?.disconnect(misbehavior.message, misbehavior),
    peers: connectedPeers,
    channels: () => core.channels.values(),
    fundingAt: (scid) => chain.fundingAt(scid),
    positionOf: (outpoint) => chain.positionOf(outpoint),
    tipHeight: () => core.node.chainstate.tip().height,
    log: (line) => core.log(line),
  });
}

/**
 * What the funding refresher uses of the service and the node; `forceClose` is the service's
 * (it runs in the service's queue).
 */
export function refreshHostOf(
  core: ServiceCore,
  forceClose: (channelId: string) => Promise<unknown>,
) {
  const node = core.node;
  return {
    magic: node.params.magic,
    emissionReturnAgeSecs: node.params.emissionReturnAgeSecs,
    tipMtpSecs: () => node.chainstate.tip().mtpSecs,
    confirmations: async (id: Uint8Array) => {
      const block = await node.txBlock(id);
      const entry = block && node.chainstate.getEntry(block);
      return entry ? node.chainstate.tip().height - entry.height + 1 : 0;
    },
    pooled: (id: Uint8Array) => node.mempool.has(id),
    submit: (tx: Tx, what: string) => submit(core, tx, what),
    save: (r: ChannelRecord) => core.save(r),
    send: (peerId: string, m: RefreshMessage) => {
      const { id, payload } = encodeRefreshMessage(m);
      core.peer(peerId)?.send({ type: "ln", id, payload });
    },
    forceClose: (channelId: Uint8Array, why: string) => {
      core.log(`force closing channel ${toHex(channelId)}: ${why}`);
      forceClose(toHex(channelId)).catch((e) =>
        core.log(`force close of ${toHex(channelId)} failed: ${(e as Error).message}`)
      );
    },
    log: (line: string) => core.log(line),
  };
}

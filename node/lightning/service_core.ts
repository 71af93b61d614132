/**
 * What the Lightning service's flows share of it (channel_opening.ts, payments.ts,
 * htlc_handling.ts, channel_updates.ts, channel_closing.ts, channel_chain_watch.ts): the node,
 * the transport and wallet it was given, its channels, and the few operations every flow needs
 * (the queue, saving a channel, sending to a peer, logging). lightning_service.ts builds the one
 * {@link ServiceCore} and owns its state; the flows only go through it.
 *
 * @module
 */
import type { AddressData } from "../../core/primitives/address.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import type { ChannelMessage } from "../../core/lightning/channel_messages.ts";
import type { OpenMessage } from "../../core/lightning/channel_open_messages.ts";
import type { Peer } from "../../net/peer/peer.ts";
import type { LnPeerHandler } from "../../net/connman/peer_manager.ts";
import type { PeerTarget } from "../../net/connman/target.ts";
import type { Node } from "../node.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import type { FundingRefresher } from "./funding_refresher.ts";
import type { GossipService } from "./gossip_service.ts";

/** The wallet side the service needs (the node's loaded wallet; injected by the RPC layer). */
export interface LnWallet {
  /** A signed transaction paying `value` resonances to `address` (not broadcast). */
  fundingTx(address: AddressData, value: bigint): Promise<Tx>;
  /** Records `tx` as the wallet's send and broadcasts it. */
  publish(tx: Tx): Promise<void>;
  /** A fresh receive address of the wallet. */
  newAddress(): Promise<AddressData>;
}

/** The P2P side the service needs (the node's PeerManager). */
export interface LnTransport {
  readonly nodeId: Uint8Array;
  readonly listenPort: number | undefined;
  peers(): Peer[];
  connectTo(target: PeerTarget, kind?: "manual" | "onetry"): Promise<Peer>;
  setLnHandler(handler: LnPeerHandler | undefined): void;
}

/** The service's state and operations its flows share (built by lightning_service.ts). */
export interface ServiceCore {
  readonly node: Node;
  readonly transport: LnTransport;
  readonly wallet: LnWallet;
  /** Every stored channel by id (hex), closed ones included. */
  readonly channels: Map<string, ChannelRecord>;
  /** The gossip service (undefined when the node does not gossip). */
  readonly gossip: GossipService | undefined;
  /** The channel heartbeat (undefined when channels are never refreshed). */
  readonly refresher: FundingRefresher | undefined;
  /** Runs `work` after every earlier step (the service's one queue). */
  enqueue<T>(work: () => Promise<T> | T): Promise<T>;
  /** Logs `line` as the service's ("ln: …"). */
  log(line: string): void;
  /** The ready connection to `peerId`, if any. */
  peer(peerId: string): Peer | undefined;
  /** Sends `message` to `peerId` (dropped when it is not connected: reestablish resends). */
  send(peerId: string, message: ChannelMessage | OpenMessage): void;
  /** Stores `record` (then `onStored`) and makes it the channel's current record. */
  save(record: ChannelRecord): Promise<void>;
}

/** Channels whose update protocol runs (reestablished on reconnection). */
export function live(r: ChannelRecord): boolean {
  return r.status === "awaiting-funding" || r.status === "normal" || r.status === "shutdown";
}

/**
 * Restoring channels from a static backup (PROTOCOL §9.10, static_backup.ts) on a node that lost
 * its Lightning state: each channel this node does not know is handed to the chain watcher as a
 * restored record (no commitments: the watcher claims our to_other output of whatever commitment
 * the peer publishes), then its peer is asked to close it — we connect to the address the backup
 * names and send a `channel_reestablish` at commitment 0 with no revocation, which proves nothing
 * and tells an honest peer that we lost our state; the peer then publishes its latest commitment
 * (channel_updates.ts, BOLT 2's option_data_loss_protect). Channels already known (to the service
 * or the watcher) are skipped.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import {
  type ChannelReestablish,
  encodeChannelMessage,
} from "../../core/lightning/channel_messages.ts";
import { parseTarget } from "../../net/connman/target.ts";
import type { PeerTarget } from "../../net/connman/target.ts";
import type { LnTransport } from "./service_core.ts";
import type { ChannelRecord } from "./channel_record.ts";
import { type BackupChannel, decodeStaticBackup, restoredRecord } from "./static_backup.ts";

/** The `channel_reestablish` of a side that lost its state of channel `channelId`. */
export function lostStateReestablish(channelId: Uint8Array): ChannelReestablish {
  return {
    type: "channel_reestablish",
    channelId,
    nextCommitmentNumber: 1n,
    nextRevocationNumber: 0n,
    yourLastPerCommitmentSecret: new Uint8Array(32),
    myCurrentPerCommitmentPoint: new Uint8Array(32),
  };
}

/** What restoring needs of the node. */
export interface RestoreDeps {
  /** The network's 4-byte magic. */
  readonly networkMagic: Uint8Array;
  /** Whether the Lightning service or the watcher already holds channel `channelId` (hex). */
  readonly known: (channelId: string) => Promise<boolean>;
  /** Adds restored records to the watcher's store (and lends the watcher their secrets). */
  readonly watch: (records: readonly ChannelRecord[]) => Promise<void>;
  /** Connects to `nodeId` at `address` (`host:port`) and sends `message`; throws when it cannot. */
  readonly sendTo: (nodeId: string, address: string, message: ChannelReestablish) => Promise<void>;
}

/** One channel of a restore, as reported. */
export interface RestoredChannel {
  /** Channel id (hex). */
  readonly channelId: string;
  /** The peer's node id (hex). */
  readonly peer: string;
  /** The peer's address from the backup ("" when none was known). */
  readonly address: string;
  /** Our funding value in resonances (the channel's capacity). */
  readonly capacityResonances: bigint;
  /** Whether the peer was reached and asked to close (restored channels only). */
  readonly askedToClose?: boolean;
  /** Why the peer could not be asked. */
  readonly error?: string;
}

/** What a restore did. */
export interface RestoreReport {
  /** Channels now watched, their peers asked to close. */
  readonly restored: RestoredChannel[];
  /** Channels this node already knew: left as they are. */
  readonly skipped: RestoredChannel[];
}

/**
 * Opens the backup `bytes` with `backupKey` (StaticBackupError when it is not a backup, another
 * format version, another wallet's or network's, or damaged: then nothing changes), watches the
 * unknown channels, and asks their peers to close them.
 */
export async function restoreChannels(
  bytes: Uint8Array,
  backupKey: Uint8Array,
  deps: RestoreDeps,
): Promise<RestoreReport> {
  const channels = decodeStaticBackup(bytes, backupKey, deps.networkMagic);
  const fresh: BackupChannel[] = [];
  const skipped: RestoredChannel[] = [];
  for (const c of channels) {
    if (await deps.known(toHex(c.channelId))) skipped.push(reportOf(c));
    else fresh.push(c);
  }
  // Watched before any peer is asked: its commitment may confirm in the next block.
  await deps.watch(fresh.map(restoredRecord));
  const restored: RestoredChannel[] = [];
  for (const c of fresh) {
    const peer = toHex(c.peerNodeKey);
    if (c.peerAddress === "") {
      restored.push({
        ...reportOf(c),
        askedToClose: false,
        error: "the backup has no address for this peer (it connected to us): wait for it",
      });
      continue;
    }
    try {
      await deps.sendTo(peer, c.peerAddress, lostStateReestablish(c.channelId));
      restored.push({ ...reportOf(c), askedToClose: true });
    } catch (e) {
      restored.push({ ...reportOf(c), askedToClose: false, error: (e as Error).message });
    }
  }
  return { restored, skipped };
}

/**
 * {@link RestoreDeps.sendTo} over the node's transport: `connect` (the service's, which also
 * remembers the address) then the message on the ready connection.
 */
export function transportSender(
  transport: Pick<LnTransport, "peers">,
  connect: (target: PeerTarget, expectedId: string) => Promise<string>,
  defaultPort: number,
): RestoreDeps["sendTo"] {
  return async (nodeId, address, message) => {
    await connect(parseTarget(address, defaultPort), nodeId);
    const peer = transport.peers().find((p) => p.nodeId === nodeId && p.ready);
    if (!peer) throw new Error(`peer ${nodeId.slice(0, 16)} disconnected`);
    const { id, payload } = encodeChannelMessage(message);
    peer.send({ type: "ln", id, payload });
  };
}

function reportOf(c: BackupChannel): RestoredChannel {
  return {
    channelId: toHex(c.channelId),
    peer: toHex(c.peerNodeKey),
    address: c.peerAddress,
    capacityResonances: c.fundingValue,
  };
}

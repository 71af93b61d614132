/**
 * What the node keeps about one channel besides the update protocol's state: its peer, where it
 * stands in its life (funding, open, closing, closed), the funding outpoint, the channel's own
 * secrets (funding seed and basepoint secrets: as sensitive as a wallet) and the close
 * transactions. The update protocol's state travels as `encodeChannelState` bytes (PROTOCOL §9.8).
 * Stored as one JSON document per channel (bytes as hex, scalars as decimal strings).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import {
  decodeChannelState,
  encodeChannelState,
} from "../../core/lightning/channel_state_codec.ts";
import type { ChannelState } from "../../core/lightning/channel_types.ts";

/** Where a channel stands. */
export type ChannelStatus =
  /** Commitments 0 are signed; the funding transaction is not deep enough yet. */
  | "awaiting-funding"
  /** Both sides sent `channel_ready`: updates flow. */
  | "normal"
  /** A `shutdown` was sent or received: no new HTLCs; the cooperative close is negotiated. */
  | "shutdown"
  /** The cooperative close is signed and broadcast, not yet confirmed. */
  | "closing"
  /** We published our latest commitment; our own output waits for `to_self_delay`. */
  | "force-closing"
  /** The funding output was spent by a transaction this node did not make (the peer's commitment). */
  | "funding-spent"
  /** Done: the close confirmed (and, after a force close, our output was swept). */
  | "closed"
  /** Forgotten by the fundee: the funding transaction never appeared in time. */
  | "abandoned";

/** The channel's own secrets. */
export interface ChannelSecrets {
  /** RFC 8032 seed of our funding key. */
  readonly fundingSeed: Uint8Array;
  /** Basepoint secrets (ristretto255 scalars, §9.6). */
  readonly revocation: bigint;
  readonly payment: bigint;
  readonly delayed: bigint;
  readonly htlc: bigint;
}

/** One channel as the node stores it. */
export interface ChannelRecord {
  /** The channel id (funding txid XOR vout). */
  readonly channelId: Uint8Array;
  /** The peer's node id (Ed25519 key, hex). */
  readonly peerId: string;
  /** Whether we funded the channel. */
  readonly weFunded: boolean;
  status: ChannelStatus;
  readonly fundingOutpoint: { readonly txid: Uint8Array; readonly vout: number };
  /** The signed funding transaction (funder only), to broadcast again. */
  readonly fundingTx?: Uint8Array;
  /** Confirmations the fundee asked for before `channel_ready`. */
  readonly minimumDepth: number;
  /** Fundee only: the height after which a channel whose funding never appeared is abandoned. */
  readonly fundingDeadlineHeight?: number;
  readonly secrets: ChannelSecrets;
  /** The update protocol's state. */
  state: ChannelState;
  /** Whether we sent / received `channel_ready`. */
  localReady: boolean;
  remoteReady: boolean;
  /** Address payloads (34 bytes) of the cooperative close, once chosen. */
  localShutdown?: Uint8Array;
  remoteShutdown?: Uint8Array;
  /** The cooperative close or the published commitment, and our sweep of it. */
  closeTxid?: Uint8Array;
  closeTx?: Uint8Array;
  sweepTxid?: Uint8Array;
  /** Where the force-close sweep pays (a wallet address payload). */
  sweepAddress?: Uint8Array;
  /**
   * The peer proved (in `channel_reestablish`) that our state is older than its: publishing our
   * commitment would be punished, so force close is refused.
   */
  localLostState?: boolean;
}

/** Version of the stored JSON document. */
export const CHANNEL_RECORD_VERSION = 1;

/** The JSON text of `record`. */
export function encodeChannelRecord(record: ChannelRecord): string {
  const hex = (b: Uint8Array | undefined) => b === undefined ? undefined : toHex(b);
  return JSON.stringify({
    version: CHANNEL_RECORD_VERSION,
    channel_id: toHex(record.channelId),
    peer_id: record.peerId,
    we_funded: record.weFunded,
    status: record.status,
    funding_txid: toHex(record.fundingOutpoint.txid),
    funding_vout: record.fundingOutpoint.vout,
    funding_tx: hex(record.fundingTx),
    minimum_depth: record.minimumDepth,
    funding_deadline_height: record.fundingDeadlineHeight,
    secrets: {
      funding_seed: toHex(record.secrets.fundingSeed),
      revocation: record.secrets.revocation.toString(),
      payment: record.secrets.payment.toString(),
      delayed: record.secrets.delayed.toString(),
      htlc: record.secrets.htlc.toString(),
    },
    state: toHex(encodeChannelState(record.state)),
    local_ready: record.localReady,
    remote_ready: record.remoteReady,
    local_shutdown: hex(record.localShutdown),
    remote_shutdown: hex(record.remoteShutdown),
    close_txid: hex(record.closeTxid),
    close_tx: hex(record.closeTx),
    sweep_txid: hex(record.sweepTxid),
    sweep_address: hex(record.sweepAddress),
    local_lost_state: record.localLostState === true ? true : undefined,
  });
}

const STATUSES: readonly ChannelStatus[] = [
  "awaiting-funding",
  "normal",
  "shutdown",
  "closing",
  "force-closing",
  "funding-spent",
  "closed",
  "abandoned",
];

/** Reads a stored record; Error naming the field when anything is missing or malformed. */
export function decodeChannelRecord(text: string): ChannelRecord {
  const j = JSON.parse(text) as Record<string, unknown>;
  if (j.version !== CHANNEL_RECORD_VERSION) throw new Error(`unknown record version ${j.version}`);
  const str = (o: Record<string, unknown>, k: string): string => {
    if (typeof o[k] !== "string") throw new Error(`record field ${k} is missing`);
    return o[k] as string;
  };
  const bytes = (o: Record<string, unknown>, k: string, n?: number): Uint8Array => {
    const b = fromHex(str(o, k));
    if (n !== undefined && b.length !== n) throw new Error(`record field ${k} is not ${n} bytes`);
    return b;
  };
  const opt = (k: string, n?: number) => j[k] === undefined ? undefined : bytes(j, k, n);
  const bool = (k: string): boolean => {
    if (typeof j[k] !== "boolean") throw new Error(`record field ${k} is missing`);
    return j[k] as boolean;
  };
  const int = (k: string): number => {
    if (!Number.isSafeInteger(j[k]) || (j[k] as number) < 0) {
      throw new Error(`record field ${k} is not a count`);
    }
    return j[k] as number;
  };
  const status = str(j, "status") as ChannelStatus;
  if (!STATUSES.includes(status)) throw new Error(`unknown channel status ${status}`);
  const s = j.secrets as Record<string, unknown> | undefined;
  if (typeof s !== "object" || s === null) throw new Error("record field secrets is missing");
  const scalar = (k: string) => BigInt(str(s, k));
  const record: ChannelRecord = {
    channelId: bytes(j, "channel_id", 32),
    peerId: str(j, "peer_id"),
    weFunded: bool("we_funded"),
    status,
    fundingOutpoint: { txid: bytes(j, "funding_txid", 32), vout: int("funding_vout") },
    minimumDepth: int("minimum_depth"),
    secrets: {
      fundingSeed: bytes(s, "funding_seed", 32),
      revocation: scalar("revocation"),
      payment: scalar("payment"),
      delayed: scalar("delayed"),
      htlc: scalar("htlc"),
    },
    state: decodeChannelState(bytes(j, "state")),
    localReady: bool("local_ready"),
    remoteReady: bool("remote_ready"),
  };
  const fundingTx = opt("funding_tx");
  const optional = {
    fundingTx,
    localShutdown: opt("local_shutdown", 34),
    remoteShutdown: opt("remote_shutdown", 34),
    closeTxid: opt("close_txid", 32),
    closeTx: opt("close_tx"),
    sweepTxid: opt("sweep_txid", 32),
    sweepAddress: opt("sweep_address", 34),
  };
  if (j.local_lost_state === true) record.localLostState = true;
  if (j.funding_deadline_height !== undefined) {
    (record as { fundingDeadlineHeight?: number }).fundingDeadlineHeight = int(
      "funding_deadline_height",
    );
  }
  for (const [k, v] of Object.entries(optional)) {
    if (v !== undefined) (record as unknown as Record<string, unknown>)[k] = v;
  }
  return record;
}

/**
 * The bridge from the Lightning service's channels to the chain watcher (PROTOCOL §9.10, §9.11):
 * every channel the service loads or saves is copied, as the watcher's record
 * (channel_record.ts), into the watcher's sealed store (channel_store.ts) — in the service's own
 * "persist before sending" step, so a revocation received is watchable before anything that
 * depends on it goes out. The HTLCs of each remote commitment that drops out of the record (it
 * was just revoked) are saved with it, in the same synced batch.
 *
 * Keys: the service makes its own random channel secrets (channel_setup.ts) and keeps them in its
 * channel files; the watcher's records of service channels carry {@link SERVICE_KEY_INDEX}
 * instead of a key-ring index, and the bridge hands the watcher those channels' secrets by
 * channel id ({@link WatchBridge.channelSecrets}). Records of any other index (a channel restored
 * from a static backup) get the key ring's derived secrets; a restored record of a service
 * channel carries its own secrets in its state bytes (static_backup.ts), which
 * {@link WatchBridge.learnRestored} hands the bridge.
 *
 * @module
 */
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { encodeChannelState } from "../../core/lightning/channel_state_codec.ts";
import type { ChannelState } from "../../core/lightning/channel_types.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import type { ChannelRecord as ServiceRecord } from "./channel_file_record.ts";
import type { ChannelKeyRing, ChannelSecrets } from "./channel_keys.ts";
import type { ChannelRecord, CommitmentRef } from "./channel_record.ts";
import type { ChannelStore, RevokedCommitment } from "./channel_store.ts";
import { decodeOwnSecrets, RESTORED_OWN_SECRETS_VERSION } from "./static_backup.ts";

/** The key index of a watcher record whose secrets are the service's own (see the module doc). */
export const SERVICE_KEY_INDEX = 0xffff_ffff;

/** Format version of the service's state bytes kept in the watcher's record (opaque there). */
const SERVICE_STATE_VERSION = 1;

/** The watcher's record of a service channel whose funding output is in block `fundingHeight`. */
export function watchRecordOf(r: ServiceRecord, fundingHeight: number): ChannelRecord {
  const s = r.state;
  const remoteCommits: CommitmentRef[] = [
    s.remoteCommit,
    ...s.remotePrevCommit ? [s.remotePrevCommit] : [],
  ]
    .map((c) => ({ point: c.point, spec: c.spec }));
  return {
    channelId: s.config.channelId,
    keyIndex: SERVICE_KEY_INDEX,
    peerNodeKey: fromHex(r.peerId),
    peerAddress: "",
    funder: s.config.funder,
    fundingOutpoint: r.fundingOutpoint,
    fundingValue: s.config.capacityMres / MRES_PER_RESONANCE,
    fundingHeight,
    local: s.config.localParams,
    remote: s.config.remoteParams,
    localCommit: { point: localPoint(s), spec: s.localCommit.spec },
    remoteCommits,
    remoteSecrets: s.remoteSecrets,
    state: { version: SERVICE_STATE_VERSION, bytes: encodeChannelState(s) },
  };
}

/** The remote commitments of `before` missing from `after` (revoked in between), with their HTLCs. */
export function revokedBetween(
  before: ChannelRecord | undefined,
  after: ChannelRecord,
): RevokedCommitment[] {
  if (!before) return [];
  const kept = new Set(after.remoteCommits.map((c) => c.spec.commitmentNumber));
  return before.remoteCommits
    .filter((c) => !kept.has(c.spec.commitmentNumber))
    .map((c) => ({ number: c.spec.commitmentNumber, htlcs: c.spec.htlcs }));
}

/** What the bridge reads of the chain. */
export interface BridgeChain {
  /** The height of the active block holding transaction `txid`, or undefined. */
  txHeight(txid: Uint8Array): Promise<number | undefined>;
  /** The active tip's height. */
  tipHeight(): number;
}

/** Copies the service's channels into the watcher's store and lends the watcher their keys. */
export class WatchBridge {
  readonly #store: ChannelStore;
  readonly #ring: ChannelKeyRing;
  readonly #chain: BridgeChain;
  readonly #secrets = new Map<string, ServiceRecord["secrets"]>();

  /** A bridge into `store`; `ring` serves records that are not the service's. */
  constructor(store: ChannelStore, ring: ChannelKeyRing, chain: BridgeChain) {
    this.#store = store;
    this.#ring = ring;
    this.#chain = chain;
  }

  /**
   * Saves the watcher's record of `r` (and the HTLCs of the commitments it has just revoked) in
   * one synced batch. Abandoned channels (never funded) are not watched.
   */
  async save(r: ServiceRecord): Promise<void> {
    if (r.status === "abandoned") return;
    this.#secrets.set(toHex(r.channelId), r.secrets);
    const height = await this.#chain.txHeight(r.fundingOutpoint.txid) ??
      this.#chain.tipHeight() + 1;
    const record = watchRecordOf(r, height);
    const before = await this.#store.getChannel(r.channelId);
    await this.#store.saveChannel(record, revokedBetween(before, record));
  }

  /**
   * Takes the own secrets of `records` restored from a static backup (the others are ignored),
   * so the watcher can claim from them; how many.
   */
  learnRestored(records: readonly ChannelRecord[]): number {
    let n = 0;
    for (const r of records) {
      if (r.keyIndex !== SERVICE_KEY_INDEX || r.state.version !== RESTORED_OWN_SECRETS_VERSION) {
        continue;
      }
      const id = toHex(r.channelId);
      if (!this.#secrets.has(id)) this.#secrets.set(id, decodeOwnSecrets(r.state.bytes));
      n++;
    }
    return n;
  }

  /** Our secrets of the watched channel `channelId` (key index `index`). */
  channelSecrets(index: number, channelId: Uint8Array): ChannelSecrets {
    if (index !== SERVICE_KEY_INDEX) return this.#ring.channelSecrets(index);
    const s = this.#secrets.get(toHex(channelId));
    if (!s) {
      throw new Error(`No keys for channel ${toHex(channelId)}: the service does not hold it`);
    }
    return {
      index,
      revocationSecret: s.revocation,
      paymentSecret: s.payment,
      delayedSecret: s.delayed,
      htlcSecret: s.htlc,
      fundingSeed: s.fundingSeed,
      fundingKey: keyPairFromSeed(s.fundingSeed).publicKey,
    };
  }
}

function localPoint(s: ChannelState): Uint8Array {
  const index = FIRST_COMMITMENT_INDEX - Number(s.localCommit.number);
  return perCommitmentPoint(perCommitmentSecret(s.localSeed, index));
}

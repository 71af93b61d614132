/**
 * The static channel backup (BOLT's SCB idea, PROTOCOL.md §9.10): a small file listing, for each
 * channel, what a node that lost its channel state needs to get its money back — the peer to ask
 * for a force close (node key, address), the funding output to watch, both sides' parameters (to
 * read a published commitment), and the index of our keys, from which the wallet's 24 words
 * re-derive the payment secret that claims our to_other output of any commitment the peer
 * publishes (its address never changes: `and(pk(our payment basepoint), older(1))`, §9.7). It
 * holds no state, so it never goes stale while the channel list is the same. A channel the
 * Lightning service opened has random secrets of its own (channel_setup.ts), which no words
 * re-derive: the backup carries those (inside the seal), flagged, instead of relying on the index.
 *
 * The file is sealed: the list is private (it says who we have channels with and for how much).
 * Integers little-endian:
 *
 * ```
 * file    = magic "RNTSCB" ‖ version u8 (1) ‖ nonce 24 ‖ XChaCha20-Poly1305(backup key, nonce,
 *           associated data = magic ‖ version ‖ network magic 4, body) ‖ tag 16
 * body    = CompactSize(n ≤ 10 000) ‖ n × channel
 * channel = channel id 32 ‖ key index u32 ‖ peer node key 32 ‖ CompactSize(len ≤ 255) ‖ address
 *           ‖ funder side u8 ‖ funding txid 32 ‖ vout u32 ‖ value u64 ‖ funding height u32
 *           ‖ params(local) ‖ params(remote)            (params as in channel_record.ts)
 *           ‖ own u8 (0: secrets from the key index; 1: the channel's own, following)
 *           [‖ funding seed 32 ‖ revocation 32 ‖ payment 32 ‖ delayed 32 ‖ htlc 32]  (scalars LE)
 * ```
 *
 * The backup key is the key ring's (`HMAC-SHA-512(root, "rnt/ln/static-backup")`, root from the
 * wallet seed). The network magic in the associated data makes a regtest backup fail to open on
 * mainnet. Restoring gives channel records with no commitments and no state (state version 0):
 * the chain watcher watches them, and claims our to_other when the peer force-closes.
 *
 * @module
 */
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { encodeShachainStore, ShachainStore } from "../../core/lightning/shachain.ts";
import {
  type ChannelRecord,
  decodeUtf8,
  MAX_PEER_ADDRESS_BYTES,
  readOutPoint,
  readParams,
  readSide,
  sideByte,
  writeFixed,
  writeOutPoint,
  writeParams,
} from "./channel_record.ts";
import type { ChannelSecrets as OwnSecrets } from "./channel_file_record.ts";
import {
  open,
  type RandomSource,
  seal,
  SEAL_OVERHEAD_BYTES,
  systemRandom,
} from "./sealed_value.ts";

/** The format version written and read. */
export const STATIC_BACKUP_VERSION = 1;
/** Most channels in one backup. */
export const MAX_BACKUP_CHANNELS = 10_000;
/** The file's name under `<datadir>/lightning/`. */
export const STATIC_BACKUP_FILE = "channels.backup";
/**
 * The watcher-record state version of a restored channel whose own secrets the backup carried:
 * its state bytes are those secrets ({@link encodeOwnSecrets}); version 0 means none.
 */
export const RESTORED_OWN_SECRETS_VERSION = 2;

/** Largest backup file read. */
export const MAX_BACKUP_FILE_BYTES = 16 << 20;

const MAGIC = new TextEncoder().encode("RNTSCB");
const HEADER_BYTES = MAGIC.length + 1;

/** Why a backup was refused. */
export type StaticBackupErrorReason = "not-a-backup" | "version" | "wrong-key-or-damaged";

/** A backup that cannot be restored, with the reason. */
export class StaticBackupError extends Error {
  /** Stable machine-readable code. */
  readonly code = "static-backup-error";
  /** What is wrong. */
  readonly reason: StaticBackupErrorReason;
  constructor(reason: StaticBackupErrorReason, message: string) {
    super(message);
    this.name = "StaticBackupError";
    this.reason = reason;
  }
}

/** What the backup keeps of one channel. */
export type BackupChannel =
  & Pick<
    ChannelRecord,
    | "channelId"
    | "keyIndex"
    | "peerNodeKey"
    | "peerAddress"
    | "funder"
    | "fundingOutpoint"
    | "fundingValue"
    | "fundingHeight"
    | "local"
    | "remote"
  >
  & {
    /** The channel's own secrets, when they are not the key ring's of `keyIndex`. */
    readonly ownSecrets?: OwnSecrets;
  };

/** Seals the backup of `channels` for the network with 4-byte `networkMagic`. */
export function encodeStaticBackup(
  channels: readonly BackupChannel[],
  backupKey: Uint8Array,
  networkMagic: Uint8Array,
  random: RandomSource = systemRandom,
): Uint8Array {
  if (channels.length > MAX_BACKUP_CHANNELS) {
    throw new RangeError(`A backup holds at most ${MAX_BACKUP_CHANNELS} channels`);
  }
  const w = new ByteWriter();
  w.writeCompactSize(channels.length);
  for (const c of channels) {
    writeFixed(w, c.channelId, 32, "channel id");
    w.writeU32(c.keyIndex);
    writeFixed(w, c.peerNodeKey, 32, "peer node key");
    const address = new TextEncoder().encode(c.peerAddress);
    if (address.length > MAX_PEER_ADDRESS_BYTES) throw new RangeError("Peer address too long");
    w.writeVarBytes(address);
    w.writeU8(sideByte(c.funder));
    writeOutPoint(w, c.fundingOutpoint);
    w.writeU64(c.fundingValue);
    w.writeU32(c.fundingHeight);
    writeParams(w, c.local);
    writeParams(w, c.remote);
    if (c.ownSecrets) {
      w.writeU8(1);
      w.writeBytes(encodeOwnSecrets(c.ownSecrets));
    } else w.writeU8(0);
  }
  const header = headerOf();
  const sealed = seal(backupKey, w.finish(), associatedData(header, networkMagic), random);
  const out = new Uint8Array(header.length + sealed.length);
  out.set(header);
  out.set(sealed, header.length);
  return out;
}

/**
 * Opens a backup: StaticBackupError `not-a-backup` (no magic, too short), `version` (another
 * format version), `wrong-key-or-damaged` (another wallet's key, another network, or any changed
 * or missing byte: the tag covers them all).
 */
export function decodeStaticBackup(
  bytes: Uint8Array,
  backupKey: Uint8Array,
  networkMagic: Uint8Array,
): BackupChannel[] {
  if (bytes.length < HEADER_BYTES || !MAGIC.every((b, i) => bytes[i] === b)) {
    throw new StaticBackupError("not-a-backup", "The file is not an rnt static channel backup");
  }
  const version = bytes[MAGIC.length]!;
  if (version !== STATIC_BACKUP_VERSION) {
    throw new StaticBackupError(
      "version",
      `Static channel backup version ${version} is not supported (expected 1)`,
    );
  }
  if (bytes.length < HEADER_BYTES + SEAL_OVERHEAD_BYTES) {
    throw new StaticBackupError(
      "wrong-key-or-damaged",
      `The backup is truncated: ${bytes.length} bytes`,
    );
  }
  let body: Uint8Array;
  try {
    body = open(
      backupKey,
      bytes.subarray(HEADER_BYTES),
      associatedData(bytes.subarray(0, HEADER_BYTES), networkMagic),
    );
  } catch {
    throw new StaticBackupError(
      "wrong-key-or-damaged",
      "The backup does not open: it was made by another wallet or for another network, or it is damaged or truncated",
    );
  }
  try {
    return decodeBody(body);
  } catch (e) {
    throw new StaticBackupError(
      "wrong-key-or-damaged",
      `The backup opened but its list is malformed: ${(e as Error).message}`,
    );
  }
}

/**
 * Writes the backup of `channels` to `path` atomically (temp file, fsync, rename): the node
 * rewrites it whenever a channel opens or closes.
 */
export async function writeStaticBackup(
  path: string,
  channels: readonly BackupChannel[],
  backupKey: Uint8Array,
  networkMagic: Uint8Array,
): Promise<void> {
  await writeFileAtomic(path, encodeStaticBackup(channels, backupKey, networkMagic), {
    mode: 0o600,
  });
}

/** Reads and opens the backup at `path` (see {@link decodeStaticBackup}; at most 16 MiB read). */
export async function readStaticBackup(
  path: string,
  backupKey: Uint8Array,
  networkMagic: Uint8Array,
): Promise<BackupChannel[]> {
  const info = await Deno.stat(path);
  if (info.size > MAX_BACKUP_FILE_BYTES) {
    throw new StaticBackupError("not-a-backup", `The file is ${info.size} bytes, too large`);
  }
  return decodeStaticBackup(await Deno.readFile(path), backupKey, networkMagic);
}

/** The record of a restored channel: watched, never operated (no commitments, state version 0). */
export function restoredRecord(c: BackupChannel): ChannelRecord {
  const { ownSecrets, ...rest } = c;
  return {
    ...rest,
    localCommit: null,
    remoteCommits: [],
    remoteSecrets: encodeShachainStore(new ShachainStore()),
    state: ownSecrets
      ? { version: RESTORED_OWN_SECRETS_VERSION, bytes: encodeOwnSecrets(ownSecrets) }
      : { version: 0, bytes: new Uint8Array(0) },
  };
}

const OWN_SECRETS_BYTES = 5 * 32;

/** The 160 bytes of a channel's own secrets: funding seed, then the four scalars LE. */
export function encodeOwnSecrets(s: OwnSecrets): Uint8Array {
  const out = new Uint8Array(OWN_SECRETS_BYTES);
  if (s.fundingSeed.length !== 32) throw new RangeError("Funding seed must be 32 bytes");
  out.set(s.fundingSeed);
  [s.revocation, s.payment, s.delayed, s.htlc].forEach((x, i) => {
    let v = x;
    for (let j = 0; j < 32; j++, v >>= 8n) out[32 * (i + 1) + j] = Number(v & 0xffn);
    if (v !== 0n) throw new RangeError("Channel secret does not fit 32 bytes");
  });
  return out;
}

/** Reads {@link encodeOwnSecrets}' bytes; RangeError for another length. */
export function decodeOwnSecrets(bytes: Uint8Array): OwnSecrets {
  if (bytes.length !== OWN_SECRETS_BYTES) {
    throw new RangeError(`Channel secrets must be ${OWN_SECRETS_BYTES} bytes, got ${bytes.length}`);
  }
  const scalar = (i: number) => {
    let v = 0n;
    for (let j = 31; j >= 0; j--) v = (v << 8n) | BigInt(bytes[32 * i + j]!);
    return v;
  };
  return {
    fundingSeed: bytes.slice(0, 32),
    revocation: scalar(1),
    payment: scalar(2),
    delayed: scalar(3),
    htlc: scalar(4),
  };
}

function decodeBody(body: Uint8Array): BackupChannel[] {
  const r = new ByteReader(body);
  const n = r.readCount(MAX_BACKUP_CHANNELS, 32 + 4 + 32 + 1 + 1 + 36 + 8 + 4 + 2 * 176 + 1);
  const out: BackupChannel[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      channelId: r.readBytes(32),
      keyIndex: r.readU32(),
      peerNodeKey: r.readBytes(32),
      peerAddress: decodeUtf8(r.readVarBytes(MAX_PEER_ADDRESS_BYTES)),
      funder: readSide(r),
      fundingOutpoint: readOutPoint(r),
      fundingValue: r.readU64(),
      fundingHeight: r.readU32(),
      local: readParams(r),
      remote: readParams(r),
      ...readOwnSecrets(r),
    });
  }
  r.expectEnd();
  return out;
}

function readOwnSecrets(r: ByteReader): { ownSecrets?: OwnSecrets } {
  const flag = r.readU8();
  if (flag === 0) return {};
  if (flag !== 1) throw new RangeError(`Bad own-secrets flag ${flag}`);
  return { ownSecrets: decodeOwnSecrets(r.readBytes(OWN_SECRETS_BYTES)) };
}

function headerOf(): Uint8Array {
  const h = new Uint8Array(HEADER_BYTES);
  h.set(MAGIC);
  h[MAGIC.length] = STATIC_BACKUP_VERSION;
  return h;
}

function associatedData(header: Uint8Array, networkMagic: Uint8Array): Uint8Array {
  const ad = new Uint8Array(header.length + networkMagic.length);
  ad.set(header);
  ad.set(networkMagic, header.length);
  return ad;
}

/**
 * What the node keeps of one channel besides the update protocol's own state: the funding, both
 * sides' parameters, the commitments either side can publish now, the remote's revealed secrets,
 * and the state machine's bytes (opaque here, with their version). The chain watcher works from
 * this alone; the static backup keeps a subset. Integers little-endian:
 *
 * ```
 * record   = version u8 (1) ‖ channel id 32 ‖ key index u32 ‖ peer node key 32
 *            ‖ CompactSize(len ≤ 255) ‖ peer address (UTF-8) ‖ funder side u8
 *            ‖ funding txid 32 ‖ vout u32 ‖ value u64 ‖ funding height u32
 *            ‖ params(local) ‖ params(remote)
 *            ‖ u8 flag ‖ [commitment]                 our latest commitment (absent: restored)
 *            ‖ u8 n (≤ 2) ‖ n × commitment            the remote's unrevoked commitments
 *            ‖ CompactSize(len) ‖ shachain store       the remote's revealed secrets (§9.5)
 *            ‖ state version u8 ‖ CompactSize(len ≤ 16 MiB) ‖ state bytes
 * params   = funding key 32 ‖ 4 basepoints 32 each ‖ toSelfDelaySecs u64 ‖ dust u64
 * commitment = point 32 ‖ spec
 * spec     = owner side u8 ‖ number u64 ‖ toOwner u64 ‖ toOther u64 ‖ fee u64
 *            ‖ CompactSize(n ≤ 966) ‖ n × htlc
 * htlc     = offeredBy side u8 ‖ id u64 ‖ amount u64 ‖ payment hash 32 ‖ expiry u64
 * revoked  = CompactSize(n ≤ 966) ‖ n × htlc          the HTLCs of one revoked remote commitment
 * side     = 0 local, 1 remote
 * ```
 *
 * State version 0 with no bytes marks a channel restored from a static backup: it is watched, never
 * operated.
 *
 * @module
 */
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { DecodeError } from "../../core/errors.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "../../core/lightning/commitment_spec.ts";
import { decodeShachainStore } from "../../core/lightning/shachain.ts";
import type { OutPoint } from "../../core/primitives/tx.ts";

/** The record format version written. */
export const CHANNEL_RECORD_VERSION = 1;
/** Longest peer address kept. */
export const MAX_PEER_ADDRESS_BYTES = 255;
/** Largest state blob kept. */
export const MAX_STATE_BYTES = 16 << 20;
/** Most HTLCs in one commitment (2 × BOLT's 483). */
export const MAX_RECORD_HTLCS = 966;

/** A commitment one side can publish: its owner's per-commitment point and its contents. */
export interface CommitmentRef {
  /** The owner's per-commitment point at `spec.commitmentNumber` (§9.6). */
  readonly point: Uint8Array;
  /** What it holds. */
  readonly spec: CommitmentSpec;
}

/** The update protocol's state, opaque here. */
export interface OpaqueState {
  /** Its format version (0: none, restored from a backup). */
  readonly version: number;
  /** Its bytes. */
  readonly bytes: Uint8Array;
}

/** One channel as the store keeps it (see the module doc). */
export interface ChannelRecord {
  /** 32-byte channel id. */
  readonly channelId: Uint8Array;
  /** Index of our keys in the key ring (channel_keys.ts): our secrets are derived, never stored. */
  readonly keyIndex: number;
  /** The peer's 32-byte node key and its last known address ("host:port"). */
  readonly peerNodeKey: Uint8Array;
  readonly peerAddress: string;
  /** Who funded the channel. */
  readonly funder: ChannelSide;
  /** The funding output, its value (resonances) and the height of the block that holds it. */
  readonly fundingOutpoint: OutPoint;
  readonly fundingValue: bigint;
  readonly fundingHeight: number;
  /** Our and the peer's parameters. */
  readonly local: ChannelPartyParams;
  readonly remote: ChannelPartyParams;
  /** Our latest commitment; null for a channel restored from a backup. */
  readonly localCommit: CommitmentRef | null;
  /** The remote's commitments not yet revoked (the current one, and the previous while unrevoked). */
  readonly remoteCommits: readonly CommitmentRef[];
  /** The remote's revealed per-commitment secrets (`encodeShachainStore` bytes). */
  readonly remoteSecrets: Uint8Array;
  /** The update protocol's state. */
  readonly state: OpaqueState;
}

/** Encodes a record (see the module doc). */
export function encodeChannelRecord(r: ChannelRecord): Uint8Array {
  const w = new ByteWriter();
  w.writeU8(CHANNEL_RECORD_VERSION);
  writeFixed(w, r.channelId, 32, "channel id");
  w.writeU32(r.keyIndex);
  writeFixed(w, r.peerNodeKey, 32, "peer node key");
  const address = new TextEncoder().encode(r.peerAddress);
  if (address.length > MAX_PEER_ADDRESS_BYTES) {
    throw new RangeError(`Peer address is ${address.length} bytes, at most 255 allowed`);
  }
  w.writeVarBytes(address);
  w.writeU8(sideByte(r.funder));
  writeOutPoint(w, r.fundingOutpoint);
  w.writeU64(r.fundingValue);
  w.writeU32(r.fundingHeight);
  writeParams(w, r.local);
  writeParams(w, r.remote);
  w.writeU8(r.localCommit ? 1 : 0);
  if (r.localCommit) writeCommitment(w, r.localCommit);
  if (r.remoteCommits.length > 2) throw new RangeError("At most two remote commitments");
  w.writeU8(r.remoteCommits.length);
  for (const c of r.remoteCommits) writeCommitment(w, c);
  w.writeVarBytes(r.remoteSecrets);
  if (r.state.bytes.length > MAX_STATE_BYTES) throw new RangeError("Channel state too large");
  w.writeU8(r.state.version);
  w.writeVarBytes(r.state.bytes);
  return w.finish();
}

/** Decodes {@link encodeChannelRecord}'s bytes; DecodeError on anything malformed or trailing. */
export function decodeChannelRecord(bytes: Uint8Array): ChannelRecord {
  const r = new ByteReader(bytes);
  const version = r.readU8();
  if (version !== CHANNEL_RECORD_VERSION) {
    throw new DecodeError(`Channel record version ${version} is not supported (expected 1)`);
  }
  const channelId = r.readBytes(32);
  const keyIndex = r.readU32();
  const peerNodeKey = r.readBytes(32);
  const peerAddress = decodeUtf8(r.readVarBytes(MAX_PEER_ADDRESS_BYTES));
  const funder = readSide(r);
  const fundingOutpoint = readOutPoint(r);
  const fundingValue = r.readU64();
  const fundingHeight = r.readU32();
  const local = readParams(r);
  const remote = readParams(r);
  const localCommit = readFlag(r) ? readCommitment(r) : null;
  const remoteCount = r.readU8();
  if (remoteCount > 2) throw new DecodeError(`Record lists ${remoteCount} remote commitments`);
  const remoteCommits: CommitmentRef[] = [];
  for (let i = 0; i < remoteCount; i++) remoteCommits.push(readCommitment(r));
  const remoteSecrets = r.readVarBytes(1 + 49 * 38);
  decodeShachainStore(remoteSecrets);
  const stateVersion = r.readU8();
  const stateBytes = r.readVarBytes(MAX_STATE_BYTES);
  r.expectEnd();
  return {
    channelId,
    keyIndex,
    peerNodeKey,
    peerAddress,
    funder,
    fundingOutpoint,
    fundingValue,
    fundingHeight,
    local,
    remote,
    localCommit,
    remoteCommits,
    remoteSecrets,
    state: { version: stateVersion, bytes: stateBytes },
  };
}

/** Encodes the HTLCs of a revoked remote commitment. */
export function encodeRevokedHtlcs(htlcs: readonly HtlcSpec[]): Uint8Array {
  const w = new ByteWriter();
  writeHtlcs(w, htlcs);
  return w.finish();
}

/** Decodes {@link encodeRevokedHtlcs}'s bytes. */
export function decodeRevokedHtlcs(bytes: Uint8Array): HtlcSpec[] {
  const r = new ByteReader(bytes);
  const htlcs = readHtlcs(r);
  r.expectEnd();
  return htlcs;
}

/** Writes the party parameters (shared with the static backup). */
export function writeParams(w: ByteWriter, p: ChannelPartyParams): void {
  writeFixed(w, p.fundingKey, 32, "funding key");
  writeFixed(w, p.revocationBasepoint, 32, "revocation basepoint");
  writeFixed(w, p.paymentBasepoint, 32, "payment basepoint");
  writeFixed(w, p.delayedPaymentBasepoint, 32, "delayed payment basepoint");
  writeFixed(w, p.htlcBasepoint, 32, "HTLC basepoint");
  w.writeU64(p.toSelfDelaySecs);
  w.writeU64(p.dustLimitResonances);
}

/** Reads {@link writeParams}'s bytes. */
export function readParams(r: ByteReader): ChannelPartyParams {
  return {
    fundingKey: r.readBytes(32),
    revocationBasepoint: r.readBytes(32),
    paymentBasepoint: r.readBytes(32),
    delayedPaymentBasepoint: r.readBytes(32),
    htlcBasepoint: r.readBytes(32),
    toSelfDelaySecs: r.readU64Number(),
    dustLimitResonances: r.readU64(),
  };
}

/** Writes an outpoint: txid 32 ‖ vout u32. */
export function writeOutPoint(w: ByteWriter, op: OutPoint): void {
  writeFixed(w, op.txid, 32, "txid");
  w.writeU32(op.vout);
}

/** Reads {@link writeOutPoint}'s bytes. */
export function readOutPoint(r: ByteReader): OutPoint {
  return { txid: r.readBytes(32), vout: r.readU32() };
}

/** Writes a side byte. */
export function sideByte(side: ChannelSide): number {
  return side === "local" ? 0 : 1;
}

/** Reads a side byte; DecodeError for anything but 0 or 1. */
export function readSide(r: ByteReader): ChannelSide {
  const b = r.readU8();
  if (b > 1) throw new DecodeError(`Side byte must be 0 or 1, got ${b}`);
  return b === 0 ? "local" : "remote";
}

/** Writes exactly `n` bytes; RangeError for another length. */
export function writeFixed(w: ByteWriter, bytes: Uint8Array, n: number, what: string): void {
  if (bytes.length !== n) throw new RangeError(`${what} must be ${n} bytes, got ${bytes.length}`);
  w.writeBytes(bytes);
}

/** Decodes strict UTF-8; DecodeError otherwise. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new DecodeError("Peer address is not valid UTF-8");
  }
}

function writeCommitment(w: ByteWriter, c: CommitmentRef): void {
  writeFixed(w, c.point, 32, "per-commitment point");
  const s = c.spec;
  w.writeU8(sideByte(s.owner));
  w.writeU64(s.commitmentNumber);
  w.writeU64(s.toOwnerMres);
  w.writeU64(s.toOtherMres);
  w.writeU64(s.feeResonances);
  writeHtlcs(w, s.htlcs);
}

function readCommitment(r: ByteReader): CommitmentRef {
  const point = r.readBytes(32);
  const spec: CommitmentSpec = {
    owner: readSide(r),
    commitmentNumber: r.readU64(),
    toOwnerMres: r.readU64(),
    toOtherMres: r.readU64(),
    feeResonances: r.readU64(),
    htlcs: readHtlcs(r),
  };
  return { point, spec };
}

function writeHtlcs(w: ByteWriter, htlcs: readonly HtlcSpec[]): void {
  if (htlcs.length > MAX_RECORD_HTLCS) throw new RangeError(`Too many HTLCs: ${htlcs.length}`);
  w.writeCompactSize(htlcs.length);
  for (const h of htlcs) {
    w.writeU8(sideByte(h.offeredBy));
    w.writeU64(h.id);
    w.writeU64(h.amountMres);
    writeFixed(w, h.paymentHash, 32, "payment hash");
    w.writeU64(h.expirySecs);
  }
}

function readHtlcs(r: ByteReader): HtlcSpec[] {
  const n = r.readCount(MAX_RECORD_HTLCS, 57);
  const htlcs: HtlcSpec[] = [];
  for (let i = 0; i < n; i++) {
    htlcs.push({
      offeredBy: readSide(r),
      id: r.readU64(),
      amountMres: r.readU64(),
      paymentHash: r.readBytes(32),
      expirySecs: r.readU64Number(),
    });
  }
  return htlcs;
}

function readFlag(r: ByteReader): boolean {
  const b = r.readU8();
  if (b > 1) throw new DecodeError(`Flag byte must be 0 or 1, got ${b}`);
  return b === 1;
}

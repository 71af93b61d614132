/**
 * The persisted form of a {@link ChannelState} (PROTOCOL.md §9.8 "Channel state on disk"):
 * versioned, deterministic bytes (one state, one encoding), so the node can write the state before
 * it sends a message that depends on it and resume from it after a crash. Little-endian.
 *
 * ```
 * state      = version u8 (= 1) ‖ config ‖ seed 32 ‖ connected u8 ‖ localCommit ‖ remoteCommit
 *              ‖ u8 flag ‖ [remoteCommit]             (the unrevoked previous remote commitment)
 *              ‖ u8 flag ‖ [point 32]                 (the remote's next point)
 *              ‖ CompactSize(len) ‖ shachain store    (§9.5 encoding)
 *              ‖ base ‖ CompactSize(n ≤ 4096) ‖ n × logged update
 *              ‖ nextHtlcId local u64 ‖ remote u64 ‖ lastSent u8 (0 none, 1 commit, 2 revoke)
 * config     = channel id 32 ‖ funder side u8 ‖ capacity u64 ‖ params(local) ‖ params(remote)
 *              ‖ limits(local) ‖ limits(remote)
 * params     = funding key 32 ‖ 4 basepoints (revocation, payment, delayed, htlc) 32 each
 *              ‖ toSelfDelaySecs u64 ‖ dustLimitResonances u64
 * limits     = reserve u64 ‖ maxAcceptedHtlcs u16 ‖ maxHtlcValueInFlight u64 ‖ htlcMinimum u64
 * side       = u8: 0 local, 1 remote
 * spec       = owner side ‖ number u64 ‖ toOwner u64 ‖ toOther u64 ‖ fee u64 ‖ CompactSize(n ≤ 966)
 *              ‖ n × (offeredBy side ‖ id u64 ‖ amount u64 ‖ payment hash 32 ‖ expiry u64)
 * localCommit  = number u64 ‖ spec ‖ signature 64
 * remoteCommit = number u64 ‖ spec ‖ point 32 ‖ signature 64
 * base       = local u64 ‖ remote u64 ‖ feerate u32 ‖ CompactSize(n ≤ 966) ‖ n × htlc
 * htlc       = the spec HTLC fields ‖ onion 1365
 * logged     = from side ‖ u8 flag ‖ [inLocal u64] ‖ u8 flag ‖ [inRemote u64] ‖ kind u8 ‖ body
 *              kind 0 add: htlc; 1 fulfill: id u64 ‖ preimage 32;
 *              2 fail: id u64 ‖ CompactSize(len ≤ 1024) ‖ reason; 3 fee: feerate u32;
 *              4 fail-malformed: id u64 ‖ sha256 of the onion 32 ‖ failure code u16
 * ```
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { MAX_FAIL_REASON_BYTES } from "./channel_messages.ts";
import {
  type ChannelConfig,
  type ChannelHtlc,
  type ChannelLimits,
  type ChannelState,
  type LocalCommitment,
  type LoggedUpdate,
  MAX_ACCEPTED_HTLCS_LIMIT,
  MAX_LOGGED_UPDATES,
  type RemoteCommitment,
} from "./channel_types.ts";
import { isValidPoint } from "./_channel_util.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "./commitment_spec.ts";
import { decodeShachainStore, MAX_SHACHAIN_ENTRIES } from "./shachain.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";

/** The format version written by {@link encodeChannelState}. */
export const CHANNEL_STATE_VERSION = 1;

const MAX_HTLCS = 2 * MAX_ACCEPTED_HTLCS_LIMIT;
const MAX_SHACHAIN_BYTES = 1 + MAX_SHACHAIN_ENTRIES * 38;
const SPEC_HTLC_BYTES = 1 + 8 + 8 + 32 + 8;

/**
 * Encodes a channel state (layout above).
 *
 * @example
 * ```ts ignore
 * await writeAtomically(path, encodeChannelState(result.state)); // then send result.message
 * ```
 */
export function encodeChannelState(state: ChannelState): Uint8Array {
  const w = new ByteWriter(4096);
  w.writeU8(CHANNEL_STATE_VERSION);
  writeConfig(w, state.config);
  w.writeBytes(state.localSeed);
  w.writeU8(state.connected ? 1 : 0);
  writeLocalCommit(w, state.localCommit);
  writeRemoteCommit(w, state.remoteCommit);
  if (state.remotePrevCommit === null) w.writeU8(0);
  else writeRemoteCommit(w.writeU8(1), state.remotePrevCommit);
  if (state.remoteNextPoint === null) w.writeU8(0);
  else w.writeU8(1).writeBytes(state.remoteNextPoint);
  w.writeVarBytes(state.remoteSecrets);
  w.writeU64(state.base.localBalanceMres).writeU64(state.base.remoteBalanceMres);
  w.writeU32(state.base.feeratePerByte);
  w.writeCompactSize(state.base.htlcs.length);
  for (const h of state.base.htlcs) writeHtlc(w, h);
  w.writeCompactSize(state.log.length);
  for (const e of state.log) writeLogged(w, e);
  w.writeU64(state.nextHtlcId.local).writeU64(state.nextHtlcId.remote);
  w.writeU8(state.lastSent === null ? 0 : state.lastSent === "commit" ? 1 : 2);
  return w.finish();
}

/**
 * Decodes {@link encodeChannelState}'s bytes. Strict: a version other than 1, a field out of
 * range, a bad point, a shachain store that in-order insertion cannot reach, balances and HTLCs
 * that do not add up to the capacity in the base or in a commitment, a logged HTLC id not below
 * the next id, a logged removal of an HTLC not in the base, or trailing bytes throw DecodeError
 * (nothing else is thrown).
 */
export function decodeChannelState(bytes: Uint8Array): ChannelState {
  const r = new ByteReader(bytes);
  const version = r.readU8();
  if (version !== CHANNEL_STATE_VERSION) {
    throw new DecodeError(`channel state version ${version} is not ${CHANNEL_STATE_VERSION}`);
  }
  const config = readConfig(r);
  const localSeed = r.readBytes(32);
  const connected = readFlag(r, "connected");
  const localCommit = readLocalCommit(r);
  const remoteCommit = readRemoteCommit(r);
  const remotePrevCommit = readFlag(r, "previous commitment flag") ? readRemoteCommit(r) : null;
  const remoteNextPoint = readFlag(r, "next point flag") ? readPoint(r) : null;
  const remoteSecrets = r.readVarBytes(MAX_SHACHAIN_BYTES);
  decodeShachainStore(remoteSecrets);
  const localBalanceMres = r.readU64();
  const remoteBalanceMres = r.readU64();
  const feeratePerByte = r.readU32();
  const baseCount = r.readCount(MAX_HTLCS, SPEC_HTLC_BYTES + ONION_PACKET_BYTES);
  const htlcs: ChannelHtlc[] = [];
  for (let i = 0; i < baseCount; i++) htlcs.push(readHtlc(r));
  const logCount = r.readCount(MAX_LOGGED_UPDATES, 5);
  const log: LoggedUpdate[] = [];
  for (let i = 0; i < logCount; i++) log.push(readLogged(r));
  const nextHtlcId = { local: r.readU64(), remote: r.readU64() };
  const lastSentByte = r.readU8();
  if (lastSentByte > 2) throw new DecodeError(`lastSent ${lastSentByte} is not 0, 1 or 2`);
  r.expectEnd();

  const capacity = config.capacityMres;
  const baseTotal = localBalanceMres + remoteBalanceMres + sumOf(htlcs);
  if (baseTotal !== capacity) {
    throw new DecodeError(`the base holds ${baseTotal} mres, the capacity is ${capacity}`);
  }
  const commits = [localCommit, remoteCommit, ...(remotePrevCommit ? [remotePrevCommit] : [])];
  for (const c of commits) {
    const total = c.spec.toOwnerMres + c.spec.toOtherMres + sumOf(c.spec.htlcs);
    if (total !== capacity || c.spec.commitmentNumber !== c.number) {
      throw new DecodeError(`commitment ${c.number} does not match the channel`);
    }
  }
  for (const e of log) {
    const u = e.update;
    if (u.kind === "add" && u.htlc.id >= nextHtlcId[e.from]) {
      throw new DecodeError(
        `logged HTLC ${u.htlc.id} is not below the next id ${nextHtlcId[e.from]}`,
      );
    }
    if (u.kind === "fulfill" || u.kind === "fail" || u.kind === "fail-malformed") {
      const offeredBy = e.from === "local" ? "remote" : "local";
      if (!htlcs.some((h) => h.offeredBy === offeredBy && h.id === u.htlcId)) {
        throw new DecodeError(`logged removal of HTLC ${u.htlcId}, which is not committed`);
      }
    }
  }
  if ((remotePrevCommit === null) === (remoteNextPoint === null)) {
    throw new DecodeError("exactly one of the previous commitment and the next point must be set");
  }
  return {
    config,
    localSeed,
    connected,
    localCommit,
    remoteCommit,
    remotePrevCommit,
    remoteNextPoint,
    remoteSecrets,
    base: { localBalanceMres, remoteBalanceMres, feeratePerByte, htlcs },
    log,
    nextHtlcId,
    lastSent: lastSentByte === 0 ? null : lastSentByte === 1 ? "commit" : "revoke",
  };
}

function sumOf(htlcs: readonly HtlcSpec[]): bigint {
  let sum = 0n;
  for (const h of htlcs) sum += h.amountMres;
  return sum;
}

// ── Writers ──────────────────────────────────────────────────────────────────────────────────

function writeSide(w: ByteWriter, side: ChannelSide): void {
  w.writeU8(side === "local" ? 0 : 1);
}

function writeConfig(w: ByteWriter, c: ChannelConfig): void {
  w.writeBytes(c.channelId);
  writeSide(w, c.funder);
  w.writeU64(c.capacityMres);
  writeParams(w, c.localParams);
  writeParams(w, c.remoteParams);
  writeLimits(w, c.localLimits);
  writeLimits(w, c.remoteLimits);
}

function writeParams(w: ByteWriter, p: ChannelPartyParams): void {
  for (const key of keysOf(p)) {
    if (key.length !== 32) throw new RangeError(`channel key must be 32 bytes, got ${key.length}`);
    w.writeBytes(key);
  }
  w.writeU64(p.toSelfDelaySecs).writeU64(p.dustLimitResonances);
}

function keysOf(p: ChannelPartyParams): Uint8Array[] {
  return [
    p.fundingKey,
    p.revocationBasepoint,
    p.paymentBasepoint,
    p.delayedPaymentBasepoint,
    p.htlcBasepoint,
  ];
}

function writeLimits(w: ByteWriter, l: ChannelLimits): void {
  w.writeU64(l.reserveMres).writeU16(l.maxAcceptedHtlcs);
  w.writeU64(l.maxHtlcValueInFlightMres).writeU64(l.htlcMinimumMres);
}

function writeSpec(w: ByteWriter, s: CommitmentSpec): void {
  writeSide(w, s.owner);
  w.writeU64(s.commitmentNumber).writeU64(s.toOwnerMres).writeU64(s.toOtherMres);
  w.writeU64(s.feeResonances).writeCompactSize(s.htlcs.length);
  for (const h of s.htlcs) writeSpecHtlc(w, h);
}

function writeSpecHtlc(w: ByteWriter, h: HtlcSpec): void {
  writeSide(w, h.offeredBy);
  w.writeU64(h.id).writeU64(h.amountMres).writeBytes(h.paymentHash).writeU64(h.expirySecs);
}

function writeHtlc(w: ByteWriter, h: ChannelHtlc): void {
  writeSpecHtlc(w, h);
  w.writeBytes(h.onion);
}

function writeLocalCommit(w: ByteWriter, c: LocalCommitment): void {
  w.writeU64(c.number);
  writeSpec(w, c.spec);
  w.writeBytes(c.signature);
}

function writeRemoteCommit(w: ByteWriter, c: RemoteCommitment): void {
  w.writeU64(c.number);
  writeSpec(w, c.spec);
  w.writeBytes(c.point).writeBytes(c.signature);
}

function writeOptionalNumber(w: ByteWriter, n: bigint | null): void {
  if (n === null) w.writeU8(0);
  else w.writeU8(1).writeU64(n);
}

function writeLogged(w: ByteWriter, e: LoggedUpdate): void {
  writeSide(w, e.from);
  writeOptionalNumber(w, e.inLocal);
  writeOptionalNumber(w, e.inRemote);
  const u = e.update;
  switch (u.kind) {
    case "add":
      writeHtlc(w.writeU8(0), u.htlc);
      break;
    case "fulfill":
      w.writeU8(1).writeU64(u.htlcId).writeBytes(u.preimage);
      break;
    case "fail":
      w.writeU8(2).writeU64(u.htlcId).writeVarBytes(u.reason);
      break;
    case "fee":
      w.writeU8(3).writeU32(u.feeratePerByte);
      break;
    case "fail-malformed":
      w.writeU8(4).writeU64(u.htlcId).writeBytes(u.sha256OfOnion).writeU16(u.failureCode);
      break;
  }
}

// ── Readers ──────────────────────────────────────────────────────────────────────────────────

function readFlag(r: ByteReader, what: string): boolean {
  const b = r.readU8();
  if (b > 1) throw new DecodeError(`${what} ${b} is not 0 or 1`);
  return b === 1;
}

function readSide(r: ByteReader): ChannelSide {
  const b = r.readU8();
  if (b > 1) throw new DecodeError(`side ${b} is not 0 (local) or 1 (remote)`);
  return b === 0 ? "local" : "remote";
}

function readPoint(r: ByteReader): Uint8Array {
  const at = r.offset;
  const point = r.readBytes(32);
  if (!isValidPoint(point)) throw new DecodeError(`bad ristretto255 point at offset ${at}`);
  return point;
}

function readConfig(r: ByteReader): ChannelConfig {
  const channelId = r.readBytes(32);
  const funder = readSide(r);
  const capacityMres = r.readU64();
  if (capacityMres === 0n) throw new DecodeError("channel capacity is zero");
  return {
    channelId,
    funder,
    capacityMres,
    localParams: readParams(r),
    remoteParams: readParams(r),
    localLimits: readLimits(r),
    remoteLimits: readLimits(r),
  };
}

function readParams(r: ByteReader): ChannelPartyParams {
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

function readLimits(r: ByteReader): ChannelLimits {
  const reserveMres = r.readU64();
  const maxAcceptedHtlcs = r.readU16();
  if (maxAcceptedHtlcs < 1 || maxAcceptedHtlcs > MAX_ACCEPTED_HTLCS_LIMIT) {
    throw new DecodeError(`maxAcceptedHtlcs ${maxAcceptedHtlcs} is not in [1, 483]`);
  }
  return {
    reserveMres,
    maxAcceptedHtlcs,
    maxHtlcValueInFlightMres: r.readU64(),
    htlcMinimumMres: r.readU64(),
  };
}

function readSpecHtlc(r: ByteReader): HtlcSpec {
  return {
    offeredBy: readSide(r),
    id: r.readU64(),
    amountMres: r.readU64(),
    paymentHash: r.readBytes(32),
    expirySecs: r.readU64Number(),
  };
}

function readHtlc(r: ByteReader): ChannelHtlc {
  const spec = readSpecHtlc(r);
  return { ...spec, onion: r.readBytes(ONION_PACKET_BYTES) };
}

function readSpec(r: ByteReader): CommitmentSpec {
  const owner = readSide(r);
  const commitmentNumber = r.readU64();
  const toOwnerMres = r.readU64();
  const toOtherMres = r.readU64();
  const feeResonances = r.readU64();
  const count = r.readCount(MAX_HTLCS, SPEC_HTLC_BYTES);
  const htlcs: HtlcSpec[] = [];
  for (let i = 0; i < count; i++) htlcs.push(readSpecHtlc(r));
  return { owner, commitmentNumber, toOwnerMres, toOtherMres, feeResonances, htlcs };
}

function readLocalCommit(r: ByteReader): LocalCommitment {
  const number = r.readU64();
  const spec = readSpec(r);
  if (spec.owner !== "local") throw new DecodeError("the local commitment is not owned locally");
  return { number, spec, signature: r.readBytes(64) };
}

function readRemoteCommit(r: ByteReader): RemoteCommitment {
  const number = r.readU64();
  const spec = readSpec(r);
  if (spec.owner !== "remote") throw new DecodeError("a remote commitment is not owned remotely");
  return { number, spec, point: readPoint(r), signature: r.readBytes(64) };
}

function readOptionalNumber(r: ByteReader): bigint | null {
  return readFlag(r, "commitment flag") ? r.readU64() : null;
}

function readLogged(r: ByteReader): LoggedUpdate {
  const from = readSide(r);
  const inLocal = readOptionalNumber(r);
  const inRemote = readOptionalNumber(r);
  const kind = r.readU8();
  switch (kind) {
    case 0: {
      const htlc = readHtlc(r);
      if (htlc.offeredBy !== from) throw new DecodeError("an add is offered by another side");
      return { from, update: { kind: "add", htlc }, inLocal, inRemote };
    }
    case 1:
      return {
        from,
        update: { kind: "fulfill", htlcId: r.readU64(), preimage: r.readBytes(32) },
        inLocal,
        inRemote,
      };
    case 2:
      return {
        from,
        update: {
          kind: "fail",
          htlcId: r.readU64(),
          reason: r.readVarBytes(MAX_FAIL_REASON_BYTES),
        },
        inLocal,
        inRemote,
      };
    case 3:
      return { from, update: { kind: "fee", feeratePerByte: r.readU32() }, inLocal, inRemote };
    case 4:
      return {
        from,
        update: {
          kind: "fail-malformed",
          htlcId: r.readU64(),
          sha256OfOnion: r.readBytes(32),
          failureCode: r.readU16(),
        },
        inLocal,
        inRemote,
      };
    default:
      throw new DecodeError(`logged update kind ${kind} is not 0…4`);
  }
}

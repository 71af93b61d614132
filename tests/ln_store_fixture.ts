/**
 * The channel record the channel-store crash campaign writes (shared by the test and its child
 * process): record n holds state number n in its state bytes and its commitments.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { perCommitmentPoint } from "../core/lightning/commitment_keys.ts";
import type { HtlcSpec } from "../core/lightning/commitment_spec.ts";
import { encodeShachainStore, ShachainStore } from "../core/lightning/shachain.ts";
import { ChannelKeyRing } from "../node/lightning/channel_keys.ts";
import type { ChannelRecord } from "../node/lightning/channel_record.ts";

/** The key ring of the campaign's node. */
export const crashKeyRing: ChannelKeyRing = new ChannelKeyRing(
  sha256(new TextEncoder().encode("crash campaign root")),
);
/** The campaign's channel. */
export const CRASH_CHANNEL_ID: Uint8Array = new Uint8Array(32).fill(0x5c);

const point = perCommitmentPoint(new Uint8Array(32).fill(1));
const local = crashKeyRing.channelParams(0, 300, 500n);
const remote = new ChannelKeyRing(sha256(new TextEncoder().encode("crash peer")))
  .channelParams(0, 600, 300n);

/** The HTLC of commitment n (its payment hash names n). */
function htlcOf(n: number): HtlcSpec {
  return {
    id: BigInt(n),
    offeredBy: "remote",
    amountMres: 1_000_000n,
    paymentHash: sha256(new TextEncoder().encode(`htlc ${n}`)),
    expirySecs: 2_000_000_000,
  };
}

/** The record at state number n (a 4 KiB state blob, as a channel with a few HTLCs has). */
export function crashRecord(n: number): ChannelRecord {
  const state = new Uint8Array(4096).fill(n & 0xff);
  new DataView(state.buffer).setUint32(0, n, true);
  const spec = (owner: "local" | "remote") => ({
    owner,
    commitmentNumber: BigInt(n),
    toOwnerMres: 400_000_000n,
    toOtherMres: 599_000_000n,
    feeResonances: 500n,
    htlcs: [htlcOf(n)],
  });
  return {
    channelId: CRASH_CHANNEL_ID,
    keyIndex: 0,
    peerNodeKey: new Uint8Array(32).fill(2),
    peerAddress: "127.0.0.1:18555",
    funder: "local",
    fundingOutpoint: { txid: new Uint8Array(32).fill(4), vout: 0 },
    fundingValue: 1_000_000n,
    fundingHeight: 10,
    local,
    remote,
    localCommit: { point, spec: spec("local") },
    remoteCommits: [{ point, spec: spec("remote") }],
    remoteSecrets: encodeShachainStore(new ShachainStore()),
    state: { version: 1, bytes: state },
  };
}

/** The state number a record holds (checked consistent across its fields). */
export function stateNumberOf(r: ChannelRecord): number {
  const n = new DataView(r.state.bytes.buffer, r.state.bytes.byteOffset).getUint32(0, true);
  if (r.localCommit?.spec.commitmentNumber !== BigInt(n)) throw new Error("torn record");
  return n;
}

/** The HTLCs the batch of update n stored for revoked commitment n − 1. */
export function revokedHtlcsOf(n: number): HtlcSpec[] {
  return [htlcOf(n)];
}

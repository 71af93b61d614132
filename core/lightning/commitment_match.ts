/**
 * Reading a published commitment back (PROTOCOL.md §9.10): given a transaction that spends a
 * channel's funding output, the owner's per-commitment point and the HTLCs the commitment may
 * hold, find which of its outputs are the channel's to_owner, to_other and HTLC outputs by
 * comparing addresses with the policies those keys make. The result is a {@link CommitmentTx}
 * with the recognised outputs only, which the claim helpers (commitment_claims.ts) spend.
 *
 * Why by address and not by rebuilding the transaction from a spec: the watcher of a revoked
 * commitment knows the keys (from the revealed secret) but not necessarily the balances, and a
 * channel restored from a backup knows nothing of its latest commitment; the addresses are what
 * the keys pin down. An HTLC output whose payment hash and expiry are unknown stays unrecognised.
 *
 * @module
 */
import type { Tx } from "../primitives/tx.ts";
import { bytesEqual } from "../util/bytes_equal.ts";
import {
  commitmentKeys,
  contractAddress,
  offeredHtlcPolicy,
  receivedHtlcPolicy,
  toOtherPolicy,
  toOwnerPolicy,
} from "./channel_policies.ts";
import type { ChannelPartyParams, ChannelSide, HtlcSpec } from "./commitment_spec.ts";
import { type CommitmentOutput, type CommitmentTx, fundingOutput } from "./commitment_tx.ts";

/** What the matcher needs to know about the channel and the commitment's owner. */
export interface CommitmentMatchParams {
  /** Who owns the commitment (published it), seen from the node. */
  readonly owner: ChannelSide;
  /** Both sides' parameters. */
  readonly local: ChannelPartyParams;
  readonly remote: ChannelPartyParams;
  /** The funding output's value, resonances. */
  readonly fundingValue: bigint;
  /** The owner's per-commitment point of the commitment's number (§9.6). */
  readonly ownerPerCommitmentPoint: Uint8Array;
  /** HTLCs the commitment may hold (`offeredBy` seen from the node); others stay unrecognised. */
  readonly htlcs: readonly HtlcSpec[];
}

/** A matched commitment and the outputs that were not recognised. */
export interface CommitmentMatch {
  /** The commitment with its recognised outputs (vout = index in `tx`). */
  readonly commitment: CommitmentTx;
  /** Indices of outputs that are none of the channel's known outputs. */
  readonly unrecognisedVouts: readonly number[];
}

/**
 * Recognises the outputs of `tx` (with txid `id`) as the commitment described by `p`. Each output
 * is matched at most once, HTLCs in the order given (identical HTLCs have identical addresses).
 */
export function matchCommitment(tx: Tx, id: Uint8Array, p: CommitmentMatchParams): CommitmentMatch {
  const [owner, other] = p.owner === "local" ? [p.local, p.remote] : [p.remote, p.local];
  const keys = commitmentKeys(owner, other, p.ownerPerCommitmentPoint);
  const candidates: Omit<CommitmentOutput, "vout" | "output">[] = [
    { role: "to-owner", policy: toOwnerPolicy(keys) },
    { role: "to-other", policy: toOtherPolicy(keys) },
    ...p.htlcs.map((htlc) => {
      const offered = htlc.offeredBy === p.owner;
      return {
        role: offered ? "offered-htlc" as const : "received-htlc" as const,
        policy: offered
          ? offeredHtlcPolicy(keys, htlc.paymentHash, htlc.expirySecs)
          : receivedHtlcPolicy(keys, htlc.paymentHash, htlc.expirySecs),
        htlc,
      };
    }),
  ];
  const addresses = candidates.map((c) => contractAddress(c.policy));
  const used = new Set<number>();
  const outputs: CommitmentOutput[] = [];
  const unrecognisedVouts: number[] = [];
  tx.outputs.forEach((output, vout) => {
    const i = addresses.findIndex((a, j) =>
      !used.has(j) && a.kind === output.address.kind && bytesEqual(a.hash, output.address.hash)
    );
    if (i < 0) {
      unrecognisedVouts.push(vout);
      return;
    }
    used.add(i);
    outputs.push({ ...candidates[i]!, vout, output });
  });
  const funding = fundingOutput(p.local.fundingKey, p.remote.fundingKey, p.fundingValue);
  const paid = tx.outputs.reduce((s, o) => s + o.value, 0n);
  return {
    commitment: {
      tx,
      txid: id,
      outputs,
      trimmedHtlcs: [],
      keys,
      fundingOutput: funding.output,
      fundingPolicy: funding.policy,
      feeResonances: p.fundingValue - paid,
    },
    unrecognisedVouts,
  };
}

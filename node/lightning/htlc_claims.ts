/**
 * The HTLC outputs of a published, unrevoked commitment, resolved on chain (PROTOCOL §9.7,
 * §9.10): which path of each output is ours, when it opens, and what the other side's spends of
 * our HTLC outputs reveal.
 *
 * Seen from our node (the commitment's owner is "local" when we published it):
 * ```
 * commitment  output          offered by  our path   needs
 * ours        offered-htlc    us          timeout    after(expiry), older(delay)
 * ours        received-htlc   peer        success    preimage, older(delay)
 * peer's      offered-htlc    peer        success    preimage (at once)
 * peer's      received-htlc   us          timeout    after(expiry)
 * ```
 * Our key on every path is our HTLC basepoint secret tweaked with the commitment owner's
 * per-commitment point (on our commitment the owner's HTLC key, on the peer's the other side's).
 * A success path is planned only when the preimage is known; the timeout path of an HTLC we
 * offered is planned always (the peer may still take it first with the preimage, which we then
 * read from its witness: {@link offeredHtlcSpends}).
 *
 * @module
 */
import { outpointKey } from "../../core/consensus/chain_entry.ts";
import { keccak256d } from "../../core/crypto/keccak.ts";
import {
  type ClaimInput,
  htlcSuccessClaim,
  htlcTimeoutClaim,
} from "../../core/lightning/commitment_claims.ts";
import { derivePrivateKey } from "../../core/lightning/commitment_keys.ts";
import type { ChannelSide, HtlcSpec } from "../../core/lightning/commitment_spec.ts";
import type { CommitmentTx } from "../../core/lightning/commitment_tx.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";

/** One HTLC output to claim and the timelocks that must hold first. */
export interface HtlcClaim {
  /** The output, with our key and (success) the preimage. */
  readonly input: ClaimInput;
  /** The HTLC it pays. */
  readonly htlc: HtlcSpec;
  /** Which path. */
  readonly path: "success" | "timeout";
  /** The tip's median-time-past must be at least this (`after(expiry)`; 0 when none). */
  readonly notBeforeMtpSecs: number;
  /** The output's age in MTP seconds must be at least this (`older(delay)`; 0 when none). */
  readonly minAgeSecs: number;
}

/**
 * Our claims of the HTLC outputs of `commitment`, published by `owner` with its per-commitment
 * point `ownerPoint`; `htlcSecret` is our HTLC basepoint secret, `preimageOf` what we know of
 * payment preimages (undefined: unknown).
 */
export function htlcClaims(
  commitment: CommitmentTx,
  owner: ChannelSide,
  ownerPoint: Uint8Array,
  htlcSecret: bigint,
  preimageOf: (paymentHash: Uint8Array) => Uint8Array | undefined,
): HtlcClaim[] {
  const scalar = derivePrivateKey(htlcSecret, ownerPoint);
  const delay = commitment.keys.toSelfDelaySecs;
  const claims: HtlcClaim[] = [];
  for (const out of commitment.outputs) {
    const htlc = out.htlc;
    if (!htlc) continue;
    const weOffered = htlc.offeredBy === "local";
    if (weOffered) {
      claims.push({
        input: htlcTimeoutClaim(commitment, out.vout, scalar),
        htlc,
        path: "timeout",
        notBeforeMtpSecs: htlc.expirySecs,
        minAgeSecs: owner === "local" ? delay : 0,
      });
      continue;
    }
    const preimage = preimageOf(htlc.paymentHash);
    if (!preimage || !bytesEqual(keccak256d(preimage), htlc.paymentHash)) continue;
    claims.push({
      input: htlcSuccessClaim(commitment, out.vout, scalar, preimage),
      htlc,
      path: "success",
      notBeforeMtpSecs: 0,
      minAgeSecs: owner === "local" ? delay : 0,
    });
  }
  return claims;
}

/** A spend of an HTLC output we offered: the peer's success claim (with the preimage) or our timeout. */
export interface OfferedHtlcSpend {
  readonly htlc: HtlcSpec;
  /** The preimage the witness reveals (the peer's success path); undefined: our timeout path. */
  readonly preimage: Uint8Array | undefined;
}

/**
 * The spends in `tx` of the HTLC outputs we offered in `commitment`: an input whose witness
 * carries the preimage of the output's payment hash is the other side's success path (the
 * payment went through: the preimage settles it upstream); one without is our own timeout claim.
 */
export function offeredHtlcSpends(commitment: CommitmentTx, tx: Tx): OfferedHtlcSpend[] {
  const ours = new Map<string, HtlcSpec>();
  for (const out of commitment.outputs) {
    if (out.htlc?.offeredBy === "local") {
      ours.set(outpointKey({ txid: commitment.txid, vout: out.vout }), out.htlc);
    }
  }
  const found: OfferedHtlcSpend[] = [];
  tx.inputs.forEach((input, i) => {
    const htlc = ours.get(outpointKey(input.prevout));
    if (!htlc) return;
    const preimages = tx.witnesses[i]?.satisfaction.preimages ?? [];
    const preimage = preimages.find((p) => bytesEqual(keccak256d(p), htlc.paymentHash));
    found.push({ htlc, preimage });
  });
  return found;
}

/**
 * What this node proposes and accepts when a channel opens (PROTOCOL §9.11): fresh channel
 * secrets, our parameters and limits, and the checks on the peer's.
 *
 * @module
 */
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { perCommitmentScalar, pointOfScalar } from "../../core/lightning/commitment_keys.ts";
import type { ChannelLimits } from "../../core/lightning/channel_types.ts";
import type { ChannelPartyParams } from "../../core/lightning/commitment_spec.ts";
import { MRES_PER_RESONANCE } from "../../core/lightning/commitment_tx.ts";
import type { ChannelSecrets } from "./channel_file_record.ts";

/** Smallest channel this node opens or accepts, resonances (0.001 RNT). */
export const MIN_CHANNEL_RESONANCES = 100_000n;
/** Largest `to_self_delay` this node accepts from a peer, seconds (two weeks). */
export const MAX_TO_SELF_DELAY_SECS = 14 * 86_400;
/** Largest `minimum_depth` this node waits for. */
export const MAX_MINIMUM_DEPTH = 100;
/** Dust limit of our commitments, resonances. */
export const DUST_LIMIT_RESONANCES = 546n;

/**
 * The delay we impose on the peer's own output (`to_self_delay`, seconds of MTP): one day, and
 * 5 s on regtest so tests see a force close complete in a few blocks.
 */
export function toSelfDelayFor(params: NetworkParams): number {
  return params.name === "regtest" ? 5 : 86_400;
}

/**
 * Blocks a fundee waits for the funding transaction before abandoning the channel (BOLT 2: 2016;
 * 10 on regtest).
 */
export function fundingTimeoutBlocksFor(params: NetworkParams): number {
  return params.name === "regtest" ? 10 : 2016;
}

/** Confirmations we ask for before `channel_ready`: 1 on regtest, else 3. */
export function minimumDepthFor(params: NetworkParams): number {
  return params.name === "regtest" ? 1 : 3;
}

/** Fresh random secrets for one channel and its per-commitment seed. */
export function freshChannelSecrets(): { secrets: ChannelSecrets; seed: Uint8Array } {
  const scalar = () => perCommitmentScalar(crypto.getRandomValues(new Uint8Array(32)));
  return {
    secrets: {
      fundingSeed: crypto.getRandomValues(new Uint8Array(32)),
      revocation: scalar(),
      payment: scalar(),
      delayed: scalar(),
      htlc: scalar(),
    },
    seed: crypto.getRandomValues(new Uint8Array(32)),
  };
}

/** Our public parameters from our secrets. */
export function partyParamsOf(
  secrets: ChannelSecrets,
  toSelfDelaySecs: number,
): ChannelPartyParams {
  return {
    fundingKey: keyPairFromSeed(secrets.fundingSeed).publicKey,
    revocationBasepoint: pointOfScalar(secrets.revocation),
    paymentBasepoint: pointOfScalar(secrets.payment),
    delayedPaymentBasepoint: pointOfScalar(secrets.delayed),
    htlcBasepoint: pointOfScalar(secrets.htlc),
    toSelfDelaySecs,
    dustLimitResonances: DUST_LIMIT_RESONANCES,
  };
}

/** The limits we set on what the peer offers us in a channel of `fundingResonances`. */
export function limitsFor(fundingResonances: bigint): ChannelLimits {
  const capacityMres = fundingResonances * MRES_PER_RESONANCE;
  return {
    reserveMres: capacityMres / 100n,
    maxAcceptedHtlcs: 30,
    maxHtlcValueInFlightMres: capacityMres,
    htlcMinimumMres: 1000n,
  };
}

/**
 * Why the peer's parameters are unacceptable in a channel of `fundingResonances`, or undefined
 * when they are fine.
 */
export function refusePeerTerms(
  fundingResonances: bigint,
  params: ChannelPartyParams,
  limits: ChannelLimits,
): string | undefined {
  const capacityMres = fundingResonances * MRES_PER_RESONANCE;
  if (params.toSelfDelaySecs < 1 || params.toSelfDelaySecs > MAX_TO_SELF_DELAY_SECS) {
    return `to_self_delay of ${params.toSelfDelaySecs} s is outside [1, ${MAX_TO_SELF_DELAY_SECS}]`;
  }
  if (params.dustLimitResonances * 100n > fundingResonances) {
    return `dust limit of ${params.dustLimitResonances} resonances is over 1% of the channel`;
  }
  if (limits.reserveMres * 5n > capacityMres) {
    return `reserve of ${limits.reserveMres} mres is over 20% of the channel`;
  }
  return undefined;
}

/**
 * The production {@link CommitmentSigner} (PROTOCOL.md §9.8): builds each spec's real commitment
 * transaction with `buildCommitmentTx` (§9.7) on the channel's funding outpoint and signs, or
 * checks, its funding-input sighash with the funding keys. A spec the builder refuses throws
 * RangeError, so nothing unbuildable is ever signed.
 *
 * @module
 */
import { verify } from "../crypto/ed25519.ts";
import type { OutPoint } from "../primitives/tx.ts";
import { sighash } from "../primitives/tx_hash.ts";
import type { ChannelConfig, CommitmentSigner } from "./channel_types.ts";
import type { CommitmentSpec } from "./commitment_spec.ts";
import {
  buildCommitmentTx,
  type CommitmentTx,
  fundingOutput,
  MRES_PER_RESONANCE,
  signFundingSpend,
} from "./commitment_tx.ts";

/** What the signer needs besides the channel config. */
export interface FundingSignerKeys {
  /** Network magic every sighash commits to. */
  readonly magic: Uint8Array;
  /** The funding output the commitments spend. */
  readonly fundingOutpoint: OutPoint;
  /** Our funding key's RFC 8032 seed (its public key is `config.localParams.fundingKey`). */
  readonly fundingSeed: Uint8Array;
}

/** The commitment transaction of `spec` (owner named in the spec) with `point`, unsigned. */
export function commitmentTxOf(
  config: ChannelConfig,
  magic: Uint8Array,
  fundingOutpoint: OutPoint,
  spec: CommitmentSpec,
  point: Uint8Array,
): CommitmentTx {
  return buildCommitmentTx(magic, spec, {
    local: config.localParams,
    remote: config.remoteParams,
    funder: config.funder,
    fundingOutpoint,
    fundingValue: config.capacityMres / MRES_PER_RESONANCE,
    ownerPerCommitmentPoint: point,
  });
}

/**
 * A signer over the real commitment transactions of `config`'s channel.
 *
 * @example
 * ```ts ignore
 * const signer = fundingSigner(config, { magic, fundingOutpoint, fundingSeed });
 * const state = createChannel(opening, signer);
 * ```
 */
export function fundingSigner(config: ChannelConfig, keys: FundingSignerKeys): CommitmentSigner {
  const funding = fundingOutput(
    config.localParams.fundingKey,
    config.remoteParams.fundingKey,
    config.capacityMres / MRES_PER_RESONANCE,
  ).output;
  const build = (spec: CommitmentSpec, point: Uint8Array) =>
    commitmentTxOf(config, keys.magic, keys.fundingOutpoint, spec, point).tx;
  return {
    signRemoteCommitment: (spec, point) =>
      signFundingSpend(
        keys.magic,
        build(spec, point),
        funding,
        keys.fundingSeed,
        config.localParams.fundingKey,
      ).signature,
    verifyLocalCommitment: (spec, point, signature) => {
      try {
        return verify(
          signature,
          sighash(keys.magic, build(spec, point), 0, [funding]),
          config.remoteParams.fundingKey,
        );
      } catch {
        return false;
      }
    },
  };
}

/**
 * The transactions the node builds from a stored channel (PROTOCOL §9.11): our funding
 * signature on a funding spend, the cooperative close both sides compute alike, our latest
 * commitment with both signatures (force close), and the sweep of our own output of it. Pure
 * functions of the record and the network magic.
 *
 * @module
 */
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { type AddressData, readAddressData } from "../../core/primitives/address.ts";
import type { Policy } from "../../core/primitives/policy.ts";
import type { Tx, TxOut } from "../../core/primitives/tx.ts";
import { buildCooperativeCloseTx } from "../../core/lightning/channel_close.ts";
import { localCommitmentPoint } from "../../core/lightning/channel_state.ts";
import type { ChannelState } from "../../core/lightning/channel_types.ts";
import { buildClaimTxAtFeeRate, toOwnerClaim } from "../../core/lightning/commitment_claims.ts";
import { derivePrivateKey } from "../../core/lightning/commitment_keys.ts";
import {
  fundingOutput,
  MRES_PER_RESONANCE,
  signedFundingSpendBytes,
  signFundingSpend,
  withFundingWitness,
} from "../../core/lightning/commitment_tx.ts";
import { commitmentTxOf } from "../../core/lightning/funding_signer.ts";
import type { ChannelRecord } from "./channel_file_record.ts";

/** The channel's funding output and its policy. */
export function fundingOf(r: ChannelRecord): { output: TxOut; policy: Policy } {
  return fundingOutput(
    r.state.config.localParams.fundingKey,
    r.state.config.remoteParams.fundingKey,
    r.state.config.capacityMres / MRES_PER_RESONANCE,
  );
}

/** Our funding key's signature on `tx`, a spend of the channel's funding output. */
export function signFundingSpendOf(r: ChannelRecord, magic: Uint8Array, tx: Tx): Uint8Array {
  return signFundingSpend(
    magic,
    tx,
    fundingOf(r).output,
    r.secrets.fundingSeed,
    r.state.config.localParams.fundingKey,
  ).signature;
}

/** `tx` with the funding witness: our signature and the peer's. */
export function withBothSignatures(
  r: ChannelRecord,
  tx: Tx,
  ours: Uint8Array,
  theirs: Uint8Array,
): Tx {
  return withFundingWitness(tx, fundingOf(r).policy, [
    { publicKey: r.state.config.localParams.fundingKey, signature: ours },
    { publicKey: r.state.config.remoteParams.fundingKey, signature: theirs },
  ]);
}

/** An address payload (34 bytes, as `shutdown` carries it) as address data. */
export function addressOf(payload: Uint8Array): AddressData {
  return readAddressData(new ByteReader(payload));
}

/** No HTLC and no update in flight, and the peer's last commitment revoked: a close may start. */
export function quiescent(s: ChannelState): boolean {
  return s.base.htlcs.length === 0 && s.log.length === 0 && s.remotePrevCommit === null;
}

/**
 * The cooperative close (unsigned) of a channel whose both `shutdown` addresses are known: the
 * base balances, the fee `feerate_per_byte × signedFundingSpendBytes(outputs)` from the funder's.
 * Both sides compute the same transaction and fee.
 */
export function cooperativeCloseOf(r: ChannelRecord): { tx: Tx; fee: bigint } {
  if (!r.localShutdown || !r.remoteShutdown) {
    throw new RangeError("a cooperative close needs both shutdown addresses");
  }
  const c = r.state.config;
  const base = {
    fundingOutpoint: r.fundingOutpoint,
    fundingValue: c.capacityMres / MRES_PER_RESONANCE,
    localBalanceMres: r.state.base.localBalanceMres,
    remoteBalanceMres: r.state.base.remoteBalanceMres,
    localAddress: addressOf(r.localShutdown),
    remoteAddress: addressOf(r.remoteShutdown),
    funder: c.funder,
    dustLimitResonances: c.localParams.dustLimitResonances > c.remoteParams.dustLimitResonances
      ? c.localParams.dustLimitResonances
      : c.remoteParams.dustLimitResonances,
  };
  const outputs = buildCooperativeCloseTx({ ...base, feeResonances: 0n }).outputs.length;
  const fee = BigInt(r.state.base.feeratePerByte) * BigInt(signedFundingSpendBytes(outputs));
  return { tx: buildCooperativeCloseTx({ ...base, feeResonances: fee }), fee };
}

/** Our latest commitment with our signature and the peer's: what a force close publishes. */
export function signedLocalCommitment(r: ChannelRecord, magic: Uint8Array): Tx {
  const { number, spec, signature } = r.state.localCommit;
  const built = commitmentTxOf(
    r.state.config,
    magic,
    r.fundingOutpoint,
    spec,
    localCommitmentPoint(r.state, number),
  );
  return withBothSignatures(r, built.tx, signFundingSpendOf(r, magic, built.tx), signature);
}

/**
 * The sweep of our to_owner output of our latest commitment to `destination` at `feePerByte`
 * (valid once `to_self_delay` has passed since the commitment confirmed); undefined when that
 * output was left out as dust.
 */
export function ownOutputSweep(
  r: ChannelRecord,
  magic: Uint8Array,
  destination: AddressData,
  feePerByte: bigint,
): Tx | undefined {
  const { number, spec } = r.state.localCommit;
  const point = localCommitmentPoint(r.state, number);
  const built = commitmentTxOf(r.state.config, magic, r.fundingOutpoint, spec, point);
  if (!built.outputs.some((o) => o.role === "to-owner")) return undefined;
  const claim = toOwnerClaim(built, derivePrivateKey(r.secrets.delayed, point));
  return buildClaimTxAtFeeRate(magic, [claim], destination, feePerByte);
}

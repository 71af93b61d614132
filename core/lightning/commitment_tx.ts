/**
 * The commitment transaction (PROTOCOL.md §9.7, BOLT 3 "Commitment Transaction" on rnt
 * policies): built deterministically from a {@link CommitmentSpec}, both sides'
 * {@link ChannelPartyParams}, the funding outpoint and value, and the owner's per-commitment
 * point, so both sides build identical bytes and sign the same sighash.
 *
 * Recipe:
 * 1. Σ (toOwnerMres + toOtherMres + every HTLC) must be the funding value × 1000.
 * 2. Each amount is rounded down to whole resonances; the fee is subtracted from the funder's
 *    balance (floored at 0).
 * 3. An output below the owner's `dustLimitResonances` (or of value 0) is left out; its value
 *    goes to the fee.
 * 4. Outputs are sorted by value, then by address payload (kind ‖ policy hash), then by their
 *    index in the spec (HTLCs in spec order; only identical HTLC outputs can tie).
 * 5. One input spending the funding outpoint; `sequence` = the low 32 bits and `locktime` = the
 *    high 16 bits of the obscured commitment number (a locktime below 2¹⁶ s is always final).
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { sign } from "../crypto/ed25519.ts";
import type { Policy } from "../primitives/policy.ts";
import { type KeySignature, makeSatisfaction } from "../primitives/satisfaction.ts";
import { compareBytes } from "../primitives/satisfaction.ts";
import type { OutPoint, Tx, TxOut } from "../primitives/tx.ts";
import { sighash, txid } from "../primitives/tx_hash.ts";
import {
  type CommitmentKeys,
  commitmentKeys,
  contractAddress,
  fundingPolicy,
  offeredHtlcPolicy,
  receivedHtlcPolicy,
  toOtherPolicy,
  toOwnerPolicy,
} from "./channel_policies.ts";
import type {
  ChannelPartyParams,
  ChannelSide,
  CommitmentSpec,
  HtlcSpec,
} from "./commitment_spec.ts";

/** Milli-resonances per resonance. */
export const MRES_PER_RESONANCE = 1000n;
/** Commitment numbers are 48-bit (BOLT 3). */
export const MAX_COMMITMENT_NUMBER = (1n << 48n) - 1n;
/** The transaction version every channel transaction writes. */
export const CHANNEL_TX_VERSION = 1;

/** What the commitment builder needs besides the spec. */
export interface CommitmentTxParams {
  /** The node's own parameters. */
  readonly local: ChannelPartyParams;
  /** The peer's parameters. */
  readonly remote: ChannelPartyParams;
  /** The side that funded the channel (pays the fee of every commitment). */
  readonly funder: ChannelSide;
  /** The funding output. */
  readonly fundingOutpoint: OutPoint;
  /** Its value, resonances. */
  readonly fundingValue: bigint;
  /** The per-commitment point of the commitment's owner at `spec.commitmentNumber` (§9.6). */
  readonly ownerPerCommitmentPoint: Uint8Array;
}

/** What an output of a commitment is. */
export type CommitmentOutputRole = "to-owner" | "to-other" | "offered-htlc" | "received-htlc";

/** One output of a built commitment. */
export interface CommitmentOutput {
  /** Its index in the transaction. */
  readonly vout: number;
  /** What it is; "offered" and "received" are seen from the owner. */
  readonly role: CommitmentOutputRole;
  /** Its value (resonances) and contract address. */
  readonly output: TxOut;
  /** The policy its address commits to (revealed by whoever spends it). */
  readonly policy: Policy;
  /** The HTLC, for HTLC outputs. */
  readonly htlc?: HtlcSpec;
}

/** A built, unsigned commitment and everything needed to sign and spend it. */
export interface CommitmentTx {
  /** The transaction without witnesses (sign it, then {@link withFundingWitness}). */
  readonly tx: Tx;
  /** Its txid. */
  readonly txid: Uint8Array;
  /** The outputs in transaction order. */
  readonly outputs: readonly CommitmentOutput[];
  /** HTLCs left out as dust (their value went to the fee). */
  readonly trimmedHtlcs: readonly HtlcSpec[];
  /** The keys of this commitment. */
  readonly keys: CommitmentKeys;
  /** The funding output this commitment spends, and its policy. */
  readonly fundingOutput: TxOut;
  readonly fundingPolicy: Policy;
  /** The fee actually paid: funding value − Σ outputs (spec fee + rounding + trimmed dust). */
  readonly feeResonances: bigint;
}

/** The funding output (kind contract) of a channel between two funding keys. */
export function fundingOutput(
  fundingKeyA: Uint8Array,
  fundingKeyB: Uint8Array,
  valueResonances: bigint,
): { output: TxOut; policy: Policy } {
  const policy = fundingPolicy(fundingKeyA, fundingKeyB);
  return { output: { value: valueResonances, address: contractAddress(policy) }, policy };
}

/**
 * The obscured commitment number: `n XOR (low 48 bits of SHA-256(funder payment basepoint ‖
 * fundee payment basepoint))`, as BOLT 3, so the chain does not show how many updates a channel had
 * but the two sides can read the number of a published commitment back.
 */
export function obscuredCommitmentNumber(
  commitmentNumber: bigint,
  funderPaymentBasepoint: Uint8Array,
  fundeePaymentBasepoint: Uint8Array,
): bigint {
  if (commitmentNumber < 0n || commitmentNumber > MAX_COMMITMENT_NUMBER) {
    throw new RangeError(`Commitment number out of range: ${commitmentNumber}`);
  }
  return commitmentNumber ^ obscuringFactor(funderPaymentBasepoint, fundeePaymentBasepoint);
}

/** The commitment number of a published commitment (inverse of the sequence/locktime coding). */
export function commitmentNumberOf(
  tx: Tx,
  funderPaymentBasepoint: Uint8Array,
  fundeePaymentBasepoint: Uint8Array,
): bigint {
  if (tx.inputs.length !== 1 || tx.locktime >= 2 ** 16) {
    throw new RangeError("Not a commitment transaction");
  }
  const obscured = (BigInt(tx.locktime) << 32n) | BigInt(tx.inputs[0]!.sequence);
  return obscured ^ obscuringFactor(funderPaymentBasepoint, fundeePaymentBasepoint);
}

/**
 * Builds the commitment transaction of `spec` (see the module doc). RangeError when the amounts
 * do not add up to the funding value, an amount is negative, or nothing is left above dust.
 */
export function buildCommitmentTx(
  magic: Uint8Array,
  spec: CommitmentSpec,
  params: CommitmentTxParams,
): CommitmentTx {
  const owner = spec.owner === "local" ? params.local : params.remote;
  const other = spec.owner === "local" ? params.remote : params.local;
  checkAmounts(spec, params.fundingValue);
  const keys = commitmentKeys(owner, other, params.ownerPerCommitmentPoint);
  if (spec.feeResonances < 0n) {
    throw new RangeError(`Fee must not be negative, got ${spec.feeResonances}`);
  }
  const candidates = candidateOutputs(spec, keys, params.funder === spec.owner);
  const kept = candidates.filter((c) => !isDust(c.output.value, owner.dustLimitResonances));
  if (kept.length === 0) throw new RangeError("Commitment has no output above the dust limit");
  kept.sort(compareOutputs);
  const outputs = kept.map(({ order: _, ...c }, vout) => ({ ...c, vout }));
  const trimmedHtlcs = candidates
    .filter((c) => c.htlc && isDust(c.output.value, owner.dustLimitResonances))
    .map((c) => c.htlc!);
  const [funderParams, fundeeParams] = params.funder === "local"
    ? [params.local, params.remote]
    : [params.remote, params.local];
  const obscured = obscuredCommitmentNumber(
    spec.commitmentNumber,
    funderParams.paymentBasepoint,
    fundeeParams.paymentBasepoint,
  );
  const tx: Tx = {
    version: CHANNEL_TX_VERSION,
    inputs: [{ prevout: params.fundingOutpoint, sequence: Number(obscured & 0xffff_ffffn) }],
    outputs: outputs.map((o) => o.output),
    locktime: Number(obscured >> 32n),
    witnesses: [],
  };
  const funding = fundingOutput(
    params.local.fundingKey,
    params.remote.fundingKey,
    params.fundingValue,
  );
  const paid = tx.outputs.reduce((s, o) => s + o.value, 0n);
  return {
    tx,
    txid: txid(magic, tx),
    outputs,
    trimmedHtlcs,
    keys,
    fundingOutput: funding.output,
    fundingPolicy: funding.policy,
    feeResonances: params.fundingValue - paid,
  };
}

/**
 * Bytes of a signed commitment (or any one-input funding spend) with `outputCount` outputs:
 * 4 version + 1 input count + 40 input + CompactSize(n) + 42 per output + 8 locktime + 1 witness
 * count + 78 funding policy + 194 satisfaction (two signatures) = 326 + |CompactSize(n)| + 42·n.
 */
export function signedFundingSpendBytes(outputCount: number): number {
  if (!Number.isInteger(outputCount) || outputCount < 1 || outputCount > 0xffff) {
    throw new RangeError(`Output count out of range: ${outputCount}`);
  }
  return 326 + (outputCount < 253 ? 1 : 3) + 42 * outputCount;
}

/**
 * The fee of a commitment at `feePerByte` resonances per byte with `htlcOutputCount` untrimmed
 * HTLCs, counting both balance outputs whether trimmed or not (as BOLT 3 counts its base weight):
 * so the fee does not depend on the trimming it causes.
 */
export function commitmentFeeResonances(feePerByte: bigint, htlcOutputCount: number): bigint {
  if (feePerByte < 0n) throw new RangeError(`Fee rate must not be negative, got ${feePerByte}`);
  return feePerByte * BigInt(signedFundingSpendBytes(htlcOutputCount + 2));
}

/**
 * One side's signature on a transaction spending the funding output (a commitment, a cooperative
 * close or a refresh): Ed25519 with the side's funding key seed on input 0's sighash.
 */
export function signFundingSpend(
  magic: Uint8Array,
  tx: Tx,
  fundingOutput: TxOut,
  fundingSeed: Uint8Array,
  fundingKey: Uint8Array,
): KeySignature {
  const unsigned: Tx = { ...tx, witnesses: [] };
  return {
    publicKey: fundingKey,
    signature: sign(fundingSeed, sighash(magic, unsigned, 0, [fundingOutput])),
  };
}

/** `tx` with the funding input's witness: the funding policy and both sides' signatures. */
export function withFundingWitness(
  tx: Tx,
  fundingPolicy: Policy,
  signatures: readonly [KeySignature, KeySignature],
): Tx {
  if (tx.inputs.length !== 1) throw new RangeError("A funding spend has exactly one input");
  return {
    ...tx,
    witnesses: [{ policy: fundingPolicy, satisfaction: makeSatisfaction(signatures) }],
  };
}

type Candidate = Omit<CommitmentOutput, "vout"> & { readonly order: number };

/**
 * Every output before trimming, with its index in [HTLCs in spec order, to_owner, to_other]:
 * values rounded down to resonances, the fee taken from the funder's balance (floored at 0).
 */
function candidateOutputs(
  spec: CommitmentSpec,
  keys: CommitmentKeys,
  ownerFunds: boolean,
): Candidate[] {
  const resonances = (mres: bigint, paysFee: boolean) => {
    const left = mres / MRES_PER_RESONANCE - (paysFee ? spec.feeResonances : 0n);
    return left < 0n ? 0n : left;
  };
  const candidates: Candidate[] = spec.htlcs.map((htlc, order) => {
    const offered = htlc.offeredBy === spec.owner;
    const policy = offered
      ? offeredHtlcPolicy(keys, htlc.paymentHash, htlc.expirySecs)
      : receivedHtlcPolicy(keys, htlc.paymentHash, htlc.expirySecs);
    const value = resonances(htlc.amountMres, false);
    return {
      role: offered ? "offered-htlc" : "received-htlc",
      output: { value, address: contractAddress(policy) },
      policy,
      htlc,
      order,
    };
  });
  const ownerPolicy = toOwnerPolicy(keys);
  const otherPolicy = toOtherPolicy(keys);
  candidates.push({
    role: "to-owner",
    output: {
      value: resonances(spec.toOwnerMres, ownerFunds),
      address: contractAddress(ownerPolicy),
    },
    policy: ownerPolicy,
    order: spec.htlcs.length,
  }, {
    role: "to-other",
    output: {
      value: resonances(spec.toOtherMres, !ownerFunds),
      address: contractAddress(otherPolicy),
    },
    policy: otherPolicy,
    order: spec.htlcs.length + 1,
  });
  return candidates;
}

function checkAmounts(spec: CommitmentSpec, fundingValue: bigint): void {
  const amounts = [spec.toOwnerMres, spec.toOtherMres, ...spec.htlcs.map((h) => h.amountMres)];
  if (amounts.some((a) => a < 0n)) throw new RangeError("Commitment amounts must not be negative");
  const total = amounts.reduce((s, a) => s + a, 0n);
  if (total !== fundingValue * MRES_PER_RESONANCE) {
    throw new RangeError(
      `Commitment amounts add up to ${total} mres, the funding output holds ${
        fundingValue * MRES_PER_RESONANCE
      }`,
    );
  }
}

function isDust(value: bigint, dustLimit: bigint): boolean {
  return value === 0n || value < dustLimit;
}

function compareOutputs(
  a: { output: TxOut; order: number },
  b: { output: TxOut; order: number },
): number {
  if (a.output.value !== b.output.value) return a.output.value < b.output.value ? -1 : 1;
  if (a.output.address.kind !== b.output.address.kind) {
    return a.output.address.kind - b.output.address.kind;
  }
  return compareBytes(a.output.address.hash, b.output.address.hash) || a.order - b.order;
}

function obscuringFactor(
  funderPaymentBasepoint: Uint8Array,
  fundeePaymentBasepoint: Uint8Array,
): bigint {
  const h = sha256(concat(funderPaymentBasepoint, fundeePaymentBasepoint));
  let n = 0n;
  for (let i = 26; i < 32; i++) n = (n << 8n) | BigInt(h[i]!);
  return n;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/**
 * Transactions that spend the outputs of a published commitment (PROTOCOL.md §9.7): the owner's
 * delayed sweep, the other side's sweep, HTLC success (preimage) and timeout claims, and the
 * penalty that takes every output of a revoked commitment with the revocation key.
 *
 * Each helper checks that the scalar it is given is the key the output's policy names (a wrong
 * key is a RangeError, not a transaction the chain would refuse), and returns a
 * {@link ClaimInput}; {@link buildClaimTx} signs any set of them into one transaction paying one
 * address. Timelocks are the policies' own (`older`, `after`): the claim's `locktime` is 0.
 *
 * @module
 */
import { keccak256d } from "../crypto/keccak.ts";
import type { AddressData } from "../primitives/address.ts";
import type { Policy } from "../primitives/policy.ts";
import { makeSatisfaction } from "../primitives/satisfaction.ts";
import { type OutPoint, type Tx, type TxOut, txSize } from "../primitives/tx.ts";
import { sighashes } from "../primitives/tx_hash.ts";
import { bytesEqual } from "../util/bytes_equal.ts";
import { CHANNEL_TX_VERSION, type CommitmentOutput, type CommitmentTx } from "./commitment_tx.ts";
import { ed25519KeyOfScalar, signWithScalar } from "./scalar_signer.ts";

/** The `sequence` of every claim input (not interpreted by consensus). */
export const CLAIM_SEQUENCE = 0xffff_ffff;

/** One output to spend, with what satisfies its policy. */
export interface ClaimInput {
  /** The output spent. */
  readonly outpoint: OutPoint;
  /** Its value and address (committed to by the sighash). */
  readonly output: TxOut;
  /** Its policy, revealed in the witness. */
  readonly policy: Policy;
  /** The scalars that sign (each a key the chosen branch names). */
  readonly scalars: readonly bigint[];
  /** Preimages of the branch's `hash()` lock, if any. */
  readonly preimages: readonly Uint8Array[];
}

/** The owner's claim of its to_owner output (opens `toSelfDelaySecs` after confirmation). */
export function toOwnerClaim(commitment: CommitmentTx, delayedScalar: bigint): ClaimInput {
  const out = outputOf(commitment, "to-owner");
  expectKey(delayedScalar, commitment.keys.delayedKey, "the owner's delayed key");
  return claim(commitment, out, [delayedScalar], []);
}

/** The other side's claim of its to_other output (its static payment basepoint's scalar). */
export function toOtherClaim(commitment: CommitmentTx, paymentScalar: bigint): ClaimInput {
  const out = outputOf(commitment, "to-other");
  expectKey(paymentScalar, commitment.keys.otherPaymentKey, "the other side's payment key");
  return claim(commitment, out, [paymentScalar], []);
}

/**
 * The success claim of the HTLC output at `vout` with its payment preimage: by the other side
 * for an offered HTLC (at once), by the owner for a received one (after the delay). `htlcScalar`
 * is the claimer's HTLC private key of this commitment.
 */
export function htlcSuccessClaim(
  commitment: CommitmentTx,
  vout: number,
  htlcScalar: bigint,
  preimage: Uint8Array,
): ClaimInput {
  const out = htlcOutput(commitment, vout);
  if (!bytesEqual(keccak256d(preimage), out.htlc!.paymentHash)) {
    throw new RangeError("Preimage does not hash to the HTLC's payment hash");
  }
  const key = out.role === "offered-htlc"
    ? commitment.keys.otherHtlcKey
    : commitment.keys.ownerHtlcKey;
  expectKey(htlcScalar, key, "the claimer's HTLC key");
  return claim(commitment, out, [htlcScalar], [preimage]);
}

/**
 * The timeout claim of the HTLC output at `vout`: by the owner for an offered HTLC (after the
 * expiry and the delay), by the other side for a received one (after the expiry).
 */
export function htlcTimeoutClaim(
  commitment: CommitmentTx,
  vout: number,
  htlcScalar: bigint,
): ClaimInput {
  const out = htlcOutput(commitment, vout);
  const key = out.role === "offered-htlc"
    ? commitment.keys.ownerHtlcKey
    : commitment.keys.otherHtlcKey;
  expectKey(htlcScalar, key, "the claimer's HTLC key");
  return claim(commitment, out, [htlcScalar], []);
}

/**
 * The penalty: every output of a revoked commitment, taken at once by the other side — the
 * to_owner and HTLC outputs with the revocation key (`deriveRevocationPrivateKey(own revocation
 * basepoint secret, the owner's revealed per-commitment secret)`), its own to_other with its
 * payment scalar (that output waits `older(1)` like any to_other spend). One claim per output, in
 * output order: leave out any output already spent (say an HTLC the other side took with its
 * preimage) and, to broadcast the rest before the commitment is one block old, the to_other one.
 */
export function penaltyClaims(
  commitment: CommitmentTx,
  revocationScalar: bigint,
  paymentScalar: bigint,
): ClaimInput[] {
  expectKey(revocationScalar, commitment.keys.revocationKey, "the revocation key");
  return commitment.outputs.map((out) =>
    out.role === "to-other"
      ? toOtherClaim(commitment, paymentScalar)
      : claim(commitment, out, [revocationScalar], [])
  );
}

/**
 * One transaction spending `inputs` and paying Σ values − `feeResonances` to `destination`, every
 * input signed by its scalars (Ed25519 by a bare scalar, scalar_signer.ts). RangeError when
 * nothing would be left after the fee.
 */
export function buildClaimTx(
  magic: Uint8Array,
  inputs: readonly ClaimInput[],
  destination: AddressData,
  feeResonances: bigint,
): Tx {
  if (inputs.length === 0) throw new RangeError("A claim needs at least one input");
  if (feeResonances < 0n) throw new RangeError(`Fee must not be negative, got ${feeResonances}`);
  const total = inputs.reduce((s, i) => s + i.output.value, 0n);
  if (total - feeResonances < 1n) {
    throw new RangeError(`Inputs of ${total} resonances do not cover a fee of ${feeResonances}`);
  }
  const unsigned: Tx = {
    version: CHANNEL_TX_VERSION,
    inputs: inputs.map((i) => ({ prevout: i.outpoint, sequence: CLAIM_SEQUENCE })),
    outputs: [{ value: total - feeResonances, address: destination }],
    locktime: 0,
    witnesses: [],
  };
  const hashes = sighashes(magic, unsigned, inputs.map((i) => i.output));
  return {
    ...unsigned,
    witnesses: inputs.map((input, i) => ({
      policy: input.policy,
      satisfaction: makeSatisfaction(
        input.scalars.map((s) => ({
          publicKey: ed25519KeyOfScalar(s),
          signature: signWithScalar(s, hashes[i]!),
        })),
        input.preimages,
      ),
    })),
  };
}

/**
 * {@link buildClaimTx} paying `feePerByte` resonances per byte of its own signed size (the size
 * does not depend on the fee: values are fixed-width).
 */
export function buildClaimTxAtFeeRate(
  magic: Uint8Array,
  inputs: readonly ClaimInput[],
  destination: AddressData,
  feePerByte: bigint,
): Tx {
  if (feePerByte < 0n) throw new RangeError(`Fee rate must not be negative, got ${feePerByte}`);
  const size = txSize(buildClaimTx(magic, inputs, destination, 0n));
  return buildClaimTx(magic, inputs, destination, feePerByte * BigInt(size));
}

function claim(
  commitment: CommitmentTx,
  out: CommitmentOutput,
  scalars: readonly bigint[],
  preimages: readonly Uint8Array[],
): ClaimInput {
  return {
    outpoint: { txid: commitment.txid, vout: out.vout },
    output: out.output,
    policy: out.policy,
    scalars,
    preimages,
  };
}

function outputOf(commitment: CommitmentTx, role: "to-owner" | "to-other"): CommitmentOutput {
  const out = commitment.outputs.find((o) => o.role === role);
  if (!out) throw new RangeError(`The commitment has no ${role} output (trimmed as dust)`);
  return out;
}

function htlcOutput(commitment: CommitmentTx, vout: number): CommitmentOutput {
  const out = commitment.outputs[vout];
  if (!out || !out.htlc) throw new RangeError(`Output ${vout} is not an HTLC output`);
  return out;
}

function expectKey(scalar: bigint, key: Uint8Array, what: string): void {
  if (!bytesEqual(ed25519KeyOfScalar(scalar), key)) {
    throw new RangeError(`The scalar given is not ${what} of this commitment`);
  }
}

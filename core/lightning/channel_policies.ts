/**
 * The spending policies of a channel's on-chain outputs (PROTOCOL.md §9.7), in rnt's policy
 * language instead of BOLT 3 scripts. Every output is of recovery kind `contract`, whose
 * mandatory-recovery rule is "a timelock somewhere" (§5.7); each policy below has one.
 *
 * Names: the commitment's _owner_ O (who can publish it) and the _other_ side X.
 * ```
 * funding        and(multi(2, K₁, K₂), older(1))            K₁ < K₂: the two funding keys, sorted
 * to_owner       or(pk(rev), and(pk(delayed), older(delay)))
 * to_other       and(pk(otherPayment), older(1))
 * offered HTLC   or(pk(rev), and(pk(otherHtlc), hash(H)), and(pk(ownerHtlc), after(expiry), older(delay)))
 * received HTLC  or(pk(rev), and(pk(ownerHtlc), hash(H), older(delay)), and(pk(otherHtlc), after(expiry)))
 * ```
 * `delay` is X's `toSelfDelaySecs`: every path by which the owner takes money from its own
 * commitment waits `delay` after the commitment confirms, so the revocation key can take the
 * output first if the commitment was revoked. That is why rnt needs no second-stage HTLC
 * transactions (see {@link offeredHtlcPolicy}).
 *
 * @module
 */
import { RecoveryKind } from "../primitives/address.ts";
import type { AddressData } from "../primitives/address.ts";
import { after, and, hashLock, multi, older, or, pk, type Policy } from "../primitives/policy.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { compareBytes } from "../primitives/satisfaction.ts";
import type { ChannelPartyParams } from "./commitment_spec.ts";
import {
  derivePublicKey,
  deriveRevocationPublicKey,
  ed25519KeyOfPoint,
} from "./commitment_keys.ts";

/** The age a to_other and a funding output must reach before it is spent (PROTOCOL §9.7). */
export const MIN_CONTRACT_AGE_SECS = 1;

/** The Ed25519 keys one commitment's policies name (all 32-byte RFC 8032 encodings). */
export interface CommitmentKeys {
  /** Revocation key: X's revocation basepoint with O's per-commitment point. */
  readonly revocationKey: Uint8Array;
  /** O's delayed payment key (O's delayed payment basepoint, tweaked). */
  readonly delayedKey: Uint8Array;
  /** O's HTLC key (O's HTLC basepoint, tweaked). */
  readonly ownerHtlcKey: Uint8Array;
  /** X's HTLC key (X's HTLC basepoint, tweaked with O's per-commitment point). */
  readonly otherHtlcKey: Uint8Array;
  /** X's payment basepoint, untweaked (BOLT's option_static_remotekey). */
  readonly otherPaymentKey: Uint8Array;
  /** X's `toSelfDelaySecs`: how long O waits for anything it takes from this commitment. */
  readonly toSelfDelaySecs: number;
}

/**
 * The keys of the commitment owned by `owner`, at the owner's per-commitment point (BOLT 3 key
 * derivation with "local" = owner, on ristretto255; PROTOCOL §9.6). Computable by both sides
 * from public data. RangeError on a malformed point or a delay out of policy range.
 */
export function commitmentKeys(
  owner: ChannelPartyParams,
  other: ChannelPartyParams,
  ownerPerCommitmentPoint: Uint8Array,
): CommitmentKeys {
  checkTime(other.toSelfDelaySecs, "toSelfDelaySecs");
  const tweaked = (basepoint: Uint8Array) =>
    ed25519KeyOfPoint(derivePublicKey(basepoint, ownerPerCommitmentPoint));
  return {
    revocationKey: ed25519KeyOfPoint(
      deriveRevocationPublicKey(other.revocationBasepoint, ownerPerCommitmentPoint),
    ),
    delayedKey: tweaked(owner.delayedPaymentBasepoint),
    ownerHtlcKey: tweaked(owner.htlcBasepoint),
    otherHtlcKey: tweaked(other.htlcBasepoint),
    otherPaymentKey: ed25519KeyOfPoint(other.paymentBasepoint),
    toSelfDelaySecs: other.toSelfDelaySecs,
  };
}

/**
 * The funding output's policy: both funding keys (sorted by bytes, so both sides build the same
 * policy) and `older(1)`. Why no unilateral recovery branch: any branch that one side can satisfy
 * alone after a time lets that side take the whole channel, the other side's balance included,
 * once the channel is that old. A branch needing both keys after a time is the 2-of-2 again, so
 * the timelock sits on the 2-of-2 itself with the smallest value; each side's recovery is the
 * signed commitment it holds (it exits alone) and, when both vanish, emission return (§5.8).
 */
export function fundingPolicy(fundingKeyA: Uint8Array, fundingKeyB: Uint8Array): Policy {
  if (compareBytes(fundingKeyA, fundingKeyB) === 0) {
    throw new RangeError("The two funding keys must differ");
  }
  const keys = [fundingKeyA, fundingKeyB].sort(compareBytes);
  return and(multi(2, keys), older(MIN_CONTRACT_AGE_SECS));
}

/** `or(pk(rev), and(pk(delayed), older(delay)))`: the owner's balance, revocable during the delay. */
export function toOwnerPolicy(keys: CommitmentKeys): Policy {
  return or(
    pk(keys.revocationKey),
    and(pk(keys.delayedKey), older(keys.toSelfDelaySecs)),
  );
}

/**
 * `and(pk(otherPayment), older(1))`: the other side's balance. It is never revocable (it is not
 * the publisher's money), so the only timelock is the smallest one the contract kind needs (as
 * BOLT's anchor channels put a 1-block CSV on to_remote); kind contract is the cheapest kind that
 * fits one key and a timelock (a heartbeat output needs two keys and a network-dependent interval).
 */
export function toOtherPolicy(keys: CommitmentKeys): Policy {
  return and(pk(keys.otherPaymentKey), older(MIN_CONTRACT_AGE_SECS));
}

/**
 * An HTLC the owner offered: X takes it at once with the preimage of `paymentHash`; O takes it
 * back once `expirySecs` has passed AND the commitment is `delay` old; the revocation key at any
 * time. Putting `older(delay)` on O's own path replaces BOLT 3's HTLC-timeout transaction (whose
 * only job is to move O's claim into a delayed, revocable output): the policy language says
 * "O, after the expiry and the delay" directly. The cost: the HTLC is resolved on chain no
 * earlier than `delay` after the commitment confirms (BOLT resolves it at the expiry and delays
 * only the funds), so a node's expiry delta must exceed its peers' `toSelfDelaySecs` (§9.7).
 */
export function offeredHtlcPolicy(
  keys: CommitmentKeys,
  paymentHash: Uint8Array,
  expirySecs: number,
): Policy {
  checkTime(expirySecs, "HTLC expiry");
  return or(
    pk(keys.revocationKey),
    and(pk(keys.otherHtlcKey), hashLock(paymentHash)),
    and(pk(keys.ownerHtlcKey), after(expirySecs), older(keys.toSelfDelaySecs)),
  );
}

/**
 * An HTLC the other side offered: O takes it with the preimage once the commitment is `delay`
 * old (BOLT 3's HTLC-success transaction, folded in); X takes it back once `expirySecs` has
 * passed; the revocation key at any time. O must therefore publish its commitment at least
 * `delay` (plus confirmation time) before the expiry to claim an HTLC whose preimage it knows.
 */
export function receivedHtlcPolicy(
  keys: CommitmentKeys,
  paymentHash: Uint8Array,
  expirySecs: number,
): Policy {
  checkTime(expirySecs, "HTLC expiry");
  return or(
    pk(keys.revocationKey),
    and(pk(keys.ownerHtlcKey), hashLock(paymentHash), older(keys.toSelfDelaySecs)),
    and(pk(keys.otherHtlcKey), after(expirySecs)),
  );
}

/** The address (kind contract) of a channel policy. */
export function contractAddress(policy: Policy): AddressData {
  return { kind: RecoveryKind.contract, hash: policyHash(policy) };
}

function checkTime(t: number, what: string): void {
  if (!Number.isSafeInteger(t) || t < 1) {
    throw new RangeError(`${what} must be a whole number of seconds in 1..2^53-1, got ${t}`);
  }
}

/**
 * Mandatory recovery (DESIGN §5, PROTOCOL §5.7): the revealed policy of a spent output must fit
 * its address's recovery kind, and the social-recovery covenant (a guardian spend only makes a
 * pending-recovery output, which its owner can always cancel from the `UtxoEntry` alone).
 *
 * @module
 */
import { toHex } from "../crypto/keccak.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { hasTimelock, pk, type Policy } from "../primitives/policy.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import {
  matchHeartbeat,
  matchPendingRecovery,
  matchSocial,
} from "../primitives/recovery_policies.ts";
import type { Satisfaction } from "../primitives/satisfaction.ts";
import type { Tx } from "../primitives/tx.ts";
import type { UtxoEntry } from "./chain_entry.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/**
 * The policy revealed for an output of recovery kind `kind` must have that kind's shape
 * ("bad-recovery-policy"); an unknown kind is "bad-recovery-kind".
 * - heartbeat: `matchHeartbeat`, interval ≥ `heartbeatMinIntervalSecs`;
 * - social: `matchSocial`;
 * - pending recovery: `matchPendingRecovery`, delay ≥ `socialRecoveryMinDelaySecs`;
 * - contract: has a timelocked branch (`after` or `older` somewhere).
 *
 * @example
 * ```ts
 * import { checkRecoveryPolicy } from "./check_recovery.ts";
 * import { heartbeatPolicy, RecoveryKind } from "../primitives/mod.ts";
 * import { REGTEST } from "./params.ts";
 * const k = new Uint8Array(32).fill(1), r = new Uint8Array(32).fill(2);
 * checkRecoveryPolicy(RecoveryKind.heartbeat, heartbeatPolicy(k, r, 60), REGTEST); // ok
 * ```
 */
export function checkRecoveryPolicy(kind: number, policy: Policy, params: NetworkParams): void {
  switch (kind) {
    case RecoveryKind.heartbeat: {
      const m = matchHeartbeat(policy);
      if (!m) reject("bad-recovery-policy", "not a heartbeat policy");
      if (m.intervalSecs < params.heartbeatMinIntervalSecs) {
        reject(
          "bad-recovery-policy",
          `heartbeat interval ${m.intervalSecs} < ${params.heartbeatMinIntervalSecs}`,
        );
      }
      return;
    }
    case RecoveryKind.social:
      if (!matchSocial(policy)) reject("bad-recovery-policy", "not a social policy");
      return;
    case RecoveryKind.pendingRecovery: {
      const m = matchPendingRecovery(policy);
      if (!m) reject("bad-recovery-policy", "not a pending-recovery policy");
      if (m.delaySecs < params.socialRecoveryMinDelaySecs) {
        reject(
          "bad-recovery-policy",
          `recovery delay ${m.delaySecs} < ${params.socialRecoveryMinDelaySecs}`,
        );
      }
      return;
    }
    case RecoveryKind.contract:
      if (!hasTimelock(policy)) reject("bad-recovery-policy", "contract without a timelock");
      return;
    default:
      reject("bad-recovery-kind", `kind ${kind}`);
  }
}

/**
 * For a spend of a social output: the owner's `policyHash(pk(owner))` when the guardians spend
 * (the satisfaction carries no signature by the owner key), else null.
 */
export function guardianSpendOwnerHash(
  policy: Policy,
  satisfaction: Satisfaction,
): Uint8Array | null {
  const m = matchSocial(policy);
  if (!m) return null;
  const owner = toHex(m.owner);
  if (satisfaction.signatures.some((s) => toHex(s.publicKey) === owner)) return null;
  return policyHash(pk(m.owner));
}

/**
 * The creation half of the social covenant ("bad-social-covenant"): a transaction with a
 * guardian spend (`guardianOwnerHash` non-null) has exactly one input and exactly one output,
 * of kind pending recovery; any other transaction (coinbases included) creates no
 * pending-recovery output.
 */
export function checkSocialCovenant(tx: Tx, guardianOwnerHash: Uint8Array | null): void {
  if (guardianOwnerHash) {
    if (tx.inputs.length !== 1 || tx.outputs.length !== 1) {
      reject("bad-social-covenant", "a guardian spend must have one input and one output");
    }
    if (tx.outputs[0]!.address.kind !== RecoveryKind.pendingRecovery) {
      reject("bad-social-covenant", "a guardian spend must pay a pending-recovery output");
    }
    return;
  }
  if (tx.outputs.some((o) => o.address.kind === RecoveryKind.pendingRecovery)) {
    reject("bad-social-covenant", "only a guardian spend may create a pending-recovery output");
  }
}

/**
 * The spend half of the social covenant ("bad-social-covenant"): a pending-recovery output made
 * by a guardian spend, spent through its own (revealed) policy, must reveal a policy whose
 * owner branch is the original owner's `pk(owner)`.
 */
export function checkPendingOwner(entry: UtxoEntry, policy: Policy): void {
  if (!entry.pendingOwnerHash) return;
  const m = matchPendingRecovery(policy);
  const want = toHex(entry.pendingOwnerHash);
  if (!m || toHex(policyHash(m.ownerPolicy)) !== want) {
    reject("bad-social-covenant", "pending-recovery owner branch is not the original owner");
  }
}

/**
 * True iff spending `entry` with a revealed policy of hash `revealedHash` is the owner's cancel
 * of a pending social recovery: the entry is a pending-recovery output made by a guardian spend
 * and the revealed policy is the original owner's own (`policyHash = pendingOwnerHash`). The
 * cancel needs nothing the guardians committed to (neither the new owner nor the delay), so
 * guardians who withhold or malform the pending policy cannot block it.
 */
export function isOwnerCancel(entry: UtxoEntry, revealedHash: Uint8Array): boolean {
  const owner = entry.pendingOwnerHash;
  return entry.address.kind === RecoveryKind.pendingRecovery && owner !== undefined &&
    bytesEqual(owner, revealedHash);
}

/**
 * The policy rules of one input before its satisfaction is evaluated (PROTOCOL §5.6–§5.7):
 * either the owner's cancel of a pending recovery ({@linkcode isOwnerCancel}: nothing more to
 * check here), or the revealed policy hashes to the output's ("bad-policy-hash"), fits its
 * recovery kind ({@linkcode checkRecoveryPolicy}) and, for a pending recovery, keeps the original
 * owner branch ({@linkcode checkPendingOwner}). Returns which of the two it is.
 */
export function checkRevealedPolicy(
  entry: UtxoEntry,
  policy: Policy,
  params: NetworkParams,
  input = 0,
): "owner-cancel" | "output-policy" {
  const h = policyHash(policy);
  if (isOwnerCancel(entry, h)) return "owner-cancel";
  if (!bytesEqual(h, entry.address.hash)) {
    reject(
      "bad-policy-hash",
      entry.pendingOwnerHash
        ? `input ${input}: neither the pending recovery's policy nor its owner's`
        : `input ${input}`,
    );
  }
  checkRecoveryPolicy(entry.address.kind, policy, params);
  checkPendingOwner(entry, policy);
  return "output-policy";
}

/**
 * Decides whether a satisfaction satisfies a policy in a spending context.
 *
 * Rules, in order (the first failure is the reason):
 * 1. every signature's key appears in the policy (`sig-unknown-key`);
 * 2. every signature verifies (strict Ed25519) on the sighash (`sig-invalid`) — so a witness
 *    carries no junk signatures;
 * 3. every preimage opens some `hash()` lock of the policy (`preimage-unused`);
 * 4. the tree evaluates true (`policy-unsatisfied`): `pk` needs its key's signature, `multi`
 *    k of its keys, `after(t)` `mtpSecs ≥ t`, `older(s)` `inputAgeSecs ≥ s`, `hash(H)` a revealed
 *    preimage P with keccak256d(P) = H, `and` all, `or` any, `thresh(k)` k children.
 *
 * Batch verification: collect {@linkcode signatureChecks} for every input, run
 * `verifyBatch`, and if all pass call this with `verifySignature: () => true` (rule 2 then holds).
 *
 * @module
 */
import { keccak256d, toHex } from "../crypto/keccak.ts";
import { verify, type VerifyItem } from "../crypto/ed25519.ts";
import { type Policy, policyHashLocks, policyKeys } from "./policy.ts";
import type { Satisfaction } from "./satisfaction.ts";

/** The spend context a policy is checked in. */
export interface SatisfactionContext {
  /** The input's sighash (see `sighash()` in tx_hash.ts): the message every signature signs. */
  readonly sighash: Uint8Array;
  /** Median-time-past the `after()` locks compare with (seconds); the consensus code decides which MTP. */
  readonly mtpSecs: number;
  /** Age of the spent output in MTP seconds, compared with `older()` locks. */
  readonly inputAgeSecs: number;
  /** Signature check; defaults to strict Ed25519 `verify(signature, sighash, publicKey)`. */
  readonly verifySignature?: (
    publicKey: Uint8Array,
    signature: Uint8Array,
    message: Uint8Array,
  ) => boolean;
}

/** Why a satisfaction failed. */
export type SatisfactionFailure =
  | "sig-unknown-key"
  | "sig-invalid"
  | "preimage-unused"
  | "policy-unsatisfied";

/** The outcome of {@linkcode checkSatisfaction}. */
export type SatisfactionResult = { ok: true } | { ok: false; reason: SatisfactionFailure };

/** The signature checks a satisfaction implies, for `verifyBatch`. */
export function signatureChecks(satisfaction: Satisfaction, sighash: Uint8Array): VerifyItem[] {
  return satisfaction.signatures.map((s) => ({
    publicKey: s.publicKey,
    message: sighash,
    signature: s.signature,
  }));
}

/**
 * Checks `satisfaction` against `policy` in `ctx`.
 *
 * @example
 * ```ts
 * import { checkSatisfaction } from "./check_satisfaction.ts";
 * import { older } from "./policy.ts";
 * const sat = { signatures: [], preimages: [] };
 * const ctx = { sighash: new Uint8Array(32), mtpSecs: 0, inputAgeSecs: 100 };
 * console.log(checkSatisfaction(older(60), sat, ctx)); // { ok: true }
 * ```
 */
export function checkSatisfaction(
  policy: Policy,
  satisfaction: Satisfaction,
  ctx: SatisfactionContext,
): SatisfactionResult {
  const keys = new Set(policyKeys(policy).map(toHex));
  const signed = new Set<string>();
  const check = ctx.verifySignature ?? ((k, s, m) => verify(s, m, k));
  for (const { publicKey, signature } of satisfaction.signatures) {
    const hex = toHex(publicKey);
    if (!keys.has(hex)) return { ok: false, reason: "sig-unknown-key" };
    if (!check(publicKey, signature, ctx.sighash)) return { ok: false, reason: "sig-invalid" };
    signed.add(hex);
  }
  const locks = new Set(policyHashLocks(policy).map(toHex));
  const opened = new Set<string>();
  for (const p of satisfaction.preimages) {
    const h = toHex(keccak256d(p));
    if (!locks.has(h)) return { ok: false, reason: "preimage-unused" };
    opened.add(h);
  }
  const holds = (p: Policy): boolean => {
    switch (p.type) {
      case "pk":
        return signed.has(toHex(p.key));
      case "multi":
        return p.keys.filter((k) => signed.has(toHex(k))).length >= p.k;
      case "after":
        return ctx.mtpSecs >= p.timeSecs;
      case "older":
        return ctx.inputAgeSecs >= p.ageSecs;
      case "hash":
        return opened.has(toHex(p.hash));
      case "and":
        return p.children.every(holds);
      case "or":
        return p.children.some(holds);
      case "thresh":
        return p.children.filter(holds).length >= p.k;
    }
  };
  return holds(policy) ? { ok: true } : { ok: false, reason: "policy-unsatisfied" };
}

/**
 * Recovery specs: the parameters of an address's mandatory recovery policy (DESIGN §5), and
 * the policy they give for an owner key.
 *
 * - heartbeat: `or(pk(owner), and(older(intervalSecs), pk(recovery)))`; the recovery key is an
 *   external public key or the wallet's own key at branch 2 with the address's index.
 * - social: `or(pk(owner), multi(threshold, guardians…))`; `cancelDelaySecs` is the delay the
 *   guardians must give the pending-recovery output (the owner's window to cancel).
 *
 * @module
 */
import { fromHex, toHex } from "../crypto/keccak.ts";
import { isStrictPublicKey } from "../crypto/ed25519.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { type Policy, POLICY_LIMITS } from "../primitives/policy.ts";
import { heartbeatPolicy, socialPolicy } from "../primitives/recovery_policies.ts";
import { WalletError } from "./wallet_errors.ts";

/** Where a heartbeat's recovery key comes from. */
export type RecoveryKeySource =
  | { readonly type: "key"; readonly publicKey: Uint8Array }
  | { readonly type: "own" };

/** The recovery parameters of an address. */
export type RecoverySpec =
  | {
    readonly kind: "heartbeat";
    readonly intervalSecs: number;
    readonly recovery: RecoveryKeySource;
  }
  | {
    readonly kind: "social";
    readonly guardians: readonly Uint8Array[];
    readonly threshold: number;
    readonly cancelDelaySecs: number;
  };

/** The address recovery kind of a spec. */
export function specKind(spec: RecoverySpec): RecoveryKind {
  return spec.kind === "heartbeat" ? RecoveryKind.heartbeat : RecoveryKind.social;
}

/**
 * The default policy of a new wallet: a heartbeat with the wallet's own recovery key and an
 * interval of a quarter of the emission-return age (about a year on mainnet, 22.5 days on
 * testnet, 15 minutes on regtest), never below the network minimum.
 */
export function defaultRecoverySpec(params: NetworkParams): RecoverySpec {
  const interval = Math.max(
    params.heartbeatMinIntervalSecs,
    Math.floor(params.emissionReturnAgeSecs / 4),
  );
  return { kind: "heartbeat", intervalSecs: interval, recovery: { type: "own" } };
}

/**
 * Checks a spec against the network (interval ≥ heartbeat minimum, delay ≥ social minimum,
 * strict distinct guardian keys, 1 ≤ threshold ≤ guardians ≤ 20); throws
 * `WalletError("bad-recovery-spec")`, or "missing-recovery-policy" when there is none.
 */
export function checkRecoverySpec(spec: RecoverySpec | undefined, params: NetworkParams): void {
  if (!spec) {
    throw new WalletError(
      "missing-recovery-policy",
      "Every address needs a recovery policy (heartbeat or social)",
    );
  }
  const bad = (m: string) => new WalletError("bad-recovery-spec", m);
  if (spec.kind === "heartbeat") {
    const t = spec.intervalSecs;
    if (!Number.isSafeInteger(t) || t < params.heartbeatMinIntervalSecs) {
      throw bad(`Heartbeat interval must be ≥ ${params.heartbeatMinIntervalSecs} s, got ${t}`);
    }
    if (spec.recovery.type === "key" && !isStrictPublicKey(spec.recovery.publicKey)) {
      throw bad("Heartbeat recovery key is not a valid Ed25519 public key");
    }
    if (spec.recovery.type !== "key" && spec.recovery.type !== "own") {
      throw bad("Heartbeat recovery must be an external key or the wallet's own");
    }
    return;
  }
  if (spec.kind !== "social") throw bad(`Unknown recovery kind`);
  const n = spec.guardians.length;
  if (n < 1 || n > POLICY_LIMITS.maxMultiKeys) {
    throw bad(`Social recovery needs 1..${POLICY_LIMITS.maxMultiKeys} guardians, got ${n}`);
  }
  if (!Number.isInteger(spec.threshold) || spec.threshold < 1 || spec.threshold > n) {
    throw bad(`Guardian threshold must be 1..${n}, got ${spec.threshold}`);
  }
  if (new Set(spec.guardians.map(toHex)).size !== n) throw bad("Guardian keys must be distinct");
  if (!spec.guardians.every(isStrictPublicKey)) {
    throw bad("A guardian key is not a valid Ed25519 public key");
  }
  const d = spec.cancelDelaySecs;
  if (!Number.isSafeInteger(d) || d < params.socialRecoveryMinDelaySecs) {
    throw bad(`Cancel delay must be ≥ ${params.socialRecoveryMinDelaySecs} s, got ${d}`);
  }
}

/** The policy of `spec` for `owner` (`ownRecovery` is the wallet's recovery key, if used). */
export function policyOfSpec(
  spec: RecoverySpec,
  owner: Uint8Array,
  ownRecovery: Uint8Array | null,
): Policy {
  if (spec.kind === "social") return socialPolicy(owner, spec.threshold, spec.guardians);
  const recovery = spec.recovery.type === "key" ? spec.recovery.publicKey : ownRecovery;
  if (!recovery) throw new RangeError("Own recovery key missing");
  return heartbeatPolicy(owner, recovery, spec.intervalSecs);
}

/** JSON form of a spec (keys as hex). */
export type RecoverySpecJson =
  | { kind: "heartbeat"; intervalSecs: number; recoveryKey: string | null }
  | { kind: "social"; guardians: string[]; threshold: number; cancelDelaySecs: number };

/** The JSON form of a spec. */
export function specToJson(spec: RecoverySpec): RecoverySpecJson {
  return spec.kind === "heartbeat"
    ? {
      kind: "heartbeat",
      intervalSecs: spec.intervalSecs,
      recoveryKey: spec.recovery.type === "key" ? toHex(spec.recovery.publicKey) : null,
    }
    : {
      kind: "social",
      guardians: spec.guardians.map(toHex),
      threshold: spec.threshold,
      cancelDelaySecs: spec.cancelDelaySecs,
    };
}

/** Parses the JSON form of a spec; `WalletError("bad-wallet-data")` on a wrong shape. */
export function specFromJson(j: unknown): RecoverySpec {
  const bad = () => new WalletError("bad-wallet-data", "Malformed recovery spec");
  if (typeof j !== "object" || j === null) throw bad();
  const o = j as Record<string, unknown>;
  const hex = (v: unknown) => {
    if (typeof v !== "string" || !/^[0-9a-f]{64}$/.test(v)) throw bad();
    return fromHex(v);
  };
  const int = (v: unknown) => {
    if (!Number.isSafeInteger(v)) throw bad();
    return v as number;
  };
  if (o.kind === "heartbeat") {
    return {
      kind: "heartbeat",
      intervalSecs: int(o.intervalSecs),
      recovery: o.recoveryKey === null
        ? { type: "own" }
        : { type: "key", publicKey: hex(o.recoveryKey) },
    };
  }
  if (o.kind === "social") {
    if (!Array.isArray(o.guardians)) throw bad();
    return {
      kind: "social",
      guardians: o.guardians.map(hex),
      threshold: int(o.threshold),
      cancelDelaySecs: int(o.cancelDelaySecs),
    };
  }
  throw bad();
}

/** Two specs with the same kind and parameters. */
export function sameSpec(a: RecoverySpec, b: RecoverySpec): boolean {
  return JSON.stringify(specToJson(a)) === JSON.stringify(specToJson(b));
}

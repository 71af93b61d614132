/**
 * The mandatory-recovery policy templates (DESIGN §5) and matchers that recognise them, so
 * consensus can check an interval or a social-recovery covenant from a revealed policy.
 *
 * - heartbeat: `or(pk(owner),and(older(interval),pk(recovery)))`
 * - social: `or(pk(owner),multi(k,guardian…))`
 * - pending recovery: `or(ownerPolicy,and(older(delay),newOwnerPolicy))`
 *
 * @module
 */
import { and, multi, older, or, pk, type Policy } from "./policy.ts";

/** Heartbeat policy: the owner any time; the recovery key once the output is `intervalSecs` old. */
export function heartbeatPolicy(
  owner: Uint8Array,
  recovery: Uint8Array,
  intervalSecs: number,
): Policy {
  return or(pk(owner), and(older(intervalSecs), pk(recovery)));
}

/** Social-recovery policy: the owner, or `k` of the guardians. */
export function socialPolicy(
  owner: Uint8Array,
  k: number,
  guardians: readonly Uint8Array[],
): Policy {
  return or(pk(owner), multi(k, guardians));
}

/**
 * Pending-recovery policy: the previous owner's policy can still spend (cancel) until the output
 * is `delaySecs` old; after that the new owner's policy can.
 */
export function pendingRecoveryPolicy(
  ownerPolicy: Policy,
  delaySecs: number,
  newOwnerPolicy: Policy,
): Policy {
  return or(ownerPolicy, and(older(delaySecs), newOwnerPolicy));
}

/** The parts of a heartbeat policy, or null if `p` does not have exactly that shape. */
export function matchHeartbeat(
  p: Policy,
): { owner: Uint8Array; recovery: Uint8Array; intervalSecs: number } | null {
  if (p.type !== "or" || p.children.length !== 2) return null;
  const [a, b] = p.children as [Policy, Policy];
  if (a.type !== "pk" || b.type !== "and" || b.children.length !== 2) return null;
  const [t, r] = b.children as [Policy, Policy];
  if (t.type !== "older" || r.type !== "pk") return null;
  return { owner: a.key, recovery: r.key, intervalSecs: t.ageSecs };
}

/** The parts of a social-recovery policy, or null if `p` does not have exactly that shape. */
export function matchSocial(
  p: Policy,
): { owner: Uint8Array; k: number; guardians: readonly Uint8Array[] } | null {
  if (p.type !== "or" || p.children.length !== 2) return null;
  const [a, b] = p.children as [Policy, Policy];
  if (a.type !== "pk" || b.type !== "multi") return null;
  return { owner: a.key, k: b.k, guardians: b.keys };
}

/** The parts of a pending-recovery policy, or null if `p` does not have exactly that shape. */
export function matchPendingRecovery(
  p: Policy,
): { ownerPolicy: Policy; delaySecs: number; newOwnerPolicy: Policy } | null {
  if (p.type !== "or" || p.children.length !== 2) return null;
  const [a, b] = p.children as [Policy, Policy];
  if (b.type !== "and" || b.children.length !== 2) return null;
  const [t, n] = b.children as [Policy, Policy];
  if (t.type !== "older") return null;
  return { ownerPolicy: a, delaySecs: t.ageSecs, newOwnerPolicy: n };
}

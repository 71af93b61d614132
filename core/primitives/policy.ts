/**
 * The spending-policy language (DESIGN §5) as a typed tree:
 * `pk(K)`, `multi(k, K…)`, `after(t)`, `older(s)`, `hash(H)`, `and(…)`, `or(…)`, `thresh(k, …)`.
 *
 * - `pk(K)`: a valid signature by Ed25519 key K on the input's sighash.
 * - `multi(k, K₁…Kₙ)`: valid signatures by at least k of the n distinct keys.
 * - `after(t)`: the chain's median-time-past is at least t (absolute, seconds since epoch).
 * - `older(s)`: the spent output is at least s seconds old, in median-time-past.
 * - `hash(H)`: a 32-byte preimage P with keccak256d(P) = H is revealed.
 * - `and(…)` all, `or(…)` any, `thresh(k, …)` at least k of its children.
 *
 * Limits (consensus constants): see {@linkcode POLICY_LIMITS}. A policy that breaks a limit or a
 * shape rule cannot be encoded (RangeError) or decoded (DecodeError).
 *
 * @module
 */

/** A spending policy tree. Keys and hashes are 32 bytes; times are seconds. */
export type Policy =
  | { readonly type: "pk"; readonly key: Uint8Array }
  | { readonly type: "multi"; readonly k: number; readonly keys: readonly Uint8Array[] }
  | { readonly type: "after"; readonly timeSecs: number }
  | { readonly type: "older"; readonly ageSecs: number }
  | { readonly type: "hash"; readonly hash: Uint8Array }
  | { readonly type: "and"; readonly children: readonly Policy[] }
  | { readonly type: "or"; readonly children: readonly Policy[] }
  | {
    readonly type: "thresh";
    readonly k: number;
    readonly children: readonly Policy[];
  };

/** Consensus limits on policies. */
export const POLICY_LIMITS = Object.freeze({
  /** Deepest nesting; a leaf has depth 1. */
  maxDepth: 8,
  /** Most nodes (leaves and combinators) in one policy. */
  maxNodes: 64,
  /** Most keys in one policy, counting every pk and every multi key. */
  maxKeys: 40,
  /** Most keys in one multi(). */
  maxMultiKeys: 20,
  /** Fewest / most children of and(), or(); thresh() allows 1..maxChildren. */
  minChildren: 2,
  maxChildren: 16,
  /** Largest encoded policy in bytes. */
  maxEncodedBytes: 2048,
  /** Largest time in after()/older(): 2^53 − 1 (fits a u64 and a JS safe integer). */
  maxTimeSecs: Number.MAX_SAFE_INTEGER,
});

/** Returns `pk(key)`. */
export function pk(key: Uint8Array): Policy {
  return { type: "pk", key };
}

/** Returns `multi(k, keys…)`. */
export function multi(k: number, keys: readonly Uint8Array[]): Policy {
  return { type: "multi", k, keys };
}

/** Returns `after(timeSecs)`. */
export function after(timeSecs: number): Policy {
  return { type: "after", timeSecs };
}

/** Returns `older(ageSecs)`. */
export function older(ageSecs: number): Policy {
  return { type: "older", ageSecs };
}

/** Returns `hash(h)`. */
export function hashLock(hash: Uint8Array): Policy {
  return { type: "hash", hash };
}

/** Returns `and(children…)`. */
export function and(...children: Policy[]): Policy {
  return { type: "and", children };
}

/** Returns `or(children…)`. */
export function or(...children: Policy[]): Policy {
  return { type: "or", children };
}

/** Returns `thresh(k, children…)`. */
export function thresh(k: number, ...children: Policy[]): Policy {
  return { type: "thresh", k, children };
}

/**
 * Checks shape and limits except the encoded size; returns the first problem or null.
 * Rules: 32-byte keys and hashes; multi 1 ≤ k ≤ n ≤ 20 with distinct keys; times in
 * 1..2^53−1; and/or 2..16 children; thresh 1 ≤ k ≤ n ≤ 16; depth ≤ 8; ≤ 64 nodes; ≤ 40 keys.
 */
export function policyProblem(policy: Policy): string | null {
  const counts = { nodes: 0, keys: 0 };
  return problemAt(policy, 1, counts);
}

function problemAt(
  p: Policy,
  depth: number,
  counts: { nodes: number; keys: number },
): string | null {
  if (depth > POLICY_LIMITS.maxDepth) return `policy deeper than ${POLICY_LIMITS.maxDepth}`;
  if (++counts.nodes > POLICY_LIMITS.maxNodes) return `more than ${POLICY_LIMITS.maxNodes} nodes`;
  switch (p.type) {
    case "pk":
      counts.keys++;
      return p.key.length === 32 ? keysProblem(counts) : "pk() key must be 32 bytes";
    case "multi": {
      const n = p.keys.length;
      if (n < 1 || n > POLICY_LIMITS.maxMultiKeys) return `multi() needs 1..20 keys, got ${n}`;
      if (!Number.isInteger(p.k) || p.k < 1 || p.k > n) return `multi() k out of range: ${p.k}`;
      const seen = new Set<string>();
      for (const key of p.keys) {
        if (key.length !== 32) return "multi() key must be 32 bytes";
        const hex = key.join(",");
        if (seen.has(hex)) return "multi() has a duplicate key";
        seen.add(hex);
      }
      counts.keys += n;
      return keysProblem(counts);
    }
    case "after":
      return timeProblem(p.timeSecs, "after()");
    case "older":
      return timeProblem(p.ageSecs, "older()");
    case "hash":
      return p.hash.length === 32 ? null : "hash() must be 32 bytes";
    case "and":
    case "or":
    case "thresh": {
      const n = p.children.length;
      const min = p.type === "thresh" ? 1 : POLICY_LIMITS.minChildren;
      if (n < min || n > POLICY_LIMITS.maxChildren) {
        return `${p.type}() needs ${min}..${POLICY_LIMITS.maxChildren} children, got ${n}`;
      }
      if (p.type === "thresh" && (!Number.isInteger(p.k) || p.k < 1 || p.k > n)) {
        return `thresh() k out of range: ${p.k}`;
      }
      for (const c of p.children) {
        const problem = problemAt(c, depth + 1, counts);
        if (problem) return problem;
      }
      return null;
    }
    default:
      return "unknown policy node";
  }
}

function keysProblem(counts: { keys: number }): string | null {
  return counts.keys > POLICY_LIMITS.maxKeys ? `more than ${POLICY_LIMITS.maxKeys} keys` : null;
}

function timeProblem(t: number, what: string): string | null {
  return Number.isSafeInteger(t) && t >= 1 ? null : `${what} time out of range: ${t}`;
}

/** Every public key the policy names (pk and multi), in tree order, duplicates kept. */
export function policyKeys(policy: Policy): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (p: Policy): void => {
    if (p.type === "pk") out.push(p.key);
    else if (p.type === "multi") out.push(...p.keys);
    else if (p.type === "and" || p.type === "or" || p.type === "thresh") p.children.forEach(walk);
  };
  walk(policy);
  return out;
}

/** Every hash() lock of the policy, in tree order. */
export function policyHashLocks(policy: Policy): Uint8Array[] {
  const out: Uint8Array[] = [];
  const walk = (p: Policy): void => {
    if (p.type === "hash") out.push(p.hash);
    else if (p.type === "and" || p.type === "or" || p.type === "thresh") p.children.forEach(walk);
  };
  walk(policy);
  return out;
}

/** True iff the policy has a timelock (after or older) somewhere. */
export function hasTimelock(policy: Policy): boolean {
  if (policy.type === "after" || policy.type === "older") return true;
  if (policy.type === "and" || policy.type === "or" || policy.type === "thresh") {
    return policy.children.some(hasTimelock);
  }
  return false;
}

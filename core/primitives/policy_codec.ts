/**
 * Canonical binary encoding of policies, and the policy hash committed in addresses.
 *
 * Encoding (for PROTOCOL.md), one node = a type byte then its fields:
 * | node | bytes |
 * |---|---|
 * | `pk(K)` | `0x01 ‖ K(32)` |
 * | `multi(k, K₁…Kₙ)` | `0x02 ‖ k(u8) ‖ n(u8) ‖ K₁(32) … Kₙ(32)` |
 * | `after(t)` | `0x03 ‖ t(u64 LE)` |
 * | `older(s)` | `0x04 ‖ s(u64 LE)` |
 * | `hash(H)` | `0x05 ‖ H(32)` |
 * | `and(c₁…cₙ)` | `0x06 ‖ n(u8) ‖ c₁ … cₙ` |
 * | `or(c₁…cₙ)` | `0x07 ‖ n(u8) ‖ c₁ … cₙ` |
 * | `thresh(k, c₁…cₙ)` | `0x08 ‖ k(u8) ‖ n(u8) ‖ c₁ … cₙ` |
 *
 * Every tree has exactly one encoding and every accepted encoding decodes to a tree within
 * {@linkcode POLICY_LIMITS}, so decode → encode gives back the same bytes.
 * `policyHash(p) = keccak256d(encodePolicy(p))` (no tag: the address already carries the network
 * in its HRP, and a revealed policy is always decoded as a policy).
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { keccak256d } from "../crypto/keccak.ts";
import { type Policy, POLICY_LIMITS, policyProblem } from "./policy.ts";

const TAG = { pk: 1, multi: 2, after: 3, older: 4, hash: 5, and: 6, or: 7, thresh: 8 } as const;

/**
 * Canonical bytes of `policy`; throws RangeError if it breaks a shape rule or limit.
 *
 * @example
 * ```ts
 * import { encodePolicy } from "./policy_codec.ts";
 * import { older } from "./policy.ts";
 * console.log(encodePolicy(older(60))); // Uint8Array [4, 60, 0, 0, 0, 0, 0, 0, 0]
 * ```
 */
export function encodePolicy(policy: Policy): Uint8Array {
  const problem = policyProblem(policy);
  if (problem) throw new RangeError(`Invalid policy: ${problem}`);
  const w = new ByteWriter(128);
  writePolicy(w, policy);
  if (w.length > POLICY_LIMITS.maxEncodedBytes) {
    throw new RangeError(`Invalid policy: encoding exceeds ${POLICY_LIMITS.maxEncodedBytes} bytes`);
  }
  return w.finish();
}

/** Appends the canonical encoding of an already-validated policy to `w`. */
function writePolicy(w: ByteWriter, p: Policy): void {
  w.writeU8(TAG[p.type]);
  switch (p.type) {
    case "pk":
      w.writeBytes(p.key);
      break;
    case "multi":
      w.writeU8(p.k).writeU8(p.keys.length);
      for (const k of p.keys) w.writeBytes(k);
      break;
    case "after":
      w.writeU64(p.timeSecs);
      break;
    case "older":
      w.writeU64(p.ageSecs);
      break;
    case "hash":
      w.writeBytes(p.hash);
      break;
    case "thresh":
    case "and":
    case "or":
      if (p.type === "thresh") w.writeU8(p.k);
      w.writeU8(p.children.length);
      for (const c of p.children) writePolicy(w, c);
      break;
  }
}

/** Decodes exactly one policy from `bytes` (no trailing bytes); DecodeError on anything else. */
export function decodePolicy(bytes: Uint8Array): Policy {
  const r = new ByteReader(bytes);
  const p = readPolicy(r);
  r.expectEnd();
  return p;
}

/**
 * Reads one policy at the reader's position (it is self-delimiting), enforcing the shape rules
 * and {@linkcode POLICY_LIMITS}; DecodeError on failure.
 */
export function readPolicy(r: ByteReader): Policy {
  const start = r.offset;
  const state = { nodes: 0 };
  const p = readNode(r, 1, state);
  if (r.offset - start > POLICY_LIMITS.maxEncodedBytes) {
    throw new DecodeError(`Policy encoding exceeds ${POLICY_LIMITS.maxEncodedBytes} bytes`);
  }
  const problem = policyProblem(p);
  if (problem) throw new DecodeError(`Invalid policy: ${problem}`);
  return p;
}

function readNode(r: ByteReader, depth: number, state: { nodes: number }): Policy {
  // Bound recursion and work before reading further.
  if (depth > POLICY_LIMITS.maxDepth) throw new DecodeError("Policy too deep");
  if (++state.nodes > POLICY_LIMITS.maxNodes) throw new DecodeError("Policy has too many nodes");
  const at = r.offset;
  const tag = r.readU8();
  switch (tag) {
    case TAG.pk:
      return { type: "pk", key: r.readBytes(32) };
    case TAG.multi: {
      const k = r.readU8();
      const n = r.readU8();
      if (n > POLICY_LIMITS.maxMultiKeys || n * 32 > r.remaining) {
        throw new DecodeError(`multi() key count ${n} out of range at offset ${at}`);
      }
      const keys: Uint8Array[] = [];
      for (let i = 0; i < n; i++) keys.push(r.readBytes(32));
      return { type: "multi", k, keys };
    }
    case TAG.after:
      return { type: "after", timeSecs: r.readU64Number() };
    case TAG.older:
      return { type: "older", ageSecs: r.readU64Number() };
    case TAG.hash:
      return { type: "hash", hash: r.readBytes(32) };
    case TAG.and:
    case TAG.or:
    case TAG.thresh: {
      const k = tag === TAG.thresh ? r.readU8() : 0;
      const n = r.readU8();
      if (n > POLICY_LIMITS.maxChildren || n * 9 > r.remaining) {
        throw new DecodeError(`Child count ${n} out of range at offset ${at}`);
      }
      const children: Policy[] = [];
      for (let i = 0; i < n; i++) children.push(readNode(r, depth + 1, state));
      if (tag === TAG.thresh) return { type: "thresh", k, children };
      return { type: tag === TAG.and ? "and" : "or", children };
    }
    default:
      throw new DecodeError(`Unknown policy node type ${tag} at offset ${at}`);
  }
}

/**
 * The policy hash committed in an address: keccak256d(encodePolicy(policy)).
 *
 * @example
 * ```ts
 * import { policyHash } from "./policy_codec.ts";
 * import { older } from "./policy.ts";
 * console.log(policyHash(older(60)).length); // 32
 * ```
 */
export function policyHash(policy: Policy): Uint8Array {
  return keccak256d(encodePolicy(policy));
}

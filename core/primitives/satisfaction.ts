/**
 * A satisfaction: the signatures and hash preimages a spender reveals for a policy, and its
 * canonical encoding inside a transaction witness.
 *
 * Encoding (for PROTOCOL.md): `CompactSize(nSigs) ‖ (key(32) ‖ sig(64))… ‖ CompactSize(nPre) ‖
 * preimage(32)…`. Signatures are strictly ascending by key bytes (so each key signs at most once)
 * and preimages strictly ascending by bytes; anything else is non-canonical (DecodeError).
 * At most {@linkcode SATISFACTION_LIMITS}`.maxSignatures` signatures and `.maxPreimages` preimages.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import type { ByteReader } from "../encoding/byte_reader.ts";
import type { ByteWriter } from "../encoding/byte_writer.ts";
import { POLICY_LIMITS } from "./policy.ts";

/** One signature in a satisfaction. */
export interface KeySignature {
  /** The 32-byte Ed25519 key (must appear in the policy). */
  readonly publicKey: Uint8Array;
  /** The 64-byte signature on the input's sighash. */
  readonly signature: Uint8Array;
}

/** What a spender reveals for a policy. */
export interface Satisfaction {
  /** Signatures, strictly ascending by public key. */
  readonly signatures: readonly KeySignature[];
  /** 32-byte hash preimages, strictly ascending. */
  readonly preimages: readonly Uint8Array[];
}

/** Limits on satisfactions. */
export const SATISFACTION_LIMITS = Object.freeze({
  /** At most one signature per policy key. */
  maxSignatures: POLICY_LIMITS.maxKeys,
  /** At most this many preimages. */
  maxPreimages: 16,
  /** Preimage length in bytes. */
  preimageBytes: 32,
});

/** Compares byte strings lexicographically. */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Returns a canonical satisfaction: signatures sorted by key, preimages sorted.
 * Throws RangeError on duplicates or wrong sizes.
 */
export function makeSatisfaction(
  signatures: readonly KeySignature[],
  preimages: readonly Uint8Array[] = [],
): Satisfaction {
  const sigs = [...signatures].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
  const pres = [...preimages].sort(compareBytes);
  const s = { signatures: sigs, preimages: pres };
  const problem = satisfactionProblem(s);
  if (problem) throw new RangeError(`Invalid satisfaction: ${problem}`);
  return s;
}

/** The first canonical-form problem of `s`, or null. */
export function satisfactionProblem(s: Satisfaction): string | null {
  if (s.signatures.length > SATISFACTION_LIMITS.maxSignatures) return "too many signatures";
  if (s.preimages.length > SATISFACTION_LIMITS.maxPreimages) return "too many preimages";
  for (let i = 0; i < s.signatures.length; i++) {
    const { publicKey, signature } = s.signatures[i]!;
    if (publicKey.length !== 32 || signature.length !== 64) return "bad signature entry size";
    if (i > 0 && compareBytes(s.signatures[i - 1]!.publicKey, publicKey) >= 0) {
      return "signatures not strictly ascending by key";
    }
  }
  for (let i = 0; i < s.preimages.length; i++) {
    if (s.preimages[i]!.length !== SATISFACTION_LIMITS.preimageBytes) {
      return "preimage not 32 bytes";
    }
    if (i > 0 && compareBytes(s.preimages[i - 1]!, s.preimages[i]!) >= 0) {
      return "preimages not strictly ascending";
    }
  }
  return null;
}

/** Appends the canonical encoding of `s`; throws RangeError if `s` is not canonical. */
export function writeSatisfaction(w: ByteWriter, s: Satisfaction): void {
  const problem = satisfactionProblem(s);
  if (problem) throw new RangeError(`Invalid satisfaction: ${problem}`);
  w.writeCompactSize(s.signatures.length);
  for (const { publicKey, signature } of s.signatures) {
    w.writeBytes(publicKey).writeBytes(signature);
  }
  w.writeCompactSize(s.preimages.length);
  for (const p of s.preimages) w.writeBytes(p);
}

/** Reads a canonical satisfaction; DecodeError otherwise. */
export function readSatisfaction(r: ByteReader): Satisfaction {
  const nSigs = r.readCount(SATISFACTION_LIMITS.maxSignatures, 96);
  const signatures: KeySignature[] = [];
  for (let i = 0; i < nSigs; i++) {
    signatures.push({ publicKey: r.readBytes(32), signature: r.readBytes(64) });
  }
  const nPre = r.readCount(SATISFACTION_LIMITS.maxPreimages, SATISFACTION_LIMITS.preimageBytes);
  const preimages: Uint8Array[] = [];
  for (let i = 0; i < nPre; i++) preimages.push(r.readBytes(SATISFACTION_LIMITS.preimageBytes));
  const s = { signatures, preimages };
  const problem = satisfactionProblem(s);
  if (problem) throw new DecodeError(`Non-canonical satisfaction: ${problem}`);
  return s;
}

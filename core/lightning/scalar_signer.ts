/**
 * Ed25519 signatures by a bare scalar (PROTOCOL.md §9.6–§9.7): the keys of a commitment
 * (commitment_keys.ts) are ristretto255 scalars mod ℓ, not RFC 8032 seeds, so the wallet's seed
 * signer cannot use them. The signature is the RFC 8032 equation with the scalar in place of the
 * clamped, hashed seed, and the chain's strict verification (core/crypto/ed25519.ts) accepts it:
 *
 * ```
 * A = enc_ed25519(a·B)                      (= ed25519KeyOfPoint(enc_ristretto(a·B)))
 * k = LE(SHA-512("rnt/ln-scalar-nonce" ‖ LE32(a) ‖ M)) mod ℓ
 * R = enc_ed25519(k·B)
 * S = k + LE(SHA-512(R ‖ A ‖ M))·a mod ℓ      signature = R ‖ LE32(S)
 * ```
 *
 * The nonce is deterministic (a function of the secret scalar and the message), as in RFC 8032,
 * so no randomness source can leak the key through a repeated nonce.
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";

const Point = ed25519.Point;
const Fn = Point.Fn;
const NONCE_TAG = new TextEncoder().encode("rnt/ln-scalar-nonce");

/**
 * The Ed25519 public key (RFC 8032 encoding) of scalar `a`: the key a policy names for a derived
 * commitment key. RangeError for a scalar that is zero mod ℓ.
 */
export function ed25519KeyOfScalar(scalar: bigint): Uint8Array {
  return Point.BASE.multiply(reduced(scalar)).toBytes();
}

/**
 * Signs `message` with the bare scalar `scalar` (see the module doc for the equations).
 *
 * @example
 * ```ts
 * import { ed25519KeyOfScalar, signWithScalar } from "./scalar_signer.ts";
 * import { verify } from "../crypto/ed25519.ts";
 * const m = new Uint8Array([1, 2, 3]);
 * console.log(verify(signWithScalar(777n, m), m, ed25519KeyOfScalar(777n))); // true
 * ```
 */
export function signWithScalar(scalar: bigint, message: Uint8Array): Uint8Array {
  const a = reduced(scalar);
  const publicKey = Point.BASE.multiply(a).toBytes();
  const k = Fn.create(leToBigInt(sha512(concatBytes(NONCE_TAG, Fn.toBytes(a), message))));
  // k = 0 has probability 2⁻²⁵²; R would be the identity, which strict verification accepts, but
  // refusing it keeps the signer's output ordinary.
  if (k === 0n) throw new RangeError("Nonce is zero mod the group order");
  const r = Point.BASE.multiply(k).toBytes();
  const h = Fn.create(leToBigInt(sha512(concatBytes(r, publicKey, message))));
  const s = Fn.add(k, Fn.mul(h, a));
  return concatBytes(r, Fn.toBytes(s));
}

function reduced(scalar: bigint): bigint {
  const a = Fn.create(scalar);
  if (a === 0n) throw new RangeError("Scalar is zero mod the group order");
  return a;
}

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

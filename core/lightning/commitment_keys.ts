/**
 * The keys of one commitment (BOLT 3 "Key Derivation", PROTOCOL.md §9.6) on ristretto255: the
 * per-commitment point of a per-commitment secret, the payment/HTLC/delayed keys tweaked from a
 * basepoint, and the revocation key that only the holder of both the revocation basepoint secret
 * and the per-commitment secret can sign with.
 *
 * Why ristretto255 and not BOLT 3's secp256k1 formulas: rnt's keys are Ed25519, and the tweaks
 * need plain scalar arithmetic in a prime-order group. Ed25519's RFC 8032 keys are seeds whose
 * hash gives a clamped scalar, so "secret + tweak" is no RFC 8032 key, and the curve has a
 * cofactor of 8; ristretto255 is the same curve's prime-order group with scalars mod ℓ (as the
 * onions use, onion_keys.ts). A ristretto255 point maps back to one Ed25519 point of prime order
 * ({@link ed25519KeyOfPoint}), so the derived public keys can go into Ed25519 scripts.
 *
 * @module
 */
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { concat, decodeOnionPublicKey } from "./onion_keys.ts";
import { PER_COMMITMENT_SECRET_BYTES } from "./shachain.ts";

const Point = ristretto255.Point;
const Fn = Point.Fn;

/** Length of a ristretto255 point encoding (a basepoint, a per-commitment point, a key). */
export const COMMITMENT_POINT_BYTES = 32;

/**
 * The scalar of a per-commitment secret: LE(SHA-512(secret)) mod ℓ (wide reduction, so the
 * scalar is uniform; BOLT 3 reads the secret itself as a secp256k1 scalar).
 */
export function perCommitmentScalar(perCommitmentSecret: Uint8Array): bigint {
  if (perCommitmentSecret.length !== PER_COMMITMENT_SECRET_BYTES) {
    throw new RangeError(
      `per-commitment secret must be 32 bytes, got ${perCommitmentSecret.length}`,
    );
  }
  return nonZero(Fn.create(leToBigInt(sha512(perCommitmentSecret))));
}

/**
 * per_commitment_point = encode(perCommitmentScalar(secret)·B): what a peer sends for each new
 * commitment before revealing the secret.
 *
 * @example
 * ```ts
 * import { perCommitmentPoint } from "./commitment_keys.ts";
 * console.log(perCommitmentPoint(new Uint8Array(32).fill(1)).length); // 32
 * ```
 */
export function perCommitmentPoint(perCommitmentSecret: Uint8Array): Uint8Array {
  return Point.BASE.multiply(perCommitmentScalar(perCommitmentSecret)).toBytes();
}

/** encode(k·B): the public key (basepoint) of a scalar. */
export function pointOfScalar(scalar: bigint): Uint8Array {
  return Point.BASE.multiply(nonZero(Fn.create(scalar))).toBytes();
}

/**
 * The tweak of a basepoint for one commitment: LE(SHA-256(per_commitment_point ‖ basepoint)) mod ℓ
 * (BOLT 3's SHA-256 input order; the encodings are the canonical ristretto255 ones).
 */
export function keyTweak(perCommitmentPoint: Uint8Array, basepoint: Uint8Array): bigint {
  decodePoint(perCommitmentPoint, "per-commitment point");
  decodePoint(basepoint, "basepoint");
  return hashToScalar(perCommitmentPoint, basepoint);
}

/**
 * pubkey = basepoint + keyTweak(per_commitment_point, basepoint)·B: the localpubkey,
 * local_htlcpubkey or local_delayedpubkey style key of one commitment (BOLT 3), from public data.
 */
export function derivePublicKey(basepoint: Uint8Array, perCommitmentPoint: Uint8Array): Uint8Array {
  const base = decodePoint(basepoint, "basepoint");
  decodePoint(perCommitmentPoint, "per-commitment point");
  const tweak = hashToScalar(perCommitmentPoint, basepoint);
  return base.add(Point.BASE.multiply(tweak)).toBytes();
}

/** privkey = basepoint_secret + keyTweak(per_commitment_point, basepoint) mod ℓ: the key's owner's scalar. */
export function derivePrivateKey(basepointSecret: bigint, perCommitmentPoint: Uint8Array): bigint {
  const basepoint = pointOfScalar(basepointSecret);
  return nonZero(Fn.add(Fn.create(basepointSecret), keyTweak(perCommitmentPoint, basepoint)));
}

/**
 * revocationpubkey = R·SHA(R ‖ P) + P·SHA(P ‖ R), with R the revocation basepoint, P the
 * per-commitment point and SHA(x) = LE(SHA-256(x)) mod ℓ. Computable by either side from public
 * data; its private key needs both secrets ({@link deriveRevocationPrivateKey}).
 *
 * @example
 * ```ts
 * import { deriveRevocationPrivateKey, deriveRevocationPublicKey, perCommitmentPoint, pointOfScalar } from "./commitment_keys.ts";
 * const revocationBasepointSecret = 12345n;
 * const secret = new Uint8Array(32).fill(4);
 * const pub = deriveRevocationPublicKey(pointOfScalar(revocationBasepointSecret), perCommitmentPoint(secret));
 * const priv = deriveRevocationPrivateKey(revocationBasepointSecret, secret);
 * console.log(pointOfScalar(priv).every((b, i) => b === pub[i])); // true
 * ```
 */
export function deriveRevocationPublicKey(
  revocationBasepoint: Uint8Array,
  perCommitmentPoint: Uint8Array,
): Uint8Array {
  const r = decodePoint(revocationBasepoint, "revocation basepoint");
  const p = decodePoint(perCommitmentPoint, "per-commitment point");
  const [basepointFactor, pointFactor] = revocationFactors(revocationBasepoint, perCommitmentPoint);
  return r.multiply(basepointFactor).add(p.multiply(pointFactor)).toBytes();
}

/**
 * revocationprivkey = r·SHA(R ‖ P) + s·SHA(P ‖ R) mod ℓ, with r the revocation basepoint secret
 * and s = perCommitmentScalar(per_commitment_secret): known only once the peer has revealed the
 * secret of the commitment it revoked.
 */
export function deriveRevocationPrivateKey(
  revocationBasepointSecret: bigint,
  perCommitmentSecret: Uint8Array,
): bigint {
  const r = nonZero(Fn.create(revocationBasepointSecret));
  const s = perCommitmentScalar(perCommitmentSecret);
  const revocationBasepoint = Point.BASE.multiply(r).toBytes();
  const point = Point.BASE.multiply(s).toBytes();
  const [basepointFactor, pointFactor] = revocationFactors(revocationBasepoint, point);
  return nonZero(Fn.add(Fn.mul(r, basepointFactor), Fn.mul(s, pointFactor)));
}

/**
 * The Ed25519 public key (32-byte RFC 8032 encoding) of a ristretto255 point: the one point of
 * prime order among the four Ed25519 points the encoding stands for, so scripts can hold it and a
 * signature made with the point's scalar verifies against it.
 */
export function ed25519KeyOfPoint(encoding: Uint8Array): Uint8Array {
  const point = decodePoint(encoding, "point");
  // Decoding may pick any of the coset's four points; 8⁻¹·(8·Q) is the prime-order one.
  const inverse8 = Fn.inv(8n);
  const representative = ed25519.Point.fromAffine(point.toAffine());
  return representative.clearCofactor().multiply(inverse8).toBytes();
}

/** [SHA(R ‖ P), SHA(P ‖ R)]: the two factors of the revocation key. */
function revocationFactors(revocationBasepoint: Uint8Array, point: Uint8Array): [bigint, bigint] {
  return [hashToScalar(revocationBasepoint, point), hashToScalar(point, revocationBasepoint)];
}

function hashToScalar(first: Uint8Array, second: Uint8Array): bigint {
  return nonZero(Fn.create(leToBigInt(sha256(concat(first, second)))));
}

function decodePoint(bytes: Uint8Array, what: string): InstanceType<typeof Point> {
  const point = decodeOnionPublicKey(bytes);
  if (point === undefined) {
    throw new RangeError(`${what} is not a canonical, non-identity ristretto255 point`);
  }
  return point;
}

function leToBigInt(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function nonZero(scalar: bigint): bigint {
  // Probability about 2⁻²⁵²; a zero scalar would be the identity key anyone can sign for.
  if (scalar === 0n) throw new RangeError("scalar is zero mod the group order");
  return scalar;
}

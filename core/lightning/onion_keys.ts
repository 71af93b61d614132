/**
 * The keys of rnt's Sphinx onions (PROTOCOL.md §9.3): ECDH on ristretto255, the BOLT 4 key
 * derivation (HMAC-SHA256 keyed by an ASCII key type) and the ChaCha20 pseudo-random stream.
 *
 * Why ristretto255: Sphinx blinds the ephemeral key at every hop (`ek' = ek·b`, `epk' = b·epk`),
 * which needs a prime-order group with plain scalars. X25519 clamps every scalar, so X25519 of
 * `ek·b` is not `b` times X25519 of `ek`; ristretto255 is prime-order with scalars mod ℓ.
 *
 * A node's onion key is its Ed25519 node key seen in ristretto255: the private scalar is the
 * RFC 8032 secret scalar of the seed (mod ℓ), the public key is the ristretto255 encoding of the
 * Ed25519 public point. So a payer routes to the node id it already has (the invoice's `n`).
 *
 * @module
 */
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";

const Point = ristretto255.Point;
const Fn = Point.Fn;
const encoder = new TextEncoder();
const ZERO_NONCE = new Uint8Array(12);

/** Length of a shared secret, a derived key and an HMAC. */
export const ONION_KEY_BYTES = 32;
/** Length of a ristretto255 public key (canonical encoding). */
export const ONION_PUBLIC_KEY_BYTES = 32;

/** The key types of BOLT 4 (ASCII, no NUL): `rho`, `mu`, `um`, `pad`, `ammag`. */
export type OnionKeyType = "rho" | "mu" | "um" | "pad" | "ammag";

/** A node's onion key pair: a scalar mod ℓ and its ristretto255 public key. */
export interface OnionKeyPair {
  /** Private scalar, 0 < k < ℓ. */
  privateScalar: bigint;
  /** 32-byte canonical ristretto255 encoding of k·B. */
  publicKey: Uint8Array;
}

/**
 * HMAC-SHA256(key = ASCII `keyType`, message = `secret`) (BOLT 4 "Key Generation").
 *
 * @example
 * ```ts
 * import { deriveOnionKey } from "./onion_keys.ts";
 * console.log(deriveOnionKey("rho", new Uint8Array(32)).length); // 32
 * ```
 */
export function deriveOnionKey(keyType: OnionKeyType, secret: Uint8Array): Uint8Array {
  return hmac(sha256, encoder.encode(keyType), secret);
}

/**
 * `length` bytes of ChaCha20 (RFC 8439, 96-bit zero nonce, counter 0) over zeros: the
 * pseudo-random stream of BOLT 4. Keys are never reused, so the fixed nonce is safe.
 */
export function onionStream(key: Uint8Array, length: number): Uint8Array {
  return chacha20(key, ZERO_NONCE, new Uint8Array(length));
}

/** XORs `stream` into `target` in place (over `stream.length` bytes from `offset`). */
export function xorInto(target: Uint8Array, stream: Uint8Array, offset = 0): void {
  for (let i = 0; i < stream.length; i++) target[offset + i]! ^= stream[i]!;
}

/**
 * The onion key pair of an Ed25519 node key given by its 32-byte RFC 8032 seed.
 *
 * @example
 * ```ts
 * import { onionKeyPairFromNodeSeed, onionPublicKeyOfNode } from "./onion_keys.ts";
 * import { keyPairFromSeed } from "../crypto/ed25519.ts";
 * const seed = new Uint8Array(32).fill(3);
 * const mine = onionKeyPairFromNodeSeed(seed).publicKey;
 * const theirs = onionPublicKeyOfNode(keyPairFromSeed(seed).publicKey);
 * console.log(mine.every((b, i) => b === theirs[i])); // true
 * ```
 */
export function onionKeyPairFromNodeSeed(seed: Uint8Array): OnionKeyPair {
  if (seed.length !== 32) throw new RangeError(`node seed must be 32 bytes, got ${seed.length}`);
  const scalar = Fn.create(ed25519.utils.getExtendedPublicKey(seed).scalar);
  return { privateScalar: scalar, publicKey: Point.BASE.multiply(scalar).toBytes() };
}

/**
 * The ristretto255 onion public key of an Ed25519 node id; throws RangeError when the id is not a
 * canonical Ed25519 point of prime order (honest keys `s·B` always are).
 */
export function onionPublicKeyOfNode(nodeId: Uint8Array): Uint8Array {
  if (nodeId.length !== 32) throw new RangeError(`node id must be 32 bytes, got ${nodeId.length}`);
  let point;
  try {
    point = ed25519.Point.fromBytes(nodeId, false);
  } catch {
    throw new RangeError("node id is not a valid Ed25519 point");
  }
  if (point.is0() || !point.isTorsionFree()) {
    throw new RangeError("node id is not a point of prime order");
  }
  return new Point(point).toBytes();
}

/** Decodes a ristretto255 public key; undefined when non-canonical, invalid or the identity. */
export function decodeOnionPublicKey(bytes: Uint8Array): InstanceType<typeof Point> | undefined {
  if (bytes.length !== ONION_PUBLIC_KEY_BYTES) return undefined;
  try {
    const p = Point.fromBytes(bytes);
    return p.is0() ? undefined : p;
  } catch {
    return undefined;
  }
}

/** ss = SHA-256(encode(k·P)): the ECDH shared secret of scalar `k` and point `P`. */
export function onionSharedSecret(
  scalar: bigint,
  point: InstanceType<typeof Point>,
): Uint8Array {
  return sha256(point.multiply(scalar).toBytes());
}

/** b = LE(SHA-512(epk ‖ ss)) mod ℓ: the blinding factor of a hop (never 0 in practice). */
export function blindingFactor(ephemeralPublicKey: Uint8Array, sharedSecret: Uint8Array): bigint {
  const wide = sha512(concat(ephemeralPublicKey, sharedSecret));
  return reduceWide(wide);
}

/** ek₀ = LE(SHA-512(sessionKey)) mod ℓ: the first ephemeral scalar of an onion. */
export function sessionScalar(sessionKey: Uint8Array): bigint {
  if (sessionKey.length !== 32) {
    throw new RangeError(`session key must be 32 bytes, got ${sessionKey.length}`);
  }
  return reduceWide(sha512(sessionKey));
}

/** The ristretto255 encoding of k·B. */
export function onionPublicKeyOfScalar(scalar: bigint): Uint8Array {
  return Point.BASE.multiply(scalar).toBytes();
}

/** Multiplies two scalars mod ℓ. */
export function multiplyScalars(a: bigint, b: bigint): bigint {
  return Fn.mul(a, b);
}

function reduceWide(bytes64: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes64.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes64[i]!);
  const k = Fn.create(n);
  // Probability 2^-252; a zero scalar would make every later key the identity.
  if (k === 0n) throw new RangeError("derived scalar is zero");
  return k;
}

/** Concatenates byte strings. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

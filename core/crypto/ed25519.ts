/**
 * Ed25519 for rnt: RFC 8032 signatures with *strict* verification everywhere.
 *
 * Validity rule (consensus): a signature `(R, S)` by key `A` on message `M` is valid iff
 * - `A` is the canonical encoding (y < p; no x = 0 with the sign bit set) of a curve point that
 *   is not of small order (not one of the 8 torsion points);
 * - `R` is the canonical encoding of a curve point;
 * - `S < L` (canonical scalar);
 * - the cofactored equation `[8]SB = [8]R + [8]kA` holds, `k = SHA-512(R ‖ A ‖ M) mod L`.
 * This is `@noble/curves` `ed25519.verify(sig, msg, pk, { zip215: false })`, and
 * {@linkcode verify} is exactly that.
 *
 * {@linkcode verifyBatch} gives the same answers faster by running WebCrypto (native) verifies
 * concurrently. WebCrypto's Ed25519 is cofactorless and accepts some small-order keys (measured
 * with Deno 2.9.6), so the batch path (1) rejects non-canonical `S`/`A` and small-order `A` by a
 * byte-level pre-check, (2) accepts when WebCrypto accepts (cofactorless ⇒ cofactored holds),
 * and (3) re-checks with strict noble whenever WebCrypto rejects or cannot import the key, so a
 * signature valid only under the cofactored equation is still accepted. Every answer therefore
 * equals {@linkcode verify}'s.
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";

/** Ed25519 public key length. */
export const PUBLIC_KEY_BYTES = 32;
/** Ed25519 signature length. */
export const SIGNATURE_BYTES = 64;
/** Ed25519 secret key (seed) length. */
export const SECRET_KEY_BYTES = 32;

/** An Ed25519 key pair; `secretKey` is the 32-byte RFC 8032 seed. */
export interface Ed25519KeyPair {
  /** 32-byte seed (RFC 8032 private key). */
  secretKey: Uint8Array;
  /** 32-byte public key. */
  publicKey: Uint8Array;
}

/** One signature check for {@linkcode verifyBatch}. */
export interface VerifyItem {
  /** 32-byte public key. */
  publicKey: Uint8Array;
  /** The signed message. */
  message: Uint8Array;
  /** 64-byte signature R ‖ S. */
  signature: Uint8Array;
}

/**
 * Derives the key pair of a 32-byte seed (RFC 8032 §5.1.5).
 *
 * @example
 * ```ts
 * import { keyPairFromSeed } from "./ed25519.ts";
 * const kp = keyPairFromSeed(new Uint8Array(32).fill(1));
 * console.log(kp.publicKey.length); // 32
 * ```
 */
export function keyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  checkLength(seed, SECRET_KEY_BYTES, "seed");
  return { secretKey: seed.slice(), publicKey: ed25519.getPublicKey(seed) };
}

/** Signs `message` with the 32-byte seed `secretKey`; deterministic (RFC 8032). */
export function sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  checkLength(secretKey, SECRET_KEY_BYTES, "secretKey");
  return ed25519.sign(message, secretKey);
}

/**
 * Strict RFC 8032 verification (see the module doc). Returns false — never throws — for any
 * 64-byte signature and 32-byte key; wrong lengths also give false.
 *
 * @example
 * ```ts
 * import { keyPairFromSeed, sign, verify } from "./ed25519.ts";
 * const kp = keyPairFromSeed(new Uint8Array(32).fill(1));
 * const msg = new Uint8Array([1, 2, 3]);
 * console.log(verify(sign(kp.secretKey, msg), msg, kp.publicKey)); // true
 * ```
 */
export function verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  try {
    return ed25519.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** True iff `publicKey` is a canonical encoding of a curve point of large order. */
export function isStrictPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (!precheckPublicKey(publicKey)) return false;
  try {
    return !ed25519.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    return false;
  }
}

/**
 * Verifies many signatures concurrently with WebCrypto, with exactly {@linkcode verify}'s
 * semantics (see the module doc for why the answers agree).
 *
 * @returns one boolean per item, in order
 *
 * @example
 * ```ts
 * import { keyPairFromSeed, sign, verifyBatch } from "./ed25519.ts";
 * const kp = keyPairFromSeed(new Uint8Array(32).fill(1));
 * const m = new Uint8Array([7]);
 * console.log(await verifyBatch([{ publicKey: kp.publicKey, message: m, signature: sign(kp.secretKey, m) }]));
 * // [ true ]
 * ```
 */
export function verifyBatch(items: readonly VerifyItem[]): Promise<boolean[]> {
  return Promise.all(items.map(verifyOne));
}

async function verifyOne(item: VerifyItem): Promise<boolean> {
  const { publicKey, message, signature } = item;
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  if (!precheckPublicKey(publicKey) || !isCanonicalScalar(signature.subarray(32))) return false;
  let ok = false;
  try {
    const key = await crypto.subtle.importKey(
      "raw",
      bufferOf(publicKey),
      { name: "Ed25519" },
      false,
      [
        "verify",
      ],
    );
    ok = await crypto.subtle.verify(
      { name: "Ed25519" },
      key,
      bufferOf(signature),
      bufferOf(message),
    );
  } catch {
    ok = false;
  }
  // Cofactorless acceptance implies cofactored acceptance; a rejection is re-checked strictly.
  return ok || verify(signature, message, publicKey);
}

/** The group order L = 2^252 + 27742317777372353535851937790883648493, little-endian. */
const L_LE = bytesFromBigLE(2n ** 252n + 27742317777372353535851937790883648493n);
/** p = 2^255 − 19, little-endian. */
const P_LE = bytesFromBigLE(2n ** 255n - 19n);
/** Canonical encodings of the 8 small-order points (noble's ED25519_TORSION_SUBGROUP). */
const SMALL_ORDER = [
  "0100000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  "0000000000000000000000000000000000000000000000000000000000000080",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
  "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
  "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
  "0000000000000000000000000000000000000000000000000000000000000000",
  "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
];

/**
 * Byte-level key checks: y < p, not the x = 0 points (y = ±1) with the sign bit set, and not a
 * small-order point. (Whether y is on the curve is left to the decoder/WebCrypto.)
 */
function precheckPublicKey(pk: Uint8Array): boolean {
  const y = pk.slice();
  const signBit = (y[31]! & 0x80) !== 0;
  y[31]! &= 0x7f;
  if (compareLE(y, P_LE) >= 0) return false;
  if (signBit && (isOne(y) || compareLE(y, P_MINUS_ONE_LE) === 0)) return false;
  const hex = toHexLocal(pk);
  return !SMALL_ORDER.includes(hex);
}

const P_MINUS_ONE_LE = bytesFromBigLE(2n ** 255n - 20n);

function isCanonicalScalar(s: Uint8Array): boolean {
  return compareLE(s, L_LE) < 0;
}

function isOne(y: Uint8Array): boolean {
  if (y[0] !== 1) return false;
  for (let i = 1; i < 32; i++) if (y[i] !== 0) return false;
  return true;
}

/** Compares two equal-length little-endian integers. */
function compareLE(a: Uint8Array, b: Uint8Array): number {
  for (let i = a.length - 1; i >= 0; i--) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

function bytesFromBigLE(v: bigint): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}

function toHexLocal(b: Uint8Array): string {
  let s = "";
  for (const x of b) s += x.toString(16).padStart(2, "0");
  return s;
}

/** WebCrypto wants a BufferSource backed by an ArrayBuffer (not a SharedArrayBuffer view). */
function bufferOf(b: Uint8Array): Uint8Array<ArrayBuffer> {
  return b.buffer instanceof ArrayBuffer ? b as Uint8Array<ArrayBuffer> : new Uint8Array(b);
}

function checkLength(b: Uint8Array, n: number, name: string): void {
  if (!(b instanceof Uint8Array)) throw new TypeError(`${name} must be a Uint8Array`);
  if (b.length !== n) throw new RangeError(`${name} must be ${n} bytes, got ${b.length}`);
}

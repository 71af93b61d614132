/**
 * Authenticated encryption of the Lightning files at rest (channel store values, the static
 * channel backup): XChaCha20-Poly1305 with a random 24-byte nonce (large enough that random
 * nonces never repeat under one key) and associated data that binds a value to where it belongs
 * (its database key, or the backup's header), so a value moved to another key fails to open.
 *
 * ```
 * sealed = nonce (24) ‖ ciphertext ‖ tag (16)
 * ```
 *
 * @module
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";

/** Nonce bytes. */
export const SEAL_NONCE_BYTES = 24;
/** Poly1305 tag bytes. */
export const SEAL_TAG_BYTES = 16;
/** Bytes a sealed value adds to its plaintext. */
export const SEAL_OVERHEAD_BYTES = SEAL_NONCE_BYTES + SEAL_TAG_BYTES;

/** Random bytes (crypto.getRandomValues in production, seeded in tests). */
export type RandomSource = (n: number) => Uint8Array;

/** The system's cryptographic random source. */
export const systemRandom: RandomSource = (n) => crypto.getRandomValues(new Uint8Array(n));

/** A value that did not open: wrong key, or damaged or moved bytes (they cannot be told apart). */
export class SealError extends Error {
  /** Stable machine-readable code. */
  readonly code = "seal-error";
  constructor(message: string) {
    super(message);
    this.name = "SealError";
  }
}

/** Seals `plaintext` under the 32-byte `key`, bound to `associatedData`. */
export function seal(
  key: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
  random: RandomSource = systemRandom,
): Uint8Array {
  checkKey(key);
  const nonce = random(SEAL_NONCE_BYTES);
  const body = xchacha20poly1305(key, nonce, associatedData).encrypt(plaintext);
  const out = new Uint8Array(SEAL_NONCE_BYTES + body.length);
  out.set(nonce);
  out.set(body, SEAL_NONCE_BYTES);
  return out;
}

/** Opens {@link seal}'s bytes; SealError when the key, the bytes or the associated data differ. */
export function open(key: Uint8Array, sealed: Uint8Array, associatedData: Uint8Array): Uint8Array {
  checkKey(key);
  if (sealed.length < SEAL_OVERHEAD_BYTES) {
    throw new SealError(
      `Sealed value is ${sealed.length} bytes, shorter than the ${SEAL_OVERHEAD_BYTES}-byte minimum`,
    );
  }
  try {
    return xchacha20poly1305(key, sealed.subarray(0, SEAL_NONCE_BYTES), associatedData)
      .decrypt(sealed.subarray(SEAL_NONCE_BYTES));
  } catch {
    throw new SealError("Sealed value does not open: wrong key, or the bytes are damaged");
  }
}

function checkKey(key: Uint8Array): void {
  if (key.length !== 32) throw new RangeError(`Sealing key must be 32 bytes, got ${key.length}`);
}

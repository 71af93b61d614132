/**
 * FSChaCha20Poly1305: RFC 8439 ChaCha20-Poly1305 with BIP324-shaped nonces and a rekey every
 * {@link REKEY_INTERVAL} messages. Encrypts a packet's header and contents in place.
 *
 * @module
 */
import { chacha20, chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { REKEY_INTERVAL, writeU64LE } from "./fs_chacha20.ts";

/** Bytes of the Poly1305 tag after each payload. */
export const TAG_BYTES = 16;

const EMPTY = new Uint8Array(0);
const ZEROS_32 = new Uint8Array(32);

/**
 * The payload AEAD of one direction.
 *
 * Nonce of message `i` in epoch `r`: u32 LE `i` ‖ u64 LE `r`. After message 223 of an epoch the
 * new key is the first 32 bytes of encrypting 32 zero bytes under nonce 0xFFFFFFFF ‖ u64 LE `r`
 * (ChaCha20 keystream block 1), so old keys cannot decrypt later traffic.
 *
 * @example
 * ```ts
 * import { FSChaCha20Poly1305 } from "./fs_chacha20_poly1305.ts";
 * const key = new Uint8Array(32);
 * const sealer = new FSChaCha20Poly1305(key);
 * const opener = new FSChaCha20Poly1305(key);
 * const box = new Uint8Array(3 + 16);
 * box.set([1, 2, 3]);
 * sealer.seal(box);
 * if (!opener.open(box) || box[2] !== 3) throw new Error("round trip failed");
 * ```
 */
export class FSChaCha20Poly1305 {
  #key: Uint8Array;
  #rekeyCount = 0;
  #messageIndex = 0;

  /** @param key 32-byte payload key (`initiator_P` or `responder_P`); copied. */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array)) throw new TypeError("Expected key to be a Uint8Array");
    if (key.length !== 32) {
      throw new RangeError(`Expected key to be 32 bytes, got ${key.length}`);
    }
    this.#key = key.slice();
  }

  /** Number of completed rekeys so far. */
  get rekeyCount(): number {
    return this.#rekeyCount;
  }

  /**
   * Encrypts `box[0, length − 16)` in place and writes the tag into the last 16 bytes.
   * A 4-byte aligned `box` takes noble's fast path.
   *
   * @param box Plaintext followed by 16 bytes of room for the tag.
   * @param aad Additional authenticated data (empty by default).
   */
  seal(box: Uint8Array, aad: Uint8Array = EMPTY): void {
    if (box.length < TAG_BYTES) {
      throw new RangeError(`Expected at least ${TAG_BYTES} bytes, got ${box.length}`);
    }
    const cipher = chacha20poly1305(this.#key, this.#nonce(this.#messageIndex), aad);
    cipher.encrypt(box.subarray(0, box.length - TAG_BYTES), box);
    this.#advance();
  }

  /**
   * Checks the tag of `box` and, when it matches, decrypts `box[0, length − 16)` in place.
   * Advances the message counter either way.
   *
   * @param box Ciphertext followed by its 16-byte tag.
   * @param aad Additional authenticated data (empty by default).
   * @returns `true` when the tag was valid, `false` otherwise (nothing is decrypted then).
   */
  open(box: Uint8Array, aad: Uint8Array = EMPTY): boolean {
    if (box.length < TAG_BYTES) {
      this.#advance();
      return false;
    }
    const cipher = chacha20poly1305(this.#key, this.#nonce(this.#messageIndex), aad);
    let ok = true;
    try {
      cipher.decrypt(box, box.subarray(0, box.length - TAG_BYTES));
    } catch {
      ok = false;
    }
    this.#advance();
    return ok;
  }

  #nonce(first32: number): Uint8Array {
    const nonce = new Uint8Array(12);
    new DataView(nonce.buffer).setUint32(0, first32 >>> 0, true);
    writeU64LE(nonce, 4, this.#rekeyCount);
    return nonce;
  }

  #advance(): void {
    if (++this.#messageIndex < REKEY_INTERVAL) return;
    const next = new Uint8Array(32);
    chacha20(this.#key, this.#nonce(0xffffffff), ZEROS_32, next, 1);
    this.#key = next;
    this.#rekeyCount++;
    this.#messageIndex = 0;
  }
}

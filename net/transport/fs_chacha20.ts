/**
 * FSChaCha20: the forward-secure ChaCha20 stream that encrypts each packet's 3-byte length
 * (BIP324 shape). One keystream runs across consecutive lengths; after {@link REKEY_INTERVAL}
 * lengths the next 32 keystream bytes become the new key and the block counter restarts.
 *
 * @module
 */
import { chacha20 } from "@noble/ciphers/chacha.js";

/** Messages per key, per direction, for both the length cipher and the payload AEAD. */
export const REKEY_INTERVAL = 224;

/** Bytes of the encrypted length field that precedes every packet. */
export const LENGTH_FIELD_BYTES = 3;

// 224 lengths × 3 bytes + 32 bytes of next key = 704 = 11 ChaCha20 blocks.
const EPOCH_KEYSTREAM_BYTES = REKEY_INTERVAL * LENGTH_FIELD_BYTES + 32;
const ZEROS = new Uint8Array(EPOCH_KEYSTREAM_BYTES);

/**
 * The length cipher of one direction. Encryption and decryption are the same XOR.
 *
 * Nonce of epoch `r` (the rekey count): 4 zero bytes ‖ u64 LE `r`; block counter from 0.
 *
 * @example
 * ```ts
 * import { FSChaCha20 } from "./fs_chacha20.ts";
 * const key = new Uint8Array(32);
 * const sender = new FSChaCha20(key);
 * const receiver = new FSChaCha20(key);
 * const field = new Uint8Array([5, 0, 0]);
 * sender.crypt(field);
 * receiver.crypt(field);
 * if (field[0] !== 5) throw new Error("round trip failed");
 * ```
 */
export class FSChaCha20 {
  #key: Uint8Array;
  #rekeyCount = 0;
  #chunkIndex = 0;
  readonly #nonce = new Uint8Array(12);
  readonly #keystream = new Uint8Array(EPOCH_KEYSTREAM_BYTES);

  /** @param key 32-byte length key (`initiator_L` or `responder_L`); copied. */
  constructor(key: Uint8Array) {
    if (!(key instanceof Uint8Array)) throw new TypeError("Expected key to be a Uint8Array");
    if (key.length !== 32) {
      throw new RangeError(`Expected key to be 32 bytes, got ${key.length}`);
    }
    this.#key = key.slice();
    this.#fillKeystream();
  }

  /** Number of completed rekeys so far. */
  get rekeyCount(): number {
    return this.#rekeyCount;
  }

  /**
   * XORs the next 3 keystream bytes into `field`, in place.
   *
   * @param field The 3-byte length field to encrypt or decrypt.
   */
  crypt(field: Uint8Array): void {
    if (field.length !== LENGTH_FIELD_BYTES) {
      throw new RangeError(`Expected a ${LENGTH_FIELD_BYTES}-byte field, got ${field.length}`);
    }
    const ks = this.#keystream;
    const at = this.#chunkIndex * LENGTH_FIELD_BYTES;
    field[0]! ^= ks[at]!;
    field[1]! ^= ks[at + 1]!;
    field[2]! ^= ks[at + 2]!;
    if (++this.#chunkIndex === REKEY_INTERVAL) {
      this.#key = ks.slice(EPOCH_KEYSTREAM_BYTES - 32);
      this.#rekeyCount++;
      this.#chunkIndex = 0;
      this.#fillKeystream();
    }
  }

  #fillKeystream(): void {
    writeU64LE(this.#nonce, 4, this.#rekeyCount);
    chacha20(this.#key, this.#nonce, ZEROS, this.#keystream, 0);
  }
}

/** Writes a non-negative safe integer as u64 little-endian at `offset`. */
export function writeU64LE(out: Uint8Array, offset: number, value: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint32(offset, value >>> 0, true);
  view.setUint32(offset + 4, Math.floor(value / 2 ** 32), true);
}

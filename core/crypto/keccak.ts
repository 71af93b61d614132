/**
 * Keccak-256 (original Keccak padding, as Ethereum) and the double hash `keccak256d` that every
 * commitment in rnt uses.
 *
 * @module
 */
import { keccak_256 } from "@noble/hashes/sha3.js";

/** keccak256(data): original Keccak padding (0x01), not NIST SHA3-256. */
export function keccak256(data: Uint8Array): Uint8Array {
  return keccak_256(data);
}

/**
 * keccak256d(data) = keccak256(keccak256(data)).
 *
 * @example
 * ```ts
 * import { keccak256d } from "./keccak.ts";
 * console.log(keccak256d(new Uint8Array()).length); // 32
 * ```
 */
export function keccak256d(data: Uint8Array): Uint8Array {
  return keccak_256(keccak_256(data));
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Bytes of a hex string; throws RangeError on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) {
    throw new RangeError("invalid hex string");
  }
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

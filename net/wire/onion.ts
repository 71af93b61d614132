/**
 * Tor v3 onion addresses (Tor `rend-spec-v3`, "Encoding onion addresses"):
 * `base32(pubkey ‖ checksum ‖ version) + ".onion"`, lowercase, no padding (56 characters), with
 * `checksum = SHA3-256(".onion checksum" ‖ pubkey ‖ version)[:2]` (NIST SHA3, not Keccak) and
 * `version = 3`.
 *
 * @module
 */
import { sha3_256 } from "@noble/hashes/sha3.js";
import { base32nopad } from "@scure/base";

/** Tor v3 address version byte. */
export const ONION_V3_VERSION = 3;
/** Length of a v3 onion host name without the ".onion" suffix. */
export const ONION_V3_LABEL_CHARS = 56;

const CHECKSUM_PREFIX = new TextEncoder().encode(".onion checksum");

function onionChecksum(publicKey: Uint8Array): Uint8Array {
  const data = new Uint8Array(CHECKSUM_PREFIX.length + 33);
  data.set(CHECKSUM_PREFIX);
  data.set(publicKey, CHECKSUM_PREFIX.length);
  data[CHECKSUM_PREFIX.length + 32] = ONION_V3_VERSION;
  return sha3_256(data).subarray(0, 2);
}

/**
 * The `.onion` host name of a Tor v3 service's 32-byte Ed25519 public key.
 *
 * @param publicKey The service's Ed25519 public key.
 * @returns The lowercase host name, e.g. `"…56 chars….onion"`.
 *
 * @example
 * ```ts
 * import { onionFromPublicKey } from "./onion.ts";
 * const host = onionFromPublicKey(new Uint8Array(32));
 * console.log(host.length); // 62
 * ```
 */
export function onionFromPublicKey(publicKey: Uint8Array): string {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) {
    throw new RangeError(`Expected a 32-byte onion public key, got ${publicKey?.length}`);
  }
  const raw = new Uint8Array(35);
  raw.set(publicKey);
  raw.set(onionChecksum(publicKey), 32);
  raw[34] = ONION_V3_VERSION;
  return `${base32nopad.encode(raw).toLowerCase()}.onion`;
}

/**
 * The 32-byte public key of a Tor v3 `.onion` host name (case-insensitive, the ".onion" suffix
 * optional), or `undefined` when it is not a valid v3 address (length, alphabet, version or
 * checksum).
 *
 * @param host The host name.
 * @returns The public key, or `undefined`.
 *
 * @example
 * ```ts
 * import { onionFromPublicKey, publicKeyFromOnion } from "./onion.ts";
 * const key = new Uint8Array(32).fill(7);
 * console.log(publicKeyFromOnion(onionFromPublicKey(key))?.[0]); // 7
 * ```
 */
export function publicKeyFromOnion(host: string): Uint8Array | undefined {
  let label = host.toLowerCase();
  if (label.endsWith(".onion")) label = label.slice(0, -".onion".length);
  if (label.length !== ONION_V3_LABEL_CHARS || !/^[a-z2-7]+$/.test(label)) return undefined;
  let raw: Uint8Array;
  try {
    raw = base32nopad.decode(label.toUpperCase());
  } catch {
    return undefined;
  }
  if (raw.length !== 35 || raw[34] !== ONION_V3_VERSION) return undefined;
  const publicKey = raw.slice(0, 32);
  const sum = onionChecksum(publicKey);
  if (sum[0] !== raw[32] || sum[1] !== raw[33]) return undefined;
  return publicKey;
}

/**
 * Session keys from the X25519 handshake: HKDF-SHA256 (RFC 5869) with a salt that carries the
 * network magic, so peers on different networks derive different keys and fail at once.
 *
 * @module
 */
import { expand, extract } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

/** ASCII prefix of the HKDF salt; the 4-byte network magic follows it. */
export const SALT_PREFIX = "rnt_v1_shared_secret";

/** The five 32-byte outputs of the key schedule. */
export interface SessionKeys {
  /** Identifies the session; both sides compute the same value. */
  sessionId: Uint8Array;
  /** Initiator → responder length key. */
  initiatorL: Uint8Array;
  /** Initiator → responder payload key. */
  initiatorP: Uint8Array;
  /** Responder → initiator length key. */
  responderL: Uint8Array;
  /** Responder → initiator payload key. */
  responderP: Uint8Array;
}

const encoder = new TextEncoder();

/**
 * Builds the HKDF salt `"rnt_v1_shared_secret" ‖ magic`.
 *
 * @param networkMagic The network's 4-byte magic.
 * @returns The salt bytes.
 */
export function transportSalt(networkMagic: Uint8Array): Uint8Array {
  if (!(networkMagic instanceof Uint8Array) || networkMagic.length !== 4) {
    throw new RangeError(`Expected a 4-byte network magic, got ${describe(networkMagic)}`);
  }
  const prefix = encoder.encode(SALT_PREFIX);
  const salt = new Uint8Array(prefix.length + 4);
  salt.set(prefix);
  salt.set(networkMagic, prefix.length);
  return salt;
}

/**
 * Builds the HKDF input keying material: initiator ephemeral key ‖ responder ephemeral key ‖
 * X25519 shared secret (96 bytes). Binding both public keys means a re-encoded or substituted
 * key changes every derived key.
 *
 * @param initiatorEphemeral The initiator's 32-byte X25519 public key.
 * @param responderEphemeral The responder's 32-byte X25519 public key.
 * @param sharedSecret The 32-byte X25519 result.
 * @returns The 96-byte input keying material.
 */
export function handshakeKeyMaterial(
  initiatorEphemeral: Uint8Array,
  responderEphemeral: Uint8Array,
  sharedSecret: Uint8Array,
): Uint8Array {
  for (
    const [name, value] of [
      ["initiatorEphemeral", initiatorEphemeral],
      ["responderEphemeral", responderEphemeral],
      ["sharedSecret", sharedSecret],
    ] as const
  ) {
    if (value.length !== 32) throw new RangeError(`Expected ${name} to be 32 bytes`);
  }
  const ikm = new Uint8Array(96);
  ikm.set(initiatorEphemeral);
  ikm.set(responderEphemeral, 32);
  ikm.set(sharedSecret, 64);
  return ikm;
}

/**
 * Derives the session keys: PRK = HKDF-Extract(salt, ikm), then HKDF-Expand(PRK, label, 32)
 * for the labels `session_id`, `initiator_L`, `initiator_P`, `responder_L`, `responder_P`.
 *
 * @param ikm Input keying material ({@link handshakeKeyMaterial}).
 * @param salt The salt ({@link transportSalt}).
 * @returns The five session keys.
 *
 * @example
 * ```ts
 * import { deriveSessionKeys, transportSalt } from "./key_derivation.ts";
 * const keys = deriveSessionKeys(new Uint8Array(96), transportSalt(new Uint8Array(4)));
 * if (keys.sessionId.length !== 32) throw new Error("bad length");
 * ```
 */
export function deriveSessionKeys(ikm: Uint8Array, salt: Uint8Array): SessionKeys {
  const prk = extract(sha256, ikm, salt);
  const okm = (label: string) => expand(sha256, prk, encoder.encode(label), 32);
  return {
    sessionId: okm("session_id"),
    initiatorL: okm("initiator_L"),
    initiatorP: okm("initiator_P"),
    responderL: okm("responder_L"),
    responderP: okm("responder_P"),
  };
}

function describe(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}

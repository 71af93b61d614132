/**
 * Node identity keys: an Ed25519 key pair whose public key is the node id that the handshake
 * authenticates.
 *
 * @module
 */
import { ed25519 } from "@noble/curves/ed25519.js";

/** An Ed25519 key pair; `publicKey` is the node id. */
export interface NodeIdentity {
  /** 32-byte Ed25519 secret key (seed). */
  secretKey: Uint8Array;
  /** 32-byte Ed25519 public key: the node id. */
  publicKey: Uint8Array;
}

/**
 * Builds a node identity from a 32-byte secret key, or a fresh random one.
 *
 * @param secretKey 32-byte Ed25519 secret key; random when omitted.
 * @returns The key pair.
 *
 * @example
 * ```ts
 * import { createNodeIdentity } from "./node_identity.ts";
 * const id = createNodeIdentity(new Uint8Array(32).fill(1));
 * if (id.publicKey.length !== 32) throw new Error("bad key");
 * ```
 */
export function createNodeIdentity(secretKey?: Uint8Array): NodeIdentity {
  const secret = secretKey ?? ed25519.utils.randomSecretKey();
  if (secret.length !== 32) {
    throw new RangeError(`Expected secretKey to be 32 bytes, got ${secret.length}`);
  }
  return { secretKey: secret.slice(), publicKey: ed25519.getPublicKey(secret) };
}

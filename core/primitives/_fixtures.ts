/**
 * Test fixtures (private): deterministic keys and sample policies.
 *
 * @module
 */
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { keccak256d } from "../crypto/keccak.ts";
import { after, and, hashLock, multi, older, or, pk, type Policy, thresh } from "./policy.ts";

/** The i-th deterministic test key pair (seed = 32 bytes of i + 1). */
export function testKey(i: number): Ed25519KeyPair {
  return keyPairFromSeed(new Uint8Array(32).fill(i + 1));
}

/** A 32-byte preimage and its keccak256d lock. */
export const preimage: Uint8Array = new Uint8Array(32).fill(0x42);
/** keccak256d(preimage). */
export const preimageHash: Uint8Array = keccak256d(preimage);

/** A policy using every node type. */
export function everyNodePolicy(): Policy {
  const k = (i: number) => testKey(i).publicKey;
  return or(
    pk(k(0)),
    and(older(86_400), pk(k(1))),
    thresh(2, multi(2, [k(2), k(3), k(4)]), after(1_800_000_000), hashLock(preimageHash)),
  );
}

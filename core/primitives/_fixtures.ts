/**
 * Test fixtures (private): deterministic keys and sample policies.
 *
 * @module
 */
import { type Ed25519KeyPair, keyPairFromSeed } from "../crypto/ed25519.ts";
import { keccak256d } from "../crypto/keccak.ts";
import { sign } from "../crypto/ed25519.ts";
import { RecoveryKind } from "./address.ts";
import { policyHash } from "./policy_codec.ts";
import { heartbeatPolicy } from "./recovery_policies.ts";
import { makeSatisfaction } from "./satisfaction.ts";
import type { Tx, TxOut } from "./tx.ts";
import { sighashes } from "./tx_hash.ts";
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

/** A two-input, two-output spend of heartbeat outputs owned by key 0, signed under `magic`. */
export function sampleSpend(magic: Uint8Array): { tx: Tx; spent: TxOut[] } {
  const owner = testKey(0);
  const policy = heartbeatPolicy(owner.publicKey, testKey(1).publicKey, 86_400);
  const address = { kind: RecoveryKind.heartbeat, hash: policyHash(policy) };
  const spent: TxOut[] = [{ value: 70_000n, address }, { value: 30_000n, address }];
  const unsigned: Tx = {
    version: 1,
    inputs: [
      { prevout: { txid: new Uint8Array(32).fill(0xaa), vout: 0 }, sequence: 0xffff_ffff },
      { prevout: { txid: new Uint8Array(32).fill(0xbb), vout: 3 }, sequence: 0 },
    ],
    outputs: [
      { value: 60_000n, address },
      { value: 39_000n, address: { kind: RecoveryKind.social, hash: new Uint8Array(32).fill(5) } },
    ],
    locktime: 0,
    witnesses: [],
  };
  const hashes = sighashes(magic, unsigned, spent);
  const witnesses = hashes.map((h) => ({
    policy,
    satisfaction: makeSatisfaction([{
      publicKey: owner.publicKey,
      signature: sign(owner.secretKey, h),
    }]),
  }));
  return { tx: { ...unsigned, witnesses }, spent };
}

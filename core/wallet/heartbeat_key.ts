/**
 * A fresh heartbeat key set: an owner key, a recovery key and the heartbeat address that lets the
 * owner spend at any time and the recovery key once the coin is `heartbeatMinIntervalSecs` old.
 *
 * @module
 */
import type { NetworkParams } from "../consensus/params.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { toHex } from "../crypto/keccak.ts";
import { addressOfPolicy, RecoveryKind } from "../primitives/address.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { formatPolicy } from "../primitives/policy_text.ts";
import { heartbeatPolicy } from "../primitives/recovery_policies.ts";

/** A fresh heartbeat key set. */
export interface HeartbeatKey {
  /** Network name. */
  network: string;
  /** The heartbeat address. */
  address: string;
  /** The policy in text form. */
  policy: string;
  /** keccak256d of the canonical policy, hex. */
  policy_hash: string;
  /** `older()` interval of the recovery branch, seconds. */
  interval_secs: number;
  /** Owner key (spends any time). */
  owner: { secret_key: string; public_key: string };
  /** Recovery key (spends once the output is `interval_secs` old). */
  recovery: { secret_key: string; public_key: string };
}

/**
 * Makes a heartbeat key set from two 32-byte seeds (fresh random ones by default).
 *
 * @example
 * ```ts
 * import { REGTEST } from "../consensus/params.ts";
 * import { newHeartbeatKey } from "./heartbeat_key.ts";
 * const k = newHeartbeatKey(REGTEST, new Uint8Array(32).fill(1), new Uint8Array(32).fill(2));
 * console.log(k.address.startsWith("rrnt1"), k.interval_secs); // true 60
 * ```
 */
export function newHeartbeatKey(
  params: NetworkParams,
  ownerSeed: Uint8Array = crypto.getRandomValues(new Uint8Array(32)),
  recoverySeed: Uint8Array = crypto.getRandomValues(new Uint8Array(32)),
): HeartbeatKey {
  const owner = keyPairFromSeed(ownerSeed);
  const recovery = keyPairFromSeed(recoverySeed);
  const interval = params.heartbeatMinIntervalSecs;
  const policy = heartbeatPolicy(owner.publicKey, recovery.publicKey, interval);
  return {
    network: params.name,
    address: addressOfPolicy(params, RecoveryKind.heartbeat, policy),
    policy: formatPolicy(policy),
    policy_hash: toHex(policyHash(policy)),
    interval_secs: interval,
    owner: { secret_key: toHex(ownerSeed), public_key: toHex(owner.publicKey) },
    recovery: { secret_key: toHex(recoverySeed), public_key: toHex(recovery.publicKey) },
  };
}

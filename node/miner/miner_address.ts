/**
 * The default reward address of a miner that was given no `--address`: the heartbeat address
 * whose owner key is the miner key itself and whose recovery key is derived from it
 * (`keccak256("rnt/miner-recovery" ‖ seed)`), so whoever holds `<datadir>/miner.key` can spend
 * the rewards, and recover them after the heartbeat interval.
 *
 * @module
 */
import type { NetworkParams } from "../../core/consensus/params.ts";
import { keccak256 } from "../../core/crypto/keccak.ts";
import { type AddressData, decodeAddress } from "../../core/primitives/address.ts";
import { type HeartbeatKey, newHeartbeatKey } from "../../core/wallet/heartbeat_key.ts";

const RECOVERY_TAG = new TextEncoder().encode("rnt/miner-recovery");

/**
 * The heartbeat key set of a miner seed.
 *
 * @example
 * ```ts
 * import { REGTEST } from "../../core/consensus/params.ts";
 * import { minerHeartbeatKey } from "./miner_address.ts";
 * console.log(minerHeartbeatKey(REGTEST, new Uint8Array(32)).address.startsWith("rrnt1")); // true
 * ```
 */
export function minerHeartbeatKey(params: NetworkParams, minerSeed: Uint8Array): HeartbeatKey {
  const recoverySeed = keccak256(new Uint8Array([...RECOVERY_TAG, ...minerSeed]));
  return newHeartbeatKey(params, minerSeed, recoverySeed);
}

/** `--address` decoded, or the miner key's heartbeat address; with its text form. */
export function resolveRewardAddress(
  params: NetworkParams,
  address: string | undefined,
  minerSeed: Uint8Array,
): { text: string; data: AddressData } {
  const text = address ?? minerHeartbeatKey(params, minerSeed).address;
  return { text, data: decodeAddress(params, text) };
}

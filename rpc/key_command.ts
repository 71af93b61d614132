/**
 * `rnt key new`: a fresh Ed25519 owner key and a second fresh recovery key (seeds from
 * crypto.getRandomValues), and the heartbeat address of
 * `or(pk(owner), and(older(interval), pk(recovery)))` with the network's minimum interval.
 * Prints both secret keys and the policy text, with a warning to keep them.
 *
 * @module
 */
import { type CommandContext, networkFlag, type ParsedArgs } from "../core/cli/command.ts";
import { type NetworkParams, NETWORKS } from "../core/consensus/params.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { addressOfPolicy, RecoveryKind } from "../core/primitives/address.ts";
import { policyHash } from "../core/primitives/policy_codec.ts";
import { formatPolicy } from "../core/primitives/policy_text.ts";
import { heartbeatPolicy } from "../core/primitives/recovery_policies.ts";

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
 * import { REGTEST } from "../core/consensus/params.ts";
 * import { newHeartbeatKey } from "./key_command.ts";
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

/** Runs `rnt key new [--regtest|--testnet] [--json]`. */
export function runKeyNewCommand(args: ParsedArgs, ctx: CommandContext): number {
  const key = newHeartbeatKey(NETWORKS[networkFlag(args)]);
  if (args.values.json === true) {
    ctx.out(JSON.stringify(key, null, 2));
  } else {
    ctx.out(`network:             ${key.network}`);
    ctx.out(`address:             ${key.address}`);
    ctx.out(`policy:              ${key.policy}`);
    ctx.out(`interval:            ${key.interval_secs} s`);
    ctx.out(`owner secret key:    ${key.owner.secret_key}`);
    ctx.out(`owner public key:    ${key.owner.public_key}`);
    ctx.out(`recovery secret key: ${key.recovery.secret_key}`);
    ctx.out(`recovery public key: ${key.recovery.public_key}`);
  }
  ctx.err("WARNING: write down both secret keys and keep them safe and private. Anyone with the");
  ctx.err("owner key can spend; the recovery key can spend once an output is older than the");
  ctx.err("interval. Without them, funds sent to this address are lost.");
  return 0;
}

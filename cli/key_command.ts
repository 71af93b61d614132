/**
 * `rnt key new`: a fresh Ed25519 owner key and a second fresh recovery key (seeds from
 * crypto.getRandomValues), and the heartbeat address of
 * `or(pk(owner), and(older(interval), pk(recovery)))` with the network's minimum interval.
 * Prints both secret keys and the policy text, with a warning to keep them.
 *
 * @module
 */
import { type CommandContext, networkFlag, type ParsedArgs } from "./command.ts";
import { NETWORKS } from "../core/consensus/params.ts";
import { newHeartbeatKey } from "../core/wallet/heartbeat_key.ts";

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

/**
 * The log line of a block whose Proof-of-Training was just checked (PROTOCOL §5.9): both sample
 * losses as the header's integers and in nats, the verified progress against μ_t, the block's
 * work and the seconds the check took on which evaluator.
 *
 * @module
 */
import type { VerifiedBlock } from "../core/chain/chainstate.ts";
import { toHex } from "../core/crypto/keccak.ts";

/** Formats micro-nats as "5708006 µnats (5.708006 nats)". */
export function lossText(microNats: number): string {
  return `${microNats} µnats (${(microNats / 1e6).toFixed(6)} nats)`;
}

/**
 * One line for debug.log.
 *
 * @example
 * ```ts ignore
 * logger.log(verifiedLine(v, evaluator.name));
 * ```
 */
export function verifiedLine(v: VerifiedBlock, evaluatorName: string): string {
  const r = v.result;
  return `verified height=${v.height} hash=${toHex(v.hash)} sample_loss=` +
    `${lossText(r.sampleLossMicroNats)} parent_sample_loss=${
      lossText(r.parentSampleLossMicroNats)
    } ` +
    `progress=${r.progressPpm}ppm required=${r.requiredPpm}ppm work=${r.work} ` +
    `windows=${r.windowStarts.length} verify=${v.seconds.toFixed(3)}s evaluator="${evaluatorName}"`;
}

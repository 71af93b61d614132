/**
 * The channel id of a funded channel (BOLT 2): the funding txid with the funding output index
 * XORed into its last two bytes (big-endian), so the id names the outpoint without storing it.
 *
 * @module
 */
import type { OutPoint } from "../primitives/tx.ts";

/**
 * The 32-byte channel id of the channel funded by `outpoint`. RangeError for an output index
 * above 0xffff (BOLT 2's id has room for 16 bits).
 *
 * @example
 * ```ts
 * import { fundingChannelId } from "./funding_channel_id.ts";
 * const id = fundingChannelId({ txid: new Uint8Array(32), vout: 0x0102 });
 * console.log(id[30], id[31]); // 1 2
 * ```
 */
export function fundingChannelId(outpoint: OutPoint): Uint8Array {
  if (!Number.isInteger(outpoint.vout) || outpoint.vout < 0 || outpoint.vout > 0xffff) {
    throw new RangeError(`funding output index out of range: ${outpoint.vout}`);
  }
  const id = outpoint.txid.slice();
  id[30] = id[30]! ^ (outpoint.vout >> 8);
  id[31] = id[31]! ^ (outpoint.vout & 0xff);
  return id;
}

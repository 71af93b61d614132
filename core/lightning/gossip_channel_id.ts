/**
 * Short channel ids: where a channel's funding output sits in the chain (BOLT 7's
 * `short_channel_id`, with rnt's field widths; PROTOCOL.md §9.9).
 *
 * ```
 * short_channel_id (u64) = block height (32 bits) ‖ tx index in the block (16 bits)
 *                          ‖ output index (16 bits)          (most significant first)
 * ```
 *
 * BOLT 7 packs 24 ‖ 24 ‖ 16 bits. rnt widens the height, since block times are organic and the
 * height may grow faster than Bitcoin's, and narrows the tx index: a block holds at most
 * `maxBlockBytes` = 1,000,000 bytes and a spending transaction at least 97, so no block has more
 * than 10,310 transactions (< 2^16); an output is at least 42 bytes of a transaction of at most
 * 100,000, so the output index stays below 2,381. In gossip the id is a u64 little-endian like
 * every rnt integer; in an invoice route hint (BOLT 11's big-endian fields) its 8 bytes are the
 * u64 big-endian.
 *
 * @module
 */

/** The parts of a short channel id. */
export interface ShortChannelIdParts {
  /** Height of the block that confirmed the funding transaction (u32). */
  height: number;
  /** Index of the funding transaction in that block (u16). */
  txIndex: number;
  /** Index of the funding output in the transaction (u16). */
  outputIndex: number;
}

/**
 * The id of the output at (`height`, `txIndex`, `outputIndex`).
 *
 * @example
 * ```ts
 * import { formatShortChannelId, shortChannelIdOf } from "./gossip_channel_id.ts";
 * console.log(formatShortChannelId(shortChannelIdOf({ height: 700, txIndex: 3, outputIndex: 1 })));
 * // 700x3x1
 * ```
 */
export function shortChannelIdOf(parts: ShortChannelIdParts): bigint {
  checkUint(parts.height, 0xffff_ffff, "height");
  checkUint(parts.txIndex, 0xffff, "txIndex");
  checkUint(parts.outputIndex, 0xffff, "outputIndex");
  return (BigInt(parts.height) << 32n) | (BigInt(parts.txIndex) << 16n) |
    BigInt(parts.outputIndex);
}

/** Splits a short channel id (a u64) into its parts. */
export function shortChannelIdParts(id: bigint): ShortChannelIdParts {
  if (id < 0n || id > 0xffff_ffff_ffff_ffffn) {
    throw new RangeError(`short channel id must be a u64, got ${id}`);
  }
  return {
    height: Number(id >> 32n),
    txIndex: Number((id >> 16n) & 0xffffn),
    outputIndex: Number(id & 0xffffn),
  };
}

/** `height x txIndex x outputIndex`, as Lightning tools show ids. */
export function formatShortChannelId(id: bigint): string {
  const p = shortChannelIdParts(id);
  return `${p.height}x${p.txIndex}x${p.outputIndex}`;
}

/** The 8 bytes of an invoice route hint's channel id: the u64 big-endian. */
export function shortChannelIdToHintBytes(id: bigint): Uint8Array {
  shortChannelIdParts(id);
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, id);
  return out;
}

/** Reads an invoice route hint's 8-byte channel id (u64 big-endian). */
export function shortChannelIdFromHintBytes(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new RangeError(`channel id must be 8 bytes, got ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0);
}

function checkUint(value: number, max: number, name: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${name} must be an integer in 0..${max}, got ${value}`);
  }
}

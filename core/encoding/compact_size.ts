/**
 * Bitcoin CompactSize: 1 byte below 0xfd, else a marker (0xfd, 0xfe, 0xff) followed by a
 * u16, u32 or u64 little-endian. Only the shortest encoding of a value is canonical.
 *
 * @module
 */

/** The largest value a CompactSize can hold (2^64 − 1). */
export const COMPACT_SIZE_MAX: bigint = 0xffff_ffff_ffff_ffffn;

/**
 * Number of bytes the canonical CompactSize encoding of `value` takes (1, 3, 5 or 9).
 *
 * @example
 * ```ts
 * import { compactSizeLength } from "./compact_size.ts";
 * console.log(compactSizeLength(252), compactSizeLength(253)); // 1 3
 * ```
 */
export function compactSizeLength(value: number | bigint): number {
  const v = BigInt(value);
  if (v < 0n || v > COMPACT_SIZE_MAX) throw new RangeError(`CompactSize out of range: ${v}`);
  if (v < 0xfdn) return 1;
  if (v <= 0xffffn) return 3;
  if (v <= 0xffff_ffffn) return 5;
  return 9;
}

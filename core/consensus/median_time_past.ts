/**
 * Median-time-past (DESIGN §4): the median of the timestamps of the last `medianTimeSpan` blocks.
 *
 * @module
 */

/**
 * The median of `timestampsSecs` (the upper median for an even count; near genesis fewer than
 * `medianTimeSpan` blocks exist and all are used). RangeError when empty.
 *
 * @example
 * ```ts
 * import { medianTimePast } from "./median_time_past.ts";
 * console.log(medianTimePast([5, 1, 3])); // 3
 * ```
 */
export function medianTimePast(timestampsSecs: readonly number[]): number {
  if (timestampsSecs.length === 0) throw new RangeError("medianTimePast needs a timestamp");
  const sorted = [...timestampsSecs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

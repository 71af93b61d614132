/**
 * How the evaluation bytes are cut into windows (PROTOCOL.md §3.3, §3.10.8).
 *
 * @module
 */

/** Number of windows of `windowLen` in `bytes`; throws RangeError when there is none. */
export function windowCount(bytes: Uint8Array, windowLen: number): number {
  if (!Number.isInteger(windowLen) || windowLen < 2) {
    throw new RangeError(`Window length must be an integer >= 2, got ${windowLen}`);
  }
  const windows = Math.floor(bytes.length / windowLen);
  if (windows < 1) {
    throw new RangeError(`Need at least one window of ${windowLen} bytes, got ${bytes.length}`);
  }
  return windows;
}

/**
 * Amounts typed by users: decimal RNT with at most 8 decimals, parsed to bigint resonances
 * without going through a float.
 *
 * @module
 */
import { UsageError } from "../errors.ts";

const RNT = 100_000_000n;

/**
 * Resonances from a decimal RNT string (`1`, `0.5`, `12.00000001`); UsageError otherwise.
 *
 * @example
 * ```ts
 * import { parseRntAmount } from "./amount.ts";
 * console.log(parseRntAmount("1.5")); // 150000000n
 * ```
 */
export function parseRntAmount(text: string, what = "amount"): bigint {
  const m = /^(\d{1,9})(?:\.(\d{1,8}))?$/.exec(text.trim());
  if (!m) throw new UsageError(`${what} must be RNT with at most 8 decimals, got '${text}'`);
  return BigInt(m[1]!) * RNT + BigInt((m[2] ?? "").padEnd(8, "0"));
}

/**
 * Amounts as people read and type them: decimal RNT with at most 8 decimals, parsed to and
 * formatted from bigint resonances without going through a float.
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

/**
 * Resonances as RNT with exactly 8 decimals, a leading `-` when negative (exact, from bigint).
 *
 * @example
 * ```ts
 * import { formatRnt } from "./amount.ts";
 * console.log(formatRnt(150000001n)); // "1.50000001"
 * console.log(formatRnt(-5n)); // "-0.00000005"
 * ```
 */
export function formatRnt(resonances: bigint): string {
  const neg = resonances < 0n;
  const abs = neg ? -resonances : resonances;
  return `${neg ? "-" : ""}${abs / RNT}.${(abs % RNT).toString().padStart(8, "0")}`;
}

/**
 * Invoice amounts (BOLT 11 "Human-Readable Part") in rnt units: the amount after the prefix is
 * RNT, optionally scaled by a multiplier letter, and the smallest unit a payment carries is the
 * milli-resonance (1 RNT = 10^8 resonances = 10^11 milli-resonances), as Lightning carries
 * millisatoshis. So `p` (10⁻¹² RNT, a tenth of a milli-resonance) needs a last digit of 0.
 *
 * | multiplier | RNT    | milli-resonances |
 * |------------|--------|------------------|
 * | (none)     | 1      | 10^11            |
 * | `m`        | 10⁻³   | 10^8             |
 * | `u`        | 10⁻⁶   | 10^5             |
 * | `n`        | 10⁻⁹   | 100              |
 * | `p`        | 10⁻¹²  | 1/10             |
 *
 * @module
 */
import { InvoiceError } from "./invoice_error.ts";

/** Milli-resonances per RNT. */
export const MILLI_RESONANCES_PER_RNT = 100_000_000_000n;
/** Largest amount an invoice may ask: the 21M RNT supply cap. */
export const MAX_INVOICE_MILLI_RESONANCES: bigint = 21_000_000n * MILLI_RESONANCES_PER_RNT;

const MULTIPLIERS: readonly [string, bigint][] = [
  ["", MILLI_RESONANCES_PER_RNT],
  ["m", 100_000_000n],
  ["u", 100_000n],
  ["n", 100n],
];

/**
 * The shortest HRP amount text for `milliResonances` (BOLT 11: the largest multiplier that
 * keeps the number whole; `p` only when nothing else does).
 *
 * @example
 * ```ts
 * import { encodeInvoiceAmount } from "./invoice_amount.ts";
 * console.log(encodeInvoiceAmount(250_000_000n)); // "2500u"
 * console.log(encodeInvoiceAmount(1n)); // "10p"
 * ```
 */
export function encodeInvoiceAmount(milliResonances: bigint): string {
  if (milliResonances <= 0n || milliResonances > MAX_INVOICE_MILLI_RESONANCES) {
    throw new RangeError(
      `invoice amount must be 1 to ${MAX_INVOICE_MILLI_RESONANCES} milli-resonances, got ${milliResonances}`,
    );
  }
  for (const [letter, unit] of MULTIPLIERS) {
    if (milliResonances % unit === 0n) return `${milliResonances / unit}${letter}`;
  }
  return `${milliResonances * 10n}p`;
}

/**
 * Milli-resonances of an HRP amount text (`2500u`, `20m`, `10p`, `3`); InvoiceError
 * `bad-amount` for an empty number, a leading zero, zero, an unknown multiplier, a `p` amount
 * not ending in 0, or more than the supply cap.
 *
 * @example
 * ```ts
 * import { decodeInvoiceAmount } from "./invoice_amount.ts";
 * console.log(decodeInvoiceAmount("2500u")); // 250000000n
 * ```
 */
export function decodeInvoiceAmount(text: string): bigint {
  const m = /^(\d+)([munp]?)$/.exec(text);
  if (!m) {
    throw new InvoiceError(
      "bad-amount",
      `invoice amount '${text}' is not digits and a multiplier m, u, n or p`,
    );
  }
  const digits = m[1]!;
  const letter = m[2]!;
  if (digits.length > 30) {
    throw new InvoiceError("bad-amount", `invoice amount '${text}' is too large`);
  }
  if (digits.startsWith("0")) {
    throw new InvoiceError(
      "bad-amount",
      `invoice amount '${text}' must be positive without leading zeros`,
    );
  }
  const n = BigInt(digits);
  let milli: bigint;
  if (letter === "p") {
    if (n % 10n !== 0n) {
      throw new InvoiceError(
        "bad-amount",
        `invoice amount '${text}' is below a milli-resonance (a p amount must end in 0)`,
      );
    }
    milli = n / 10n;
  } else {
    milli = n * MULTIPLIERS.find(([l]) => l === letter)![1];
  }
  if (milli > MAX_INVOICE_MILLI_RESONANCES) {
    throw new InvoiceError(
      "bad-amount",
      `invoice amount '${text}' is more than the 21,000,000 RNT supply`,
    );
  }
  return milli;
}

/**
 * Milli-resonances from decimal RNT text with at most 11 decimals (`0.0025`, `1`); RangeError
 * otherwise. Exact (bigint), never through a float.
 *
 * @example
 * ```ts
 * import { parseRntMilliResonances } from "./invoice_amount.ts";
 * console.log(parseRntMilliResonances("0.0025")); // 250000000n
 * ```
 */
export function parseRntMilliResonances(text: string): bigint {
  const m = /^(\d{1,9})(?:\.(\d{1,11}))?$/.exec(text.trim());
  if (!m) throw new RangeError(`amount must be RNT with at most 11 decimals, got '${text}'`);
  return BigInt(m[1]!) * MILLI_RESONANCES_PER_RNT + BigInt((m[2] ?? "").padEnd(11, "0"));
}

/**
 * Milli-resonances as decimal RNT, trailing zeros dropped (`0.0025`, `1`, `0.00000000001`).
 *
 * @example
 * ```ts
 * import { formatRntMilliResonances } from "./invoice_amount.ts";
 * console.log(formatRntMilliResonances(250_000_000n)); // "0.0025"
 * ```
 */
export function formatRntMilliResonances(milliResonances: bigint): string {
  const whole = milliResonances / MILLI_RESONANCES_PER_RNT;
  const frac = (milliResonances % MILLI_RESONANCES_PER_RNT).toString().padStart(11, "0")
    .replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : `${whole}`;
}

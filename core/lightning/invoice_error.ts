/**
 * The one error of invoice decoding, with a stable reason per kind of failure so the CLI and
 * RPC can say exactly what is wrong with an invoice (and tests can assert it).
 *
 * @module
 */

/**
 * Why an invoice was refused:
 * - `bad-bech32`: not a bech32 string (no separator, a bad character, mixed case, too long);
 * - `bad-checksum`: the bech32 checksum does not match (a typo or a truncated copy);
 * - `unknown-prefix`: the human-readable part is not `ln` + an rnt network;
 * - `wrong-network`: an invoice of another rnt network;
 * - `bad-amount`: the amount in the human-readable part breaks BOLT 11's rules;
 * - `malformed`: the data part does not parse (truncated field, bad UTF-8, oversized value);
 * - `missing-field`: a required field (payment hash, payment secret, description, payee key)
 *   is absent;
 * - `unknown-feature`: the invoice requires a feature (even bit) this software does not know;
 * - `bad-signature`: the signature does not verify with the payee key in the `n` field;
 * - `expired`: timestamp + expiry is in the past.
 */
export type InvoiceErrorReason =
  | "bad-bech32"
  | "bad-checksum"
  | "unknown-prefix"
  | "wrong-network"
  | "bad-amount"
  | "malformed"
  | "missing-field"
  | "unknown-feature"
  | "bad-signature"
  | "expired";

/** An invoice that cannot be decoded, is not for this network, or cannot be paid. */
export class InvoiceError extends Error {
  /** Stable machine-readable code. */
  readonly code = "invoice-error";
  /** What is wrong with the invoice. */
  readonly reason: InvoiceErrorReason;
  constructor(reason: InvoiceErrorReason, message: string) {
    super(message);
    this.name = "InvoiceError";
    this.reason = reason;
  }
}

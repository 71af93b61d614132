/**
 * The wallet's error classes. Each carries a stable `code` (like `core/errors.ts`) and a
 * kebab-case `reason`, so the RPC and CLI layers can map them once.
 *
 * @module
 */

/** Why a wallet operation failed. */
export type WalletErrorReason =
  | "bad-mnemonic"
  | "bad-path"
  | "bad-recovery-spec"
  | "missing-recovery-policy"
  | "unknown-address"
  | "bad-address"
  | "insufficient-funds"
  | "bad-amount"
  | "bad-fee-rate"
  | "no-coins"
  | "bad-recovery-request"
  | "bad-wallet-data";

/** A wallet operation that cannot be done as asked (bad words, no policy, too few funds…). */
export class WalletError extends Error {
  /** Stable machine-readable code. */
  readonly code = "wallet-error";
  /** The specific reason. */
  readonly reason: WalletErrorReason;
  constructor(reason: WalletErrorReason, message: string) {
    super(message);
    this.name = "WalletError";
    this.reason = reason;
  }
}

/** Why a wallet file could not be opened. */
export type WalletFileErrorReason =
  | "truncated"
  | "too-large"
  | "bad-magic"
  | "unsupported-version"
  | "unsupported-kdf"
  | "bad-kdf-params"
  | "bad-mac"
  | "bad-plaintext";

/**
 * A wallet file that cannot be opened: wrong passphrase or corruption (`bad-mac`), truncation,
 * an unknown format version, or KDF parameters outside the accepted bounds.
 */
export class WalletFileError extends Error {
  /** Stable machine-readable code. */
  readonly code = "wallet-file-error";
  /** The specific reason. */
  readonly reason: WalletFileErrorReason;
  constructor(reason: WalletFileErrorReason, message: string) {
    super(message);
    this.name = "WalletFileError";
    this.reason = reason;
  }
}

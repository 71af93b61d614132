/**
 * The project's error classes. Each has a stable `code` so boundaries (RPC, CLI, peer loop)
 * can map errors once: RPC → Core error codes, CLI → exit codes, peers → penalties.
 *
 * @module
 */

/** Bytes that do not decode: truncated, non-canonical, oversized, trailing data. */
export class DecodeError extends Error {
  /** Stable machine-readable code. */
  readonly code = "decode-error";
  constructor(message: string) {
    super(message);
    this.name = "DecodeError";
  }
}

/** A block, transaction or checkpoint that breaks a rule; `reason` is a stable kebab-case id. */
export class ValidationError extends Error {
  /** Stable machine-readable code. */
  readonly code = "validation-error";
  /** The consensus or policy reject reason, e.g. `"bad-txnmrklroot"`. */
  readonly reason: string;
  constructor(reason: string, message?: string) {
    super(message ? `${reason}: ${message}` : reason);
    this.name = "ValidationError";
    this.reason = reason;
  }
}

/** A peer broke the wire protocol: disconnect and discourage. */
export class ProtocolError extends Error {
  /** Stable machine-readable code. */
  readonly code = "protocol-error";
  constructor(message: string) {
    super(message);
    this.name = "ProtocolError";
  }
}

/** An RPC failure carrying a Bitcoin Core numeric error code. */
export class RpcError extends Error {
  /** Stable machine-readable code. */
  readonly code = "rpc-error";
  /** Core's numeric code, e.g. -8 for an invalid parameter. */
  readonly rpcCode: number;
  constructor(rpcCode: number, message: string) {
    super(message);
    this.name = "RpcError";
    this.rpcCode = rpcCode;
  }
}

/** Bad command-line usage: the CLI prints the message and usage, and exits with status 2. */
export class UsageError extends Error {
  /** Stable machine-readable code. */
  readonly code = "usage-error";
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

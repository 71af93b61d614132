/**
 * The project's error classes. Each has a stable `code` so boundaries (RPC, CLI, peer loop)
 * can map errors once: RPC → Core error codes, CLI → exit codes, peers → penalties.
 *
 * @module
 */
import type { RejectReason } from "./consensus/reasons.ts";

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
  readonly reason: RejectReason;
  constructor(reason: RejectReason, message?: string) {
    super(message ? `${reason}: ${message}` : reason);
    this.name = "ValidationError";
    this.reason = reason;
  }
}

/**
 * What a peer did wrong, as a short tag (kept with a discouragement, shown by `listbanned`):
 * `protocol` (transport or message order), `wrong-magic`, `decode` (undecodable message),
 * `flood` (too many messages or requests), `invalid-header`, `invalid-block`, `invalid-chunk`,
 * `invalid-tx`.
 */
export type MisbehaviorReason =
  | "protocol"
  | "wrong-magic"
  | "decode"
  | "flood"
  | "invalid-header"
  | "invalid-block"
  | "invalid-chunk"
  | "invalid-tx";

/**
 * A peer misbehaved (broke the transport or wire protocol, flooded, or sent data that breaks a
 * consensus rule): the connection closes and the peer loop discourages the peer's address. The
 * one error for peer misbehaviour, from the transport up to block sync.
 */
export class ProtocolError extends Error {
  /** Stable machine-readable code. */
  readonly code = "protocol-error";
  /** What the peer did wrong. */
  readonly reason: MisbehaviorReason;
  /**
   * @param reason What the peer did wrong.
   * @param message Human-readable detail.
   */
  constructor(reason: MisbehaviorReason, message: string) {
    super(message);
    this.name = "ProtocolError";
    this.reason = reason;
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

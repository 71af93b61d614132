/**
 * The error a refused Lightning call throws (re-exported by lightning_service.ts), with a
 * stable code the RPC layer maps to Core's numeric codes.
 *
 * @module
 */

/** Why a Lightning call failed (the RPC layer maps each code to Core's numeric codes). */
export type LnErrorCode =
  | "peer-not-connected"
  | "unknown-peer"
  | "channel-not-found"
  | "bad-state"
  | "bad-amount"
  | "open-failed";

/** A refused Lightning call, with a stable code. */
export class LnError extends Error {
  readonly code: LnErrorCode;
  constructor(code: LnErrorCode, message: string) {
    super(message);
    this.name = "LnError";
    this.code = code;
  }
}

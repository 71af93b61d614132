/**
 * Maps a failed block or transaction submission to Core's codes: bytes that do not decode → −22;
 * missing or spent inputs → −25; any other rule → −26, the message starting with the reject
 * reason (e.g. `sample-loss-mismatch: checkpoint loss on the sample …, header …`).
 *
 * @module
 */
import { DecodeError, RpcError, ValidationError } from "../../core/errors.ts";
import { RpcCode } from "../error_codes.ts";

const MISSING_INPUTS = new Set(["bad-txns-inputs-missingorspent", "missing-inputs"]);

/** The RpcError for `error` thrown by a submission of `what` ("Block" or "TX"). */
export function submitError(error: unknown, what: "Block" | "TX"): unknown {
  if (error instanceof DecodeError) {
    return new RpcError(RpcCode.DESERIALIZATION_ERROR, `${what} decode failed: ${error.message}`);
  }
  if (error instanceof ValidationError) {
    const code = MISSING_INPUTS.has(error.reason) ? RpcCode.VERIFY_ERROR : RpcCode.VERIFY_REJECTED;
    return new RpcError(code, error.message);
  }
  return error;
}

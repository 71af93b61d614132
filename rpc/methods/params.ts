/**
 * Parameter checks shared by the node's RPC methods, failing with Core's codes and messages:
 * −8 for a bad value (hash length, non-hex, out of range), −3 for a wrong JSON type.
 *
 * @module
 */
import { fromHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import { RpcCode } from "../error_codes.ts";

/** A 32-byte hash from a 64-hex-digit parameter (Core's `ParseHashV`). */
export function parseHash(value: unknown, name: string): Uint8Array {
  if (typeof value !== "string") {
    throw new RpcError(RpcCode.TYPE_ERROR, `${name} must be a string`);
  }
  if (value.length !== 64) {
    throw new RpcError(
      RpcCode.INVALID_PARAMETER,
      `${name} must be of length 64 (not ${value.length}, for '${value}')`,
    );
  }
  if (!/^[0-9a-fA-F]{64}$/.test(value)) {
    throw new RpcError(
      RpcCode.INVALID_PARAMETER,
      `${name} must be hexadecimal string (not '${value}')`,
    );
  }
  return fromHex(value.toLowerCase());
}

/** Bytes from a hex parameter; −22 with `what` when it is not even-length hex. */
export function parseHexBytes(value: unknown, what: string): Uint8Array {
  if (typeof value !== "string") throw new RpcError(RpcCode.TYPE_ERROR, `${what} must be a string`);
  if (value.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(value)) {
    throw new RpcError(RpcCode.DESERIALIZATION_ERROR, `${what} decode failed: not hex`);
  }
  return fromHex(value.toLowerCase());
}

/** An integer parameter within [min, max]; −3 when not a number, −8 when out of range. */
export function parseInteger(
  value: unknown,
  name: string,
  min: number,
  max: number,
  rangeMessage?: string,
): number {
  if (typeof value !== "number") throw new RpcError(RpcCode.TYPE_ERROR, `${name} must be a number`);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RpcError(
      RpcCode.INVALID_PARAMETER,
      rangeMessage ?? `${name} must be an integer in [${min}, ${max}], got ${value}`,
    );
  }
  return value;
}

/** A boolean-ish verbosity: true/false or an integer in [0, max] (Core accepts both). */
export function parseVerbosity(value: unknown, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value ? 1 : 0;
  return parseInteger(value, "verbosity", 0, max);
}

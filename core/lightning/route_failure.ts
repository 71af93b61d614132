/**
 * BOLT 4 failure codes and the `channel_update` some of them carry (PROTOCOL.md §9.4, §9.9).
 * Failure data is big-endian like the rest of the error packet; the enclosed `channel_update`
 * is its 109-byte encoding (gossip_messages.ts) without a message id.
 *
 * ```
 * temporary_channel_failure  UPDATE|7   u16 len ‖ channel_update
 * amount_below_minimum       UPDATE|11  u64 htlc_mres ‖ u16 len ‖ channel_update
 * fee_insufficient           UPDATE|12  u64 htlc_mres ‖ u16 len ‖ channel_update
 * incorrect_cltv_expiry      UPDATE|13  u64 expiry_secs ‖ u16 len ‖ channel_update  (BOLT: u32)
 * expiry_too_soon            UPDATE|14  u16 len ‖ channel_update
 * channel_disabled           UPDATE|20  u16 disabled_flags ‖ u16 len ‖ channel_update
 * ```
 *
 * @module
 */
import { FailureFlag, type FailureMessage } from "./error_onion.ts";
import { type ChannelUpdate, decodeChannelUpdate, encodeChannelUpdate } from "./gossip_messages.ts";

const { BADONION, PERM, NODE, UPDATE } = FailureFlag;

/** The BOLT 4 failure codes route retries act on. */
export const FailureCode = {
  INVALID_REALM: PERM | 1,
  TEMPORARY_NODE_FAILURE: NODE | 2,
  PERMANENT_NODE_FAILURE: PERM | NODE | 2,
  REQUIRED_NODE_FEATURE_MISSING: PERM | NODE | 3,
  INVALID_ONION_VERSION: BADONION | PERM | 4,
  INVALID_ONION_HMAC: BADONION | PERM | 5,
  INVALID_ONION_KEY: BADONION | PERM | 6,
  TEMPORARY_CHANNEL_FAILURE: UPDATE | 7,
  PERMANENT_CHANNEL_FAILURE: PERM | 8,
  REQUIRED_CHANNEL_FEATURE_MISSING: PERM | 9,
  UNKNOWN_NEXT_PEER: PERM | 10,
  AMOUNT_BELOW_MINIMUM: UPDATE | 11,
  FEE_INSUFFICIENT: UPDATE | 12,
  INCORRECT_CLTV_EXPIRY: UPDATE | 13,
  EXPIRY_TOO_SOON: UPDATE | 14,
  INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS: PERM | 15,
  FINAL_INCORRECT_CLTV_EXPIRY: 18,
  FINAL_INCORRECT_HTLC_AMOUNT: 19,
  CHANNEL_DISABLED: UPDATE | 20,
  EXPIRY_TOO_FAR: 21,
  INVALID_ONION_PAYLOAD: PERM | 22,
  MPP_TIMEOUT: 23,
} as const;

/** Bytes before the update's length, per UPDATE-flagged code. */
const PREFIX_BYTES: Record<number, number> = {
  [FailureCode.TEMPORARY_CHANNEL_FAILURE]: 0,
  [FailureCode.AMOUNT_BELOW_MINIMUM]: 8,
  [FailureCode.FEE_INSUFFICIENT]: 8,
  [FailureCode.INCORRECT_CLTV_EXPIRY]: 8,
  [FailureCode.EXPIRY_TOO_SOON]: 0,
  [FailureCode.CHANNEL_DISABLED]: 2,
};

/**
 * Builds the failure message of an UPDATE-flagged code: `prefix` is the code's leading field
 * (the HTLC amount, the expiry or the disabled flags; empty for codes without one).
 *
 * @example
 * ```ts
 * import { FailureCode, failureWithUpdate, channelUpdateOfFailure } from "./route_failure.ts";
 * const update = {
 *   signature: new Uint8Array(64), shortChannelId: 9n, timestamp: 5, direction: 0 as const,
 *   disabled: false, timeLockDeltaSecs: 60, htlcMinimumMres: 1n, htlcMaximumMres: 100n,
 *   feeBaseMres: 2, feeProportionalMillionths: 3,
 * };
 * const failure = failureWithUpdate(FailureCode.EXPIRY_TOO_SOON, update);
 * console.log(channelUpdateOfFailure(failure)?.shortChannelId); // 9n
 * ```
 */
export function failureWithUpdate(
  code: number,
  update: ChannelUpdate,
  prefix: Uint8Array = new Uint8Array(PREFIX_BYTES[code] ?? 0),
): FailureMessage {
  const prefixBytes = PREFIX_BYTES[code];
  if (prefixBytes === undefined) throw new RangeError(`code ${code} carries no channel_update`);
  if (prefix.length !== prefixBytes) {
    throw new RangeError(`code ${code} needs a ${prefixBytes}-byte prefix, got ${prefix.length}`);
  }
  const encoded = encodeChannelUpdate(update);
  const data = new Uint8Array(prefixBytes + 2 + encoded.length);
  data.set(prefix);
  new DataView(data.buffer).setUint16(prefixBytes, encoded.length);
  data.set(encoded, prefixBytes + 2);
  return { code, data };
}

/**
 * The `channel_update` enclosed in a failure, or undefined when the code carries none or the
 * data does not parse (a garbled update is ignored, as BOLT 4 allows).
 */
export function channelUpdateOfFailure(failure: FailureMessage): ChannelUpdate | undefined {
  const prefixBytes = PREFIX_BYTES[failure.code];
  if (prefixBytes === undefined) return undefined;
  const data = failure.data;
  if (data.length < prefixBytes + 2) return undefined;
  const length = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint16(
    prefixBytes,
  );
  if (data.length !== prefixBytes + 2 + length) return undefined;
  try {
    return decodeChannelUpdate(data.subarray(prefixBytes + 2));
  } catch {
    return undefined;
  }
}

/**
 * Error onions (BOLT 4 "Returning Errors"): a failing hop authenticates its failure message
 * with its `um` key and obfuscates it with its `ammag` stream; every earlier hop adds its own
 * `ammag` layer on the way back; the origin, which knows every hop's shared secret, peels the
 * layers in route order and attributes the error to the first hop whose HMAC matches.
 *
 * ```
 * error packet (292 bytes) = hmac (32) ‖ u16 failure_len ‖ failure_msg
 *                            ‖ u16 pad_len ‖ pad (zeros), failure_len + pad_len = 256
 * hmac = HMAC-SHA256(um, everything after the hmac)
 * each hop on the way back: packet ^= ChaCha20(ammag, zero nonce) over 292 bytes
 * failure_msg = u16 failure_code ‖ data
 * ```
 *
 * The layout, key types and sizes are BOLT 4's, so the error packet of BOLT 4's
 * `onion-error-test.json` is reproduced byte for byte from its shared secrets.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { timingSafeEqual } from "../util/timing_safe_equal.ts";
import { concat, deriveOnionKey, onionStream, xorInto } from "./onion_keys.ts";

/** failure_len + pad_len: every error looks the same size whatever it says. */
export const ERROR_BODY_BYTES = 256;
/** Size of a whole error packet: 32 + 2 + 2 + 256. */
export const ERROR_PACKET_BYTES = 32 + 2 + 2 + ERROR_BODY_BYTES;

/** BOLT 4 failure-code flags (the top byte of a failure code). */
export const FailureFlag = {
  /** Unparsable onion encrypted by the sending peer. */
  BADONION: 0x8000,
  /** Permanent failure (otherwise transient). */
  PERM: 0x4000,
  /** Node failure (otherwise channel). */
  NODE: 0x2000,
  /** A new channel update is enclosed. */
  UPDATE: 0x1000,
} as const;

/** A failure a hop reports: a 16-bit BOLT 4 failure code and its data. */
export interface FailureMessage {
  /** e.g. `NODE | 2` for `temporary_node_failure`. */
  code: number;
  /** The code's data (may be empty). */
  data: Uint8Array;
}

/** What the origin learns from an error packet. */
export type ErrorAttribution =
  | {
    /** A hop's HMAC matched and the message parsed. */
    kind: "attributed";
    /** Index in the route of the hop that failed (0 = first hop). */
    hopIndex: number;
    /** The failure it reported. */
    failure: FailureMessage;
  }
  | {
    /** A hop's HMAC matched but its message does not parse: that hop is to blame. */
    kind: "malformed";
    /** Index in the route of the hop that sent it. */
    hopIndex: number;
  }
  | {
    /** No hop's HMAC matched (the error was corrupted or forged on the way). */
    kind: "unattributable";
  };

/**
 * Builds the error packet of the failing hop that shares `sharedSecret` with the origin
 * (already obfuscated with its own `ammag` layer, ready to send back).
 *
 * @example
 * ```ts
 * import { attributeError, createErrorPacket, wrapErrorPacket } from "./error_onion.ts";
 * const secrets = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
 * const fromHop1 = createErrorPacket(secrets[1]!, { code: 0x2002, data: new Uint8Array() });
 * const atOrigin = wrapErrorPacket(fromHop1, secrets[0]!); // hop 0 adds its layer
 * const blame = attributeError(secrets, atOrigin);
 * console.log(blame.kind === "attributed" && blame.hopIndex); // 1
 * ```
 */
export function createErrorPacket(sharedSecret: Uint8Array, failure: FailureMessage): Uint8Array {
  if (!Number.isInteger(failure.code) || failure.code < 0 || failure.code > 0xffff) {
    throw new RangeError(`failure code must be a u16, got ${failure.code}`);
  }
  const messageBytes = 2 + failure.data.length;
  if (messageBytes > ERROR_BODY_BYTES) {
    throw new RangeError(
      `failure message is ${messageBytes} bytes, more than ${ERROR_BODY_BYTES}`,
    );
  }
  const body = new Uint8Array(ERROR_PACKET_BYTES - 32);
  const view = new DataView(body.buffer);
  view.setUint16(0, messageBytes);
  view.setUint16(2, failure.code);
  body.set(failure.data, 4);
  view.setUint16(2 + messageBytes, ERROR_BODY_BYTES - messageBytes);
  const mac = hmac(sha256, deriveOnionKey("um", sharedSecret), body);
  return wrapErrorPacket(concat(mac, body), sharedSecret);
}

/**
 * Adds one hop's `ammag` layer: what a hop does to an error packet coming back from downstream
 * (and what the failing hop does last to its own). Returns a new array.
 */
export function wrapErrorPacket(packet: Uint8Array, sharedSecret: Uint8Array): Uint8Array {
  const out = packet.slice();
  xorInto(out, onionStream(deriveOnionKey("ammag", sharedSecret), out.length));
  return out;
}

/**
 * The origin's side: peels the `ammag` layers in route order with the shared secrets it kept
 * from `buildOnion`, and returns the first hop whose `um` HMAC matches, with its failure.
 */
export function attributeError(
  sharedSecrets: readonly Uint8Array[],
  packet: Uint8Array,
): ErrorAttribution {
  if (packet.length !== ERROR_PACKET_BYTES) return { kind: "unattributable" };
  let current = packet;
  for (let hopIndex = 0; hopIndex < sharedSecrets.length; hopIndex++) {
    const ss = sharedSecrets[hopIndex]!;
    current = wrapErrorPacket(current, ss);
    const body = current.subarray(32);
    const expected = hmac(sha256, deriveOnionKey("um", ss), body);
    if (!timingSafeEqual(current.subarray(0, 32), expected)) continue;
    const failure = parseErrorBody(body);
    return failure ? { kind: "attributed", hopIndex, failure } : { kind: "malformed", hopIndex };
  }
  return { kind: "unattributable" };
}

function parseErrorBody(body: Uint8Array): FailureMessage | undefined {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const failureLen = view.getUint16(0);
  if (failureLen < 2 || failureLen > ERROR_BODY_BYTES) return undefined;
  const padLen = view.getUint16(2 + failureLen);
  if (failureLen + padLen !== ERROR_BODY_BYTES) return undefined;
  return { code: view.getUint16(2), data: body.slice(4, 2 + failureLen) };
}

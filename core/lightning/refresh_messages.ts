/**
 * The funding-refresh messages (PROTOCOL.md §9.7 "Heartbeat of a channel"), `ln_*` messages in
 * a free part of the Lightning range (§8.2) after the establishment messages (0x90–0x97) and
 * before gossip (0xb0…):
 *
 * ```text
 * 0xa0 refresh_propose   channel_id 32 ‖ fee_resonances u64 ‖ commit_signature 64
 * 0xa1 refresh_accept    channel_id 32 ‖ commit_signature 64 ‖ refresh_signature 64
 * 0xa2 refresh_complete  channel_id 32 ‖ refresh_signature 64
 * ```
 *
 * The funder proposes (its signature on the fundee's current commitment rebuilt on the new
 * outpoint), the fundee accepts (its signatures on the funder's rebuilt commitment and on the
 * refresh transaction), the funder completes (its signature on the refresh transaction): each
 * side holds a commitment on the new outpoint before the other can publish the refresh.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { CHANNEL_ID_BYTES, COMMITMENT_SIGNATURE_BYTES } from "./channel_messages.ts";

/** Ids of the refresh messages. */
export const RefreshMessageId = {
  refresh_propose: 0xa0,
  refresh_accept: 0xa1,
  refresh_complete: 0xa2,
} as const;

/** `refresh_propose`: the funder's fee and its signature on the fundee's rebuilt commitment. */
export interface RefreshPropose {
  readonly type: "refresh_propose";
  readonly channelId: Uint8Array;
  readonly feeResonances: bigint;
  readonly commitSignature: Uint8Array;
}

/** `refresh_accept`: the fundee's signatures on the funder's rebuilt commitment and the refresh. */
export interface RefreshAccept {
  readonly type: "refresh_accept";
  readonly channelId: Uint8Array;
  readonly commitSignature: Uint8Array;
  readonly refreshSignature: Uint8Array;
}

/** `refresh_complete`: the funder's signature on the refresh transaction. */
export interface RefreshComplete {
  readonly type: "refresh_complete";
  readonly channelId: Uint8Array;
  readonly refreshSignature: Uint8Array;
}

/** Any refresh message. */
export type RefreshMessage = RefreshPropose | RefreshAccept | RefreshComplete;

/** Whether `id` is one of {@link RefreshMessageId}. */
export function isRefreshMessageId(id: number): boolean {
  return id >= RefreshMessageId.refresh_propose && id <= RefreshMessageId.refresh_complete;
}

/**
 * Encodes a message as its id and payload. RangeError on a field of the wrong length or a fee
 * outside u64.
 *
 * @example
 * ```ts
 * import { decodeRefreshMessage, encodeRefreshMessage } from "./refresh_messages.ts";
 * const { id, payload } = encodeRefreshMessage({
 *   type: "refresh_complete",
 *   channelId: new Uint8Array(32),
 *   refreshSignature: new Uint8Array(64),
 * });
 * console.log(id, payload.length, decodeRefreshMessage(id, payload).type); // 162 96 refresh_complete
 * ```
 */
export function encodeRefreshMessage(m: RefreshMessage): { id: number; payload: Uint8Array } {
  const w = new ByteWriter(168);
  fixed(w, m.channelId, CHANNEL_ID_BYTES, "channel id");
  switch (m.type) {
    case "refresh_propose":
      if (m.feeResonances < 0n || m.feeResonances >= 2n ** 64n) {
        throw new RangeError(`refresh fee is not a u64: ${m.feeResonances}`);
      }
      w.writeU64(m.feeResonances);
      fixed(w, m.commitSignature, COMMITMENT_SIGNATURE_BYTES, "commit signature");
      break;
    case "refresh_accept":
      fixed(w, m.commitSignature, COMMITMENT_SIGNATURE_BYTES, "commit signature");
      fixed(w, m.refreshSignature, COMMITMENT_SIGNATURE_BYTES, "refresh signature");
      break;
    case "refresh_complete":
      fixed(w, m.refreshSignature, COMMITMENT_SIGNATURE_BYTES, "refresh signature");
      break;
  }
  return { id: RefreshMessageId[m.type], payload: w.finish() };
}

/**
 * Decodes the payload of message `id`. Strict: an unknown id, a short payload or trailing bytes
 * throw DecodeError (and nothing else is thrown).
 */
export function decodeRefreshMessage(id: number, payload: Uint8Array): RefreshMessage {
  const r = new ByteReader(payload);
  let m: RefreshMessage;
  switch (id) {
    case RefreshMessageId.refresh_propose:
      m = {
        type: "refresh_propose",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        feeResonances: r.readU64(),
        commitSignature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case RefreshMessageId.refresh_accept:
      m = {
        type: "refresh_accept",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        commitSignature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
        refreshSignature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    case RefreshMessageId.refresh_complete:
      m = {
        type: "refresh_complete",
        channelId: r.readBytes(CHANNEL_ID_BYTES),
        refreshSignature: r.readBytes(COMMITMENT_SIGNATURE_BYTES),
      };
      break;
    default:
      throw new DecodeError(`unknown refresh message id 0x${id.toString(16)}`);
  }
  r.expectEnd();
  return m;
}

function fixed(w: ByteWriter, bytes: Uint8Array, length: number, what: string): void {
  if (bytes.length !== length) {
    throw new RangeError(`${what} must be ${length} bytes, got ${bytes.length}`);
  }
  w.writeBytes(bytes);
}

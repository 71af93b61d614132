/**
 * Initial gossip sync (PROTOCOL.md §9.9): BOLT 7's `gossip_timestamp_filter`. A node that
 * connects asks its peer for the gossip of a time window; the peer answers with
 * `ChannelGraph.gossipInRange` (announcements before their updates), then relays new gossip
 * inside the window as it comes.
 *
 * ```
 * gossip_timestamp_filter (12) = first_timestamp u64 ‖ timestamp_range u32
 * ```
 *
 * BOLT 7 also carries the `chain_hash`; here the network is already fixed by the transport's magic.
 *
 * @module
 */
import { ByteReader } from "../encoding/byte_reader.ts";
import { ByteWriter } from "../encoding/byte_writer.ts";
import { DecodeError } from "../errors.ts";

/** Proposed `ln_*` message id of `gossip_timestamp_filter` (§8.2 range 0x80–0xbf). */
export const GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID = 0xb3;
/** Size of an encoded `gossip_timestamp_filter` payload. */
export const GOSSIP_TIMESTAMP_FILTER_BYTES = 12;

/** Which gossip a peer wants: timestamps in `[firstTimestamp, firstTimestamp + timestampRange)`. */
export interface GossipTimestampFilter {
  /** Seconds since 1970 (≤ 2^53 − 1). */
  firstTimestamp: number;
  /** Seconds (u32); 0xffffffff means "and everything after". */
  timestampRange: number;
}

/**
 * Encodes a `gossip_timestamp_filter` payload (without the id byte).
 *
 * @example
 * ```ts
 * import { decodeGossipTimestampFilter, encodeGossipTimestampFilter } from "./gossip_query.ts";
 * const bytes = encodeGossipTimestampFilter({ firstTimestamp: 1_800_000_000, timestampRange: 3600 });
 * console.log(decodeGossipTimestampFilter(bytes).timestampRange); // 3600
 * ```
 */
export function encodeGossipTimestampFilter(filter: GossipTimestampFilter): Uint8Array {
  if (!Number.isSafeInteger(filter.firstTimestamp) || filter.firstTimestamp < 0) {
    throw new RangeError(`firstTimestamp must be a non-negative integer: ${filter.firstTimestamp}`);
  }
  if (
    !Number.isInteger(filter.timestampRange) || filter.timestampRange < 0 ||
    filter.timestampRange > 0xffff_ffff
  ) {
    throw new RangeError(`timestampRange must be a u32: ${filter.timestampRange}`);
  }
  return new ByteWriter(GOSSIP_TIMESTAMP_FILTER_BYTES)
    .writeU64(filter.firstTimestamp)
    .writeU32(filter.timestampRange)
    .finish();
}

/** Decodes a `gossip_timestamp_filter` payload; DecodeError on any other length. */
export function decodeGossipTimestampFilter(bytes: Uint8Array): GossipTimestampFilter {
  if (bytes.length !== GOSSIP_TIMESTAMP_FILTER_BYTES) {
    throw new DecodeError(
      `gossip_timestamp_filter must be ${GOSSIP_TIMESTAMP_FILTER_BYTES} bytes, got ${bytes.length}`,
    );
  }
  const r = new ByteReader(bytes);
  const filter = { firstTimestamp: r.readU64Number(), timestampRange: r.readU32() };
  r.expectEnd();
  return filter;
}

/** True when `timestamp` falls in the filter's window. */
export function inGossipWindow(filter: GossipTimestampFilter, timestamp: number): boolean {
  return timestamp >= filter.firstTimestamp &&
    timestamp - filter.firstTimestamp < filter.timestampRange;
}

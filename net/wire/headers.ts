/**
 * Headers-first sync: `getheaders` sends a block locator (newest first, at most 101 ids) and a
 * stop hash (32 zero bytes = as many as allowed); `headers` answers with at most 2000 encoded
 * 260-byte headers following the first locator entry the peer knows.
 *
 * Wire forms: `getheaders = CompactSize(n ≤ 101) ‖ n × hash 32 ‖ stopHash 32`;
 * `headers = CompactSize(n ≤ 2000) ‖ n × header 260`.
 *
 * @module
 */
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import {
  type BlockHeader,
  HEADER_BYTES,
  readHeader,
  writeHeader,
} from "../../core/primitives/block.ts";
import { MAX_HEADERS_RESULTS, MAX_LOCATOR_HASHES } from "./limits.ts";

/** The `getheaders` payload. */
export interface GetHeadersPayload {
  /** Block ids from the sender's tip back towards genesis, newest first. */
  readonly locator: readonly Uint8Array[];
  /** Stop after this block id; all zero for "up to the limit". */
  readonly stopHash: Uint8Array;
}

/** Appends the `getheaders` payload. */
export function writeGetHeaders(w: ByteWriter, p: GetHeadersPayload): void {
  if (p.locator.length > MAX_LOCATOR_HASHES) {
    throw new RangeError(`Locator of ${p.locator.length} hashes exceeds ${MAX_LOCATOR_HASHES}`);
  }
  if (p.stopHash.length !== 32) throw new RangeError("stopHash must be 32 bytes");
  w.writeCompactSize(p.locator.length);
  for (const h of p.locator) {
    if (h.length !== 32) throw new RangeError("Locator hashes must be 32 bytes");
    w.writeBytes(h);
  }
  w.writeBytes(p.stopHash);
}

/** Reads the `getheaders` payload (locator ≤ 101 hashes, bounded first). */
export function readGetHeaders(r: ByteReader): GetHeadersPayload {
  const n = r.readCount(MAX_LOCATOR_HASHES, 32);
  const locator: Uint8Array[] = [];
  for (let i = 0; i < n; i++) locator.push(r.readBytes(32));
  return { locator, stopHash: r.readBytes(32) };
}

/** Appends CompactSize(count ≤ 2000) ‖ headers. */
export function writeHeaders(w: ByteWriter, headers: readonly BlockHeader[]): void {
  if (headers.length > MAX_HEADERS_RESULTS) {
    throw new RangeError(`${headers.length} headers exceed ${MAX_HEADERS_RESULTS}`);
  }
  w.writeCompactSize(headers.length);
  for (const h of headers) writeHeader(w, h);
}

/** Reads CompactSize(count ≤ 2000) ‖ headers, bounded before allocating. */
export function readHeaders(r: ByteReader): BlockHeader[] {
  const n = r.readCount(MAX_HEADERS_RESULTS, HEADER_BYTES);
  const out: BlockHeader[] = [];
  for (let i = 0; i < n; i++) out.push(readHeader(r));
  return out;
}

/**
 * The `addr` message: peer addresses a node knows, at most {@link MAX_ADDR_ENTRIES}.
 *
 * Entry wire form: `lastSeenSecs u64 ‖ services u64 ‖ address` (see `net_address.ts`).
 *
 * @module
 */
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { MAX_ADDR_ENTRIES } from "./limits.ts";
import {
  MIN_NET_ADDRESS_BYTES,
  type NetAddress,
  readNetAddress,
  writeNetAddress,
} from "./net_address.ts";

/** One advertised peer. */
export interface AddrEntry {
  /** Where the peer listens. */
  readonly address: NetAddress;
  /** Its service bits. */
  readonly services: bigint;
  /** When it was last seen, seconds since the epoch. */
  readonly lastSeenSecs: number;
}

/** Smallest encoded entry. */
export const MIN_ADDR_ENTRY_BYTES = 8 + 8 + MIN_NET_ADDRESS_BYTES;

/** Appends CompactSize(count) ‖ entries. */
export function writeAddrEntries(w: ByteWriter, entries: readonly AddrEntry[]): void {
  if (entries.length > MAX_ADDR_ENTRIES) {
    throw new RangeError(`${entries.length} addr entries exceed ${MAX_ADDR_ENTRIES}`);
  }
  w.writeCompactSize(entries.length);
  for (const e of entries) {
    w.writeU64(e.lastSeenSecs).writeU64(e.services);
    writeNetAddress(w, e.address);
  }
}

/** Reads CompactSize(count ≤ 1000) ‖ entries, bounded before allocating. */
export function readAddrEntries(r: ByteReader): AddrEntry[] {
  const n = r.readCount(MAX_ADDR_ENTRIES, MIN_ADDR_ENTRY_BYTES);
  const out: AddrEntry[] = [];
  for (let i = 0; i < n; i++) {
    const lastSeenSecs = r.readU64Number();
    const services = r.readU64();
    out.push({ address: readNetAddress(r), services, lastSeenSecs });
  }
  return out;
}

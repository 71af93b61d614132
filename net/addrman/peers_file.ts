/**
 * `<datadir>/peers.dat`: the address manager on disk, versioned, checksummed and replaced
 * atomically. A missing file starts an empty table; a corrupt or foreign one is ignored with a
 * warning (and overwritten by the next save), never an exception.
 *
 * Layout (little-endian):
 * ```
 * "rntpeers" (8) ‖ version u8 (= 1) ‖ network magic (4) ‖ key (32) ‖ CompactSize(n) ‖
 * n × (address ‖ source ‖ services u64 ‖ lastSeen u64 ‖ lastTry u64 ‖ lastSuccess u64 ‖
 *      attempts u32 ‖ tried u8) ‖ keccak256(everything before) (32)
 * ```
 * `address` and `source` use the wire address form (`net/wire/net_address.ts`).
 *
 * @module
 */
import { DecodeError } from "../../core/errors.ts";
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { keccak256 } from "../../core/crypto/keccak.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";
import { MIN_NET_ADDRESS_BYTES, readNetAddress, writeNetAddress } from "../wire/net_address.ts";
import {
  type AddrInfo,
  AddrMan,
  type AddrManOptions,
  BUCKET_SIZE,
  NEW_BUCKETS,
  TRIED_BUCKETS,
} from "./addr_man.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";

/** File name inside the data directory. */
export const PEERS_FILE_NAME = "peers.dat";
/** Current format version. */
export const PEERS_FILE_VERSION = 1;
/** Largest file accepted (far above a full table). */
export const MAX_PEERS_FILE_BYTES = 32 * 1024 * 1024;

const FILE_MAGIC = new TextEncoder().encode("rntpeers");
const MAX_ENTRIES = (NEW_BUCKETS + TRIED_BUCKETS) * BUCKET_SIZE;
const MIN_ENTRY_BYTES = 2 * MIN_NET_ADDRESS_BYTES + 4 * 8 + 4 + 1;

/** A decoded peers file. */
export interface PeersSnapshot {
  /** The placement key. */
  readonly key: Uint8Array;
  /** The entries. */
  readonly entries: AddrInfo[];
}

/** Serialises `addrMan` for network `networkMagic`. */
export function encodePeers(addrMan: AddrMan, networkMagic: Uint8Array): Uint8Array {
  if (networkMagic.length !== 4) throw new RangeError("networkMagic must be 4 bytes");
  const entries = addrMan.entries();
  const w = new ByteWriter(64 + entries.length * 96);
  w.writeBytes(FILE_MAGIC).writeU8(PEERS_FILE_VERSION).writeBytes(networkMagic);
  w.writeBytes(addrMan.key).writeCompactSize(entries.length);
  for (const e of entries) {
    writeNetAddress(w, e.address);
    writeNetAddress(w, e.source);
    w.writeU64(e.services).writeU64(e.lastSeenSecs).writeU64(e.lastTrySecs);
    w.writeU64(e.lastSuccessSecs).writeU32(e.attempts).writeU8(e.tried ? 1 : 0);
  }
  const body = w.finish();
  return new ByteWriter(body.length + 32).writeBytes(body).writeBytes(keccak256(body)).finish();
}

/**
 * Parses a peers file; DecodeError on a bad magic, version, network, checksum or layout.
 *
 * @param bytes The file contents.
 * @param networkMagic The network this node runs on.
 * @returns The key and entries.
 */
export function decodePeers(bytes: Uint8Array, networkMagic: Uint8Array): PeersSnapshot {
  if (bytes.length < FILE_MAGIC.length + 1 + 4 + 32 + 1 + 32) {
    throw new DecodeError(`Peers file of ${bytes.length} bytes is too short`);
  }
  const body = bytes.subarray(0, bytes.length - 32);
  const sum = keccak256(body);
  if (!bytesEqual(sum, bytes.subarray(body.length))) {
    throw new DecodeError("Peers file checksum mismatch");
  }
  const r = new ByteReader(body);
  if (!bytesEqual(r.readBytes(FILE_MAGIC.length), FILE_MAGIC)) {
    throw new DecodeError("Not a peers file");
  }
  const version = r.readU8();
  if (version !== PEERS_FILE_VERSION) {
    throw new DecodeError(`Unsupported peers file version ${version}`);
  }
  const magic = r.readBytes(4);
  if (!bytesEqual(magic, networkMagic)) {
    throw new DecodeError("Peers file belongs to another network");
  }
  const key = r.readBytes(32);
  const n = r.readCount(MAX_ENTRIES, MIN_ENTRY_BYTES);
  const entries: AddrInfo[] = [];
  for (let i = 0; i < n; i++) {
    const address = readNetAddress(r);
    const source = readNetAddress(r);
    const services = r.readU64();
    const lastSeenSecs = r.readU64Number();
    const lastTrySecs = r.readU64Number();
    const lastSuccessSecs = r.readU64Number();
    const attempts = r.readU32();
    const tried = r.readU8();
    if (tried > 1) throw new DecodeError(`Bad tried flag ${tried} in entry ${i}`);
    entries.push({
      address,
      source,
      services,
      lastSeenSecs,
      lastTrySecs,
      lastSuccessSecs,
      attempts,
      tried: tried === 1,
    });
  }
  r.expectEnd();
  return { key, entries };
}

/**
 * Writes `addrMan` to `path` atomically (temp file, fsync, rename).
 *
 * @param path Usually `<datadir>/peers.dat`.
 * @param addrMan The table.
 * @param networkMagic The node's network.
 */
export async function savePeers(
  path: string,
  addrMan: AddrMan,
  networkMagic: Uint8Array,
): Promise<void> {
  await writeFileAtomic(path, encodePeers(addrMan, networkMagic));
}

/** Options of {@link loadPeers}: the table's options plus where warnings go. */
export interface LoadPeersOptions extends Omit<AddrManOptions, "key"> {
  /** Receives a one-line warning when the file is unreadable or corrupt; `console.warn` by default. */
  warn?: (message: string) => void;
}

/**
 * Loads the table saved at `path`. A missing file gives an empty table; an unreadable,
 * oversized, corrupt or other-network file gives an empty table and a warning.
 *
 * @param path Usually `<datadir>/peers.dat`.
 * @param networkMagic The node's network.
 * @param options Table options and the warning sink.
 * @returns The table.
 *
 * @example
 * ```ts
 * import { REGTEST } from "../../core/consensus/params.ts";
 * import { loadPeers } from "./peers_file.ts";
 *
 * const datadir = await Deno.makeTempDir();
 * const am = await loadPeers(`${datadir}/peers.dat`, REGTEST.magic); // no file yet: empty
 * console.log(am.size); // 0
 * await Deno.remove(datadir, { recursive: true });
 * ```
 */
export async function loadPeers(
  path: string,
  networkMagic: Uint8Array,
  options: LoadPeersOptions = {},
): Promise<AddrMan> {
  const { warn = console.warn, ...tableOptions } = options;
  let bytes: Uint8Array;
  try {
    const info = await Deno.stat(path);
    if (info.size > MAX_PEERS_FILE_BYTES) {
      warn(`Ignoring ${path}: ${info.size} bytes exceeds ${MAX_PEERS_FILE_BYTES}`);
      return new AddrMan(tableOptions);
    }
    bytes = await Deno.readFile(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      warn(`Ignoring ${path}: ${error instanceof Error ? error.message : error}`);
    }
    return new AddrMan(tableOptions);
  }
  try {
    const { key, entries } = decodePeers(bytes, networkMagic);
    return AddrMan.restore(key, entries, tableOptions);
  } catch (error) {
    warn(`Ignoring corrupt ${path}: ${error instanceof Error ? error.message : error}`);
    return new AddrMan(tableOptions);
  }
}

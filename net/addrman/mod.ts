/**
 * The address manager (PROTOCOL §8.5): "new" and "tried" tables bucketed by a keyed hash of
 * address and source groups, selection, eviction, and `peers.dat` persistence.
 *
 * @example
 * ```ts
 * import { AddrMan } from "./mod.ts";
 * const now = 1_800_000_000;
 * const am = new AddrMan({ nowSecs: () => now });
 * const source = { network: "ipv4" as const, bytes: new Uint8Array([1, 1, 1, 1]), port: 0 };
 * const address = { network: "ipv4" as const, bytes: new Uint8Array([8, 8, 4, 4]), port: 9555 };
 * am.add([{ address, services: 1n, lastSeenSecs: now }], source);
 * console.log(am.select()?.address.port); // 9555
 * ```
 *
 * @module
 */
export { addressGroup, isRoutable } from "./address_group.ts";
export {
  type AddrInfo,
  AddrMan,
  type AddrManCounts,
  type AddrManOptions,
  BUCKET_SIZE,
  HORIZON_SECS,
  MAX_FAILURES,
  MAX_RETRIES,
  MIN_FAIL_SECS,
  NEW_BUCKETS,
  NEW_BUCKETS_PER_SOURCE_GROUP,
  TRIED_BUCKETS,
  TRIED_BUCKETS_PER_GROUP,
} from "./addr_man.ts";
export {
  decodePeers,
  encodePeers,
  loadPeers,
  type LoadPeersOptions,
  MAX_PEERS_FILE_BYTES,
  PEERS_FILE_NAME,
  PEERS_FILE_VERSION,
  type PeersSnapshot,
  savePeers,
} from "./peers_file.ts";

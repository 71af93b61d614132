/**
 * Address groups and routability for the address manager. A group is the part of an address an
 * attacker cannot cheaply vary: IPv4 /16, IPv6 /32, the first 4 bits of a Tor v3 key (as Bitcoin
 * Core groups onions). Buckets are chosen by group, so many addresses from one network or one
 * source land in few buckets.
 *
 * @module
 */
import type { NetAddress } from "../wire/net_address.ts";
import { NETWORK_IDS } from "../wire/net_address.ts";

/**
 * The group of `address` as bytes: `network id ‖ prefix`.
 *
 * @example
 * ```ts
 * import { addressGroup } from "./address_group.ts";
 * console.log(addressGroup({ network: "ipv4", bytes: new Uint8Array([8, 8, 4, 4]), port: 1 }));
 * // Uint8Array [1, 8, 8]
 * ```
 */
export function addressGroup(address: NetAddress): Uint8Array {
  const b = address.bytes;
  switch (address.network) {
    case "ipv4":
      return new Uint8Array([NETWORK_IDS.ipv4, b[0]!, b[1]!]);
    case "ipv6":
      return new Uint8Array([NETWORK_IDS.ipv6, b[0]!, b[1]!, b[2]!, b[3]!]);
    case "torv3":
      return new Uint8Array([NETWORK_IDS.torv3, b[0]! & 0xf0]);
  }
}

/**
 * Whether `address` can be reached over the public Internet or Tor: not unspecified, loopback,
 * private (RFC 1918, RFC 4193), link-local, carrier-grade NAT, documentation, multicast or
 * reserved ranges, and port not 0.
 *
 * @example
 * ```ts
 * import { isRoutable } from "./address_group.ts";
 * console.log(isRoutable({ network: "ipv4", bytes: new Uint8Array([127, 0, 0, 1]), port: 9555 })); // false
 * ```
 */
export function isRoutable(address: NetAddress): boolean {
  if (address.port === 0) return false;
  const b = address.bytes;
  if (address.network === "torv3") return true;
  if (address.network === "ipv4") {
    const [a, c] = [b[0]!, b[1]!];
    if (a === 0 || a === 10 || a === 127 || a >= 224) return false;
    if (a === 169 && c === 254) return false;
    if (a === 172 && c >= 16 && c <= 31) return false;
    if (a === 192 && c === 168) return false;
    if (a === 100 && c >= 64 && c <= 127) return false;
    if (a === 192 && c === 0 && b[2] === 2) return false; // TEST-NET-1
    if (a === 198 && (c === 18 || c === 19)) return false; // benchmarking
    if (a === 198 && c === 51 && b[2] === 100) return false; // TEST-NET-2
    if (a === 203 && c === 0 && b[2] === 113) return false; // TEST-NET-3
    return true;
  }
  if (b.every((x) => x === 0)) return false; // ::
  if (b.subarray(0, 15).every((x) => x === 0) && b[15] === 1) return false; // ::1
  if ((b[0]! & 0xfe) === 0xfc) return false; // fc00::/7 unique local
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return false; // fe80::/10 link-local
  if (b[0] === 0xff) return false; // multicast
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return false; // 2001:db8::/32
  return true;
}

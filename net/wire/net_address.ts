/**
 * Peer network addresses: IPv4, IPv6 and Tor v3 (BIP155-style network ids), their wire
 * encoding and their text form.
 *
 * Wire form: `network u8 (1 = IPv4, 2 = IPv6, 4 = Tor v3) ‖ address bytes (4, 16 or 32) ‖
 * port u16 LE`. An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is not canonical: it must be
 * sent as IPv4.
 *
 * @module
 */
import { DecodeError } from "../../core/errors.ts";
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { onionFromPublicKey, publicKeyFromOnion } from "./onion.ts";

/** The kinds of address a peer may have. */
export type AddressNetwork = "ipv4" | "ipv6" | "torv3";

/** A peer's address: network, raw address bytes and TCP port. */
export interface NetAddress {
  /** Which network the bytes belong to. */
  readonly network: AddressNetwork;
  /** 4 bytes (IPv4), 16 bytes (IPv6) or a 32-byte Ed25519 public key (Tor v3). */
  readonly bytes: Uint8Array;
  /** TCP port (0..65535). */
  readonly port: number;
}

/** Wire id of each network (BIP155 numbering). */
export const NETWORK_IDS: Readonly<Record<AddressNetwork, number>> = Object.freeze({
  ipv4: 1,
  ipv6: 2,
  torv3: 4,
});

/** Address length in bytes of each network. */
export const NETWORK_ADDRESS_BYTES: Readonly<Record<AddressNetwork, number>> = Object.freeze({
  ipv4: 4,
  ipv6: 16,
  torv3: 32,
});

/** Smallest encoded address: network id, IPv4 and port. */
export const MIN_NET_ADDRESS_BYTES = 1 + 4 + 2;

function isIpv4Mapped(bytes: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (bytes[i] !== 0) return false;
  return bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Throws RangeError unless `address` is well formed (lengths, port, canonical IPv6). */
export function checkNetAddress(address: NetAddress): void {
  const want = NETWORK_ADDRESS_BYTES[address.network];
  if (want === undefined) throw new RangeError(`Unknown address network: ${address.network}`);
  if (!(address.bytes instanceof Uint8Array) || address.bytes.length !== want) {
    throw new RangeError(`Expected ${want} ${address.network} address bytes`);
  }
  if (!Number.isInteger(address.port) || address.port < 0 || address.port > 0xffff) {
    throw new RangeError(`Port out of range: ${address.port}`);
  }
  if (address.network === "ipv6" && isIpv4Mapped(address.bytes)) {
    throw new RangeError("An IPv4-mapped IPv6 address must be given as ipv4");
  }
}

/** Appends the wire form of `address`. */
export function writeNetAddress(w: ByteWriter, address: NetAddress): void {
  checkNetAddress(address);
  w.writeU8(NETWORK_IDS[address.network]).writeBytes(address.bytes).writeU16(address.port);
}

/** Reads one address; unknown networks and IPv4-mapped IPv6 throw DecodeError. */
export function readNetAddress(r: ByteReader): NetAddress {
  const at = r.offset;
  const id = r.readU8();
  let network: AddressNetwork;
  if (id === NETWORK_IDS.ipv4) network = "ipv4";
  else if (id === NETWORK_IDS.ipv6) network = "ipv6";
  else if (id === NETWORK_IDS.torv3) network = "torv3";
  else throw new DecodeError(`Unknown address network ${id} at offset ${at}`);
  const bytes = r.readBytes(NETWORK_ADDRESS_BYTES[network]);
  if (network === "ipv6" && isIpv4Mapped(bytes)) {
    throw new DecodeError(`IPv4-mapped IPv6 address at offset ${at}`);
  }
  return { network, bytes, port: r.readU16() };
}

/**
 * The host part as text: dotted IPv4, compressed IPv6 (no brackets), or the `.onion` name;
 * what `Deno.connect` or a SOCKS5 proxy takes as `hostname`.
 *
 * @example
 * ```ts
 * import { formatHost } from "./net_address.ts";
 * console.log(formatHost({ network: "ipv4", bytes: new Uint8Array([127, 0, 0, 1]), port: 1 }));
 * // "127.0.0.1"
 * ```
 */
export function formatHost(address: NetAddress): string {
  const b = address.bytes;
  if (address.network === "ipv4") return Array.from(b).join(".");
  if (address.network === "torv3") return onionFromPublicKey(b);
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((b[i]! << 8) | b[i + 1]!);
  // Longest run (≥ 2) of zero groups becomes "::" (RFC 5952).
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

/** `host:port`, with brackets around IPv6. */
export function formatNetAddress(address: NetAddress): string {
  const host = formatHost(address);
  return address.network === "ipv6" ? `[${host}]:${address.port}` : `${host}:${address.port}`;
}

function parseIpv4(text: string): Uint8Array | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!;
    if (!/^(0|[1-9][0-9]{0,2})$/.test(p) || Number(p) > 255) return undefined;
    out[i] = Number(p);
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | undefined {
  let head = text;
  let tail = "";
  const dbl = text.indexOf("::");
  if (dbl >= 0) {
    if (text.indexOf("::", dbl + 1) >= 0) return undefined;
    head = text.slice(0, dbl);
    tail = text.slice(dbl + 2);
  }
  const words = (s: string): number[] | undefined => {
    if (s === "") return [];
    const out: number[] = [];
    const parts = s.split(":");
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes(".")) {
        const v4 = parseIpv4(p);
        if (!v4) return undefined;
        out.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const h = words(head);
  const t = words(tail);
  if (!h || !t) return undefined;
  const missing = 8 - h.length - t.length;
  if (dbl >= 0 ? missing < 1 : missing !== 0) return undefined;
  const all = [...h, ...new Array<number>(missing).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/**
 * Parses a host (dotted IPv4, IPv6 with or without brackets, or a v3 `.onion` name) and port
 * into a {@link NetAddress}; IPv4-mapped IPv6 becomes IPv4. Returns `undefined` for anything
 * else (DNS names are not peer addresses).
 *
 * @example
 * ```ts
 * import { parseHost } from "./net_address.ts";
 * console.log(parseHost("[::1]", 9555)?.network); // "ipv6"
 * ```
 */
export function parseHost(host: string, port: number): NetAddress | undefined {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) return undefined;
  const v4 = parseIpv4(host);
  if (v4) return { network: "ipv4", bytes: v4, port };
  const bare = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
  const v6 = bare.includes(":") ? parseIpv6(bare) : undefined;
  if (v6) {
    if (isIpv4Mapped(v6)) return { network: "ipv4", bytes: v6.slice(12), port };
    return { network: "ipv6", bytes: v6, port };
  }
  const onion = publicKeyFromOnion(host);
  if (onion && host.toLowerCase().endsWith(".onion")) {
    return { network: "torv3", bytes: onion, port };
  }
  return undefined;
}

/** Whether two addresses are the same network, bytes and port. */
export function sameNetAddress(a: NetAddress, b: NetAddress): boolean {
  if (a.network !== b.network || a.port !== b.port || a.bytes.length !== b.bytes.length) {
    return false;
  }
  for (let i = 0; i < a.bytes.length; i++) if (a.bytes[i] !== b.bytes[i]) return false;
  return true;
}

/**
 * `rpcallowip`: which client addresses the RPC server answers. Entries are Core's forms — a
 * single IP (`192.168.1.7`, `fd00::5`), a CIDR range (`10.0.0.0/8`, `fd00::/8`) or an IPv4
 * address with a netmask (`192.168.1.0/255.255.255.0`). Loopback clients are always allowed.
 *
 * @module
 */

/** Parses an IPv4 or IPv6 address to its bytes (4 or 16), or null. */
export function parseIp(text: string): Uint8Array | null {
  const t = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const v4 = t.match(/^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    return parts.every((p) => p <= 255) ? Uint8Array.from(parts) : null;
  }
  if (!t.includes(":")) return null;
  let head = t;
  let tailV4: Uint8Array | null = null;
  const lastColon = t.lastIndexOf(":");
  if (t.slice(lastColon + 1).includes(".")) {
    tailV4 = parseIp(t.slice(lastColon + 1));
    if (!tailV4 || tailV4.length !== 4) return null;
    head = t.slice(0, lastColon + 1) + "0:0";
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => s === "" ? [] : s.split(":");
  const left = groups(halves[0] ?? "");
  const right = halves.length === 2 ? groups(halves[1] ?? "") : [];
  const missing = 8 - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...left, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...right];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i]!;
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const v = parseInt(g, 16);
    out[2 * i] = v >> 8;
    out[2 * i + 1] = v & 0xff;
  }
  if (tailV4) out.set(tailV4, 12);
  return out;
}

/** An IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) as its 4 IPv4 bytes; others unchanged. */
function unmapped(ip: Uint8Array): Uint8Array {
  if (ip.length !== 16) return ip;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return ip;
  return ip[10] === 0xff && ip[11] === 0xff ? ip.subarray(12) : ip;
}

/** One allowed range: an address and how many leading bits must match. */
export interface IpRange {
  readonly base: Uint8Array;
  readonly bits: number;
}

/** Parses one `rpcallowip` value; throws Error naming it when malformed. */
export function parseAllowIp(text: string): IpRange {
  const [addr = "", mask] = text.trim().split("/");
  const base = parseIp(addr);
  if (!base) throw new Error(`invalid rpcallowip '${text}': not an IP address`);
  const width = base.length * 8;
  if (mask === undefined) return { base: unmapped(base), bits: unmapped(base).length * 8 };
  let bits: number;
  if (/^\d{1,3}$/.test(mask)) {
    bits = Number(mask);
  } else {
    const m = parseIp(mask);
    if (!m || m.length !== base.length) {
      throw new Error(`invalid rpcallowip '${text}': bad netmask '${mask}'`);
    }
    bits = 0;
    let ended = false;
    for (const byte of m) {
      for (let b = 7; b >= 0; b--) {
        const set = (byte >> b & 1) === 1;
        if (set && ended) throw new Error(`invalid rpcallowip '${text}': netmask not contiguous`);
        if (set) bits++;
        else ended = true;
      }
    }
  }
  if (bits > width) throw new Error(`invalid rpcallowip '${text}': /${bits} is too long`);
  const u = unmapped(base);
  return { base: u, bits: u === base ? bits : Math.max(0, bits - 96) };
}

/** Whether `ip` falls in `range`. */
export function inRange(ip: Uint8Array, range: IpRange): boolean {
  const a = unmapped(ip);
  if (a.length !== range.base.length) return false;
  for (let i = 0; i < range.bits; i++) {
    const byte = i >> 3;
    const bit = 7 - (i & 7);
    if ((a[byte]! >> bit & 1) !== (range.base[byte]! >> bit & 1)) return false;
  }
  return true;
}

/** Whether `host` is a loopback address (127.0.0.0/8, ::1) or `localhost`. */
export function isLoopbackHost(host: string): boolean {
  if (host === "localhost") return true;
  const ip = parseIp(host);
  if (!ip) return false;
  const a = unmapped(ip);
  if (a.length === 4) return a[0] === 127;
  return a.every((b, i) => b === (i === 15 ? 1 : 0));
}

/**
 * A check for client addresses: loopback always, plus every `rpcallowip` range.
 *
 * @example
 * ```ts
 * import { allowIpCheck } from "./allow_ip.ts";
 * const allowed = allowIpCheck(["192.168.1.0/24"]);
 * console.log(allowed("192.168.1.9"), allowed("192.168.2.9"), allowed("127.0.0.1"));
 * // true false true
 * ```
 */
export function allowIpCheck(entries: readonly string[]): (host: string) => boolean {
  const ranges = entries.map(parseAllowIp);
  return (host) => {
    if (isLoopbackHost(host)) return true;
    const ip = parseIp(host);
    return ip !== null && ranges.some((r) => inRange(ip, r));
  };
}

/**
 * Peer targets given on the command line or by RPC: `host:port`, `[ipv6]:port`, `name.onion:port`
 * or a bare host (the network's default port).
 *
 * @module
 */
import { UsageError } from "../../core/errors.ts";

/** Where to connect. */
export interface PeerTarget {
  /** Host name or IP literal (IPv6 without brackets). */
  readonly host: string;
  /** TCP port. */
  readonly port: number;
}

/**
 * Parses `host[:port]`.
 *
 * @throws {UsageError} On an empty host or a bad port.
 */
export function parseTarget(text: string, defaultPort: number): PeerTarget {
  const t = text.trim();
  let host = t;
  let port = defaultPort;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1]!;
    if (v6[2] !== undefined) port = Number(v6[2]);
  } else if ((t.match(/:/g) ?? []).length === 1) {
    const i = t.lastIndexOf(":");
    host = t.slice(0, i);
    const p = t.slice(i + 1);
    if (!/^\d{1,5}$/.test(p)) throw new UsageError(`bad port in peer address '${text}'`);
    port = Number(p);
  }
  if (host === "" || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`bad peer address '${text}' (expected host:port)`);
  }
  return { host, port };
}

/** `host:port`, IPv6 in brackets. */
export function formatTarget(t: PeerTarget): string {
  return t.host.includes(":") ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

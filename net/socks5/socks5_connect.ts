/**
 * SOCKS5 client (RFC 1928) with no authentication or username/password (RFC 1929), over
 * `Deno.connect`. After {@link socks5Connect} the returned connection is a plain byte tunnel to
 * the target, ready for `denoConnStream` and the encrypted transport (`connectSecureVia`).
 *
 * Names that are not IP literals (`.onion` in particular) go to the proxy as domain names, so
 * the proxy resolves them and nothing leaks to local DNS.
 *
 * @module
 */
import { parseHost } from "../wire/net_address.ts";
import { readExact } from "./_read_exact.ts";
import { SOCKS5_REPLY_MESSAGES, Socks5Error } from "./socks5_error.ts";

/** Where the proxy is and how to log in. */
export interface Socks5ProxyOptions {
  /** Proxy host, e.g. `"127.0.0.1"` for Tor. */
  hostname: string;
  /** Proxy port, e.g. 9050 for Tor. */
  port: number;
  /** RFC 1929 user name (1..255 bytes); with `password`, offers username/password auth. */
  username?: string;
  /** RFC 1929 password (1..255 bytes). */
  password?: string;
}

/** A proxied connection request. */
export interface Socks5ConnectOptions {
  /** The proxy. */
  proxy: Socks5ProxyOptions;
  /** Target host: an IPv4/IPv6 literal or a domain name (e.g. a `.onion`). */
  hostname: string;
  /** Target port. */
  port: number;
  /** Aborting closes the connection and rejects with the signal's reason. */
  signal?: AbortSignal;
}

const VERSION = 0x05;
const METHOD_NONE = 0x00;
const METHOD_USERPASS = 0x02;
const METHOD_REJECTED = 0xff;
const CMD_CONNECT = 0x01;
const ATYP_IPV4 = 0x01;
const ATYP_DOMAIN = 0x03;
const ATYP_IPV6 = 0x04;

const encoder = new TextEncoder();

function credential(value: string, what: string): Uint8Array {
  const bytes = encoder.encode(value);
  if (bytes.length < 1 || bytes.length > 255) {
    throw new RangeError(`SOCKS5 ${what} must be 1..255 bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** `ATYP ‖ DST.ADDR ‖ DST.PORT` of a CONNECT request. */
function encodeDestination(hostname: string, port: number): Uint8Array {
  if (!Number.isInteger(port) || port < 1 || port > 0xffff) {
    throw new RangeError(`Target port out of range: ${port}`);
  }
  const ip = parseHost(hostname, port);
  let head: Uint8Array;
  if (ip?.network === "ipv4") head = new Uint8Array([ATYP_IPV4, ...ip.bytes]);
  else if (ip?.network === "ipv6") head = new Uint8Array([ATYP_IPV6, ...ip.bytes]);
  else {
    const name = encoder.encode(hostname);
    if (name.length < 1 || name.length > 255) {
      throw new RangeError(`SOCKS5 domain name must be 1..255 bytes, got ${name.length}`);
    }
    head = new Uint8Array([ATYP_DOMAIN, name.length, ...name]);
  }
  return new Uint8Array([...head, port >> 8, port & 0xff]);
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

/** The request bytes, checked before any I/O. */
interface Prepared {
  user: Uint8Array | undefined;
  pass: Uint8Array | undefined;
  destination: Uint8Array;
}

function prepare(options: Socks5ConnectOptions): Prepared {
  const { username, password } = options.proxy;
  const withAuth = username !== undefined || password !== undefined;
  return {
    user: withAuth ? credential(username ?? "", "username") : undefined,
    pass: withAuth ? credential(password ?? "", "password") : undefined,
    destination: encodeDestination(options.hostname, options.port),
  };
}

async function handshake(
  conn: Deno.Conn,
  options: Socks5ConnectOptions,
  { user, pass, destination }: Prepared,
): Promise<void> {
  const withAuth = user !== undefined;

  const methods = withAuth ? [METHOD_NONE, METHOD_USERPASS] : [METHOD_NONE];
  await writeAll(conn, new Uint8Array([VERSION, methods.length, ...methods]));
  const [ver, method] = await readExact(conn, 2, "the method selection");
  if (ver !== VERSION) throw new Socks5Error(`Proxy answered SOCKS version ${ver}`);
  if (method === METHOD_REJECTED) {
    throw new Socks5Error(
      withAuth
        ? "Proxy accepts none of the offered authentication methods"
        : "Proxy requires authentication",
    );
  }
  if (method === METHOD_USERPASS && user && pass) {
    await writeAll(conn, new Uint8Array([0x01, user.length, ...user, pass.length, ...pass]));
    const [authVer, status] = await readExact(conn, 2, "the authentication reply");
    if (authVer !== 0x01) throw new Socks5Error(`Bad authentication reply version ${authVer}`);
    if (status !== 0x00) throw new Socks5Error("Proxy rejected the username or password");
  } else if (method !== METHOD_NONE) {
    throw new Socks5Error(`Proxy chose a method that was not offered: ${method}`);
  }

  await writeAll(conn, new Uint8Array([VERSION, CMD_CONNECT, 0x00, ...destination]));
  const [rver, rep, rsv, atyp] = await readExact(conn, 4, "the CONNECT reply");
  if (rver !== VERSION || rsv !== 0x00) throw new Socks5Error("Malformed CONNECT reply");
  if (rep !== 0x00) {
    const text = SOCKS5_REPLY_MESSAGES[rep!] ?? `unknown reply ${rep}`;
    throw new Socks5Error(
      `Proxy could not connect to ${options.hostname}:${options.port}: ${text}`,
      rep,
    );
  }
  let rest: number;
  if (atyp === ATYP_IPV4) rest = 4 + 2;
  else if (atyp === ATYP_IPV6) rest = 16 + 2;
  else if (atyp === ATYP_DOMAIN) rest = (await readExact(conn, 1, "the bound name length"))[0]! + 2;
  else throw new Socks5Error(`CONNECT reply has unknown address type ${atyp}`);
  await readExact(conn, rest, "the bound address"); // BND.ADDR ‖ BND.PORT: not needed
}

/**
 * Connects to `hostname:port` through a SOCKS5 proxy.
 *
 * @param options Proxy, target and abort signal.
 * @returns The TCP connection to the proxy, now tunnelled to the target; the caller owns it.
 * @throws {Socks5Error} When the proxy refuses (authentication, CONNECT reply) or misbehaves.
 * @throws {RangeError} On a target name, port or credential that cannot be encoded.
 *
 * @example Not run as a doc test: it needs a SOCKS5 proxy (Tor) on 127.0.0.1:9050.
 * ```ts ignore
 * const conn = await socks5Connect({
 *   proxy: { hostname: "127.0.0.1", port: 9050 },
 *   hostname: "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
 *   port: 80,
 * });
 * ```
 */
export async function socks5Connect(options: Socks5ConnectOptions): Promise<Deno.TcpConn> {
  const prepared = prepare(options); // RangeError before any I/O
  options.signal?.throwIfAborted();
  const conn = await Deno.connect({
    hostname: options.proxy.hostname,
    port: options.proxy.port,
    transport: "tcp",
  });
  const onAbort = () => {
    try {
      conn.close();
    } catch {
      // Already closed.
    }
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    options.signal?.throwIfAborted(); // aborted while connecting
    await handshake(conn, options, prepared);
    return conn;
  } catch (error) {
    onAbort();
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof Deno.errors.UnexpectedEof) {
      throw new Socks5Error(`Proxy closed the connection: ${error.message}`);
    }
    throw error;
  } finally {
    options.signal?.removeEventListener("abort", onAbort);
  }
}

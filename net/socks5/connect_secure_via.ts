/**
 * The encrypted transport over a proxied (or any other) byte stream: `connectSecure` of
 * `net/transport` only dials TCP directly, so outbound connections through Tor use these.
 *
 * @module
 */
import type { ByteStream } from "../transport/byte_stream.ts";
import { denoConnStream } from "../transport/deno_conn.ts";
import type { SecureConnection } from "../transport/secure_connection.ts";
import type { HandshakeOptions, SecureTransport } from "../transport/secure_transport.ts";
import { socks5Connect, type Socks5ProxyOptions } from "./socks5_connect.ts";

/**
 * Runs the initiator handshake over an already connected stream (e.g.
 * `denoConnStream(await socks5Connect(…))`).
 *
 * @param transport This node's transport.
 * @param stream The connected stream; closed if the handshake fails.
 * @param options Expected peer id, abort signal.
 * @returns The secure connection.
 */
export function connectSecureVia(
  transport: SecureTransport,
  stream: ByteStream,
  options: HandshakeOptions = {},
): Promise<SecureConnection> {
  return transport.initiate(stream, options);
}

/** Target, proxy and handshake options of {@link connectSecureViaProxy}. */
export interface ConnectSecureViaProxyOptions extends HandshakeOptions {
  /** The SOCKS5 proxy. */
  proxy: Socks5ProxyOptions;
  /** Target host: IP literal or name (`.onion`), resolved by the proxy. */
  hostname: string;
  /** Target port. */
  port: number;
}

/**
 * Opens a SOCKS5 tunnel to the target and runs the initiator handshake through it; the
 * `signal` covers both steps.
 *
 * @param transport This node's transport.
 * @param options Proxy, target, expected peer id and abort signal.
 * @returns The secure connection.
 *
 * @example Not run as a doc test: it needs a SOCKS5 proxy (Tor) on 127.0.0.1:9050.
 * ```ts ignore
 * const peer = await connectSecureViaProxy(transport, {
 *   proxy: { hostname: "127.0.0.1", port: 9050 },
 *   hostname: "….onion",
 *   port: 9555,
 *   signal: AbortSignal.timeout(30_000),
 * });
 * ```
 */
export async function connectSecureViaProxy(
  transport: SecureTransport,
  options: ConnectSecureViaProxyOptions,
): Promise<SecureConnection> {
  const { proxy, hostname, port, ...handshake } = options;
  const conn = await socks5Connect({
    proxy,
    hostname,
    port,
    ...(handshake.signal ? { signal: handshake.signal } : {}),
  });
  return await connectSecureVia(transport, denoConnStream(conn), handshake);
}

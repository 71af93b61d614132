/**
 * Outbound connections through a SOCKS5 proxy (Tor): RFC 1928 CONNECT with no authentication
 * or RFC 1929 username/password, and the encrypted transport over the tunnel.
 *
 * @example Not run as a doc test: it needs a SOCKS5 proxy (Tor) on 127.0.0.1:9050.
 * ```ts ignore
 * import { connectSecureViaProxy } from "./mod.ts";
 * const peer = await connectSecureViaProxy(transport, {
 *   proxy: { hostname: "127.0.0.1", port: 9050 },
 *   hostname: "….onion",
 *   port: 9555,
 * });
 * ```
 *
 * @module
 */
export {
  connectSecureVia,
  connectSecureViaProxy,
  type ConnectSecureViaProxyOptions,
} from "./connect_secure_via.ts";
export {
  socks5Connect,
  type Socks5ConnectOptions,
  type Socks5ProxyOptions,
} from "./socks5_connect.ts";
export { SOCKS5_REPLY_MESSAGES, Socks5Error } from "./socks5_error.ts";

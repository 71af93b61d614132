/**
 * Thin adapter from `Deno.Conn` to the transport: TCP no-delay, reads that end quietly after a
 * local close, and connect/accept helpers that run the handshake.
 *
 * @module
 */
import type { ByteStream } from "./byte_stream.ts";
import type { SecureConnection } from "./secure_connection.ts";
import type { HandshakeOptions, SecureTransport } from "./secure_transport.ts";

/**
 * Wraps a `Deno.Conn` as a {@link ByteStream}. After `close()` a pending or later read resolves
 * `null` instead of rejecting with `BadResource`/`Interrupted`; a reset by the peer also reads as
 * end of stream (the connection decides whether that was mid-frame).
 *
 * @param conn A connected TCP (or Unix) connection; owned by the stream from now on.
 * @returns The stream.
 */
export function denoConnStream(conn: Deno.Conn): ByteStream {
  let closed = false;
  if (conn.localAddr.transport === "tcp") (conn as Deno.TcpConn).setNoDelay(true);
  return {
    async read(buffer: Uint8Array): Promise<number | null> {
      if (closed) return null;
      try {
        return await conn.read(buffer);
      } catch (error) {
        if (closed || error instanceof Deno.errors.ConnectionReset) return null;
        throw error;
      }
    },
    write(bytes: Uint8Array): Promise<number> {
      if (closed) return Promise.reject(new Deno.errors.BadResource("Connection is closed"));
      return conn.write(bytes);
    },
    close(): void {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // The resource is already gone.
      }
    },
  };
}

/** Where to connect, plus the handshake options. */
export interface ConnectSecureOptions extends HandshakeOptions {
  /** Host name or IP address. */
  hostname: string;
  /** TCP port. */
  port: number;
}

/**
 * Opens a TCP connection and runs the initiator handshake over it.
 *
 * @param transport This node's transport (network magic and identity).
 * @param options Address, expected peer id, abort signal.
 * @returns The secure connection.
 *
 * @example Not run as a doc test: it needs a node listening on the address.
 * ```ts ignore
 * const peer = await connectSecure(transport, { hostname: "127.0.0.1", port: 29555 });
 * ```
 */
export async function connectSecure(
  transport: SecureTransport,
  options: ConnectSecureOptions,
): Promise<SecureConnection> {
  const { hostname, port, ...handshake } = options;
  const conn = await Deno.connect({ hostname, port, transport: "tcp" });
  return await transport.initiate(denoConnStream(conn), handshake);
}

/**
 * Runs the responder handshake over a connection from `Deno.Listener.accept()`.
 *
 * @param transport This node's transport (network magic and identity).
 * @param conn The accepted connection (closed if the handshake fails).
 * @param options Expected peer id, abort signal.
 * @returns The secure connection.
 */
export function acceptSecure(
  transport: SecureTransport,
  conn: Deno.Conn,
  options: HandshakeOptions = {},
): Promise<SecureConnection> {
  return transport.accept(denoConnStream(conn), options);
}

/**
 * The error a {@link SecureConnection} gives once it is closed cleanly: by `close()`, or by
 * the peer ending the stream at a frame boundary. A misbehaving peer gives `ProtocolError`.
 *
 * @module
 */

/** The connection is closed; nothing was wrong with the peer's bytes. */
export class ConnectionClosedError extends Error {
  /** Stable machine-readable code. */
  readonly code = "connection-closed";
  /** @param message What closed the connection. */
  constructor(message: string) {
    super(message);
    this.name = "ConnectionClosedError";
  }
}

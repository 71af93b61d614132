/**
 * One peer connection: wire messages over a {@link SecureConnection}, the version/verack
 * handshake (magic check, self-connection nonce), ping/pong keepalive with a timeout, a message
 * rate cap, and byte/message statistics. Every decoding failure, transport protocol failure or
 * {@link ProtocolError} thrown by the message handler disconnects the peer and is reported in
 * {@linkcode Peer.misbehavior} so the owner can discourage its address.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { DecodeError, ProtocolError } from "../../core/errors.ts";
import type { SecureConnection } from "../transport/mod.ts";
import {
  decodeMessage,
  encodeMessage,
  type Message,
  PROTOCOL_VERSION,
  type VersionPayload,
  type WireLimits,
} from "../wire/mod.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";

/** Settings of one peer connection. */
export interface PeerOptions {
  /** Local id of the connection (for logs and RPC). */
  readonly id: number;
  /** The connection after the transport handshake. */
  readonly connection: SecureConnection;
  /** Remote host (IP literal or name). */
  readonly host: string;
  /** Remote port. */
  readonly port: number;
  /** Whether the peer connected to us. */
  readonly inbound: boolean;
  /** Block and transaction size caps for decoding. */
  readonly limits: WireLimits;
  /** Interval between pings (default 30 s). */
  readonly pingIntervalMs?: number;
  /** A ping unanswered this long disconnects (default 20 s). */
  readonly pingTimeoutMs?: number;
  /** The version/verack exchange must finish within this (default 10 s). */
  readonly handshakeTimeoutMs?: number;
  /** More messages than this in one second is a flood (default 2000). */
  readonly maxMessagesPerSecond?: number;
}

/** Handles one message; may throw {@link ProtocolError}. */
export type MessageHandler = (peer: Peer, message: Message) => void | Promise<void>;

function randomNonce(): bigint {
  const b = crypto.getRandomValues(new Uint8Array(8));
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** One connected peer. */
export class Peer {
  /** Local connection id. */
  readonly id: number;
  /** Remote host. */
  readonly host: string;
  /** Remote port. */
  readonly port: number;
  /** Whether the peer connected to us. */
  readonly inbound: boolean;
  /** The peer's authenticated node id (hex). */
  readonly nodeId: string;
  /** Unix seconds when the connection was made. */
  readonly connectedSecs = Math.floor(Date.now() / 1000);
  /** The peer's `version` once the handshake finished. */
  version: VersionPayload | undefined;
  /** Bytes of message contents sent / received. */
  bytesSent = 0;
  /** Bytes of message contents received. */
  bytesRecv = 0;
  /** Unix seconds of the last send / receive. */
  lastSendSecs = 0;
  /** Unix seconds of the last receive. */
  lastRecvSecs = 0;
  /** Last measured ping round trip in ms, or undefined. */
  pingMs: number | undefined;
  /** Unix seconds the peer last gave us a new block (eviction protection). */
  lastBlockSecs = 0;
  /** What the peer did wrong, when it was dropped for misbehaviour. */
  misbehavior: ProtocolError | undefined;
  /** Whether we already answered this peer's `getaddr` (once per connection). */
  answeredGetAddr = false;
  /** Why the connection ended (once closed). */
  closeReason: string | undefined;
  /** Resolves with the reason once the connection is closed. */
  readonly closed: Promise<string>;
  readonly #conn: SecureConnection;
  readonly #limits: WireLimits;
  readonly #pingIntervalMs: number;
  readonly #pingTimeoutMs: number;
  readonly #handshakeTimeoutMs: number;
  readonly #maxPerSecond: number;
  #resolveClosed!: (reason: string) => void;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #pingNonce: bigint | undefined;
  #pingSentMs = 0;
  #lastPingMs = 0;
  #windowStartMs = 0;
  #windowCount = 0;

  /** @param options The connection and its settings. */
  constructor(options: PeerOptions) {
    this.id = options.id;
    this.host = options.host;
    this.port = options.port;
    this.inbound = options.inbound;
    this.#conn = options.connection;
    this.nodeId = toHex(options.connection.peerId);
    this.#limits = options.limits;
    this.#pingIntervalMs = options.pingIntervalMs ?? 30_000;
    this.#pingTimeoutMs = options.pingTimeoutMs ?? 20_000;
    this.#handshakeTimeoutMs = options.handshakeTimeoutMs ?? 10_000;
    this.#maxPerSecond = options.maxMessagesPerSecond ?? 2000;
    this.closed = new Promise((resolve) => this.#resolveClosed = resolve);
  }

  /** `host:port` (IPv6 in brackets). */
  get address(): string {
    return this.host.includes(":") ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
  }

  /** Whether the handshake finished and the connection is open. */
  get ready(): boolean {
    return this.version !== undefined && this.closeReason === undefined;
  }

  /** Sends a message (errors close the connection). */
  send(message: Message): void {
    this.sendRaw(encodeMessage(message));
  }

  /** Sends already-encoded message contents (`id ‖ payload`). */
  sendRaw(contents: Uint8Array): void {
    if (this.closeReason !== undefined) return;
    this.bytesSent += contents.length;
    this.lastSendSecs = Math.floor(Date.now() / 1000);
    this.#conn.send(contents).catch((e) => this.disconnect(`send failed: ${e?.message ?? e}`));
  }

  /**
   * Exchanges version and verack. Both sides send `version`, then `verack` after receiving the
   * other's `version`.
   *
   * @param local Our version payload (its nonce is this connection's nonce).
   * @param isOwnNonce True for a nonce of one of our own outbound connections (self-connection).
   * @returns The peer's version.
   * @throws {ProtocolError} On a wrong magic or any message before the handshake finished.
   * @throws {Error} On a self-connection, a timeout or a closed connection (peer closed).
   */
  async handshake(
    local: VersionPayload,
    isOwnNonce: (nonce: bigint) => boolean,
  ): Promise<VersionPayload> {
    const timeout = new Promise<never>((_, reject) => {
      this.#timer = setTimeout(
        () => reject(new Error("handshake timed out")),
        this.#handshakeTimeoutMs,
      );
    });
    timeout.catch(() => {});
    try {
      this.send({ type: "version", ...local });
      const remote = await Promise.race([this.#receiveOne(), timeout]);
      if (remote.type !== "version") {
        throw new ProtocolError("protocol", `expected version, got ${remote.type}`);
      }
      if (!bytesEqual(remote.networkMagic, local.networkMagic)) {
        throw new ProtocolError("wrong-magic", `network magic ${toHex(remote.networkMagic)}`);
      }
      if (remote.protocolVersion < PROTOCOL_VERSION) {
        throw new Error(`protocol version ${remote.protocolVersion} is too old`);
      }
      if (isOwnNonce(remote.nonce)) throw new Error("connected to self");
      this.send({ type: "verack" });
      const ack = await Promise.race([this.#receiveOne(), timeout]);
      if (ack.type !== "verack") {
        throw new ProtocolError("protocol", `expected verack, got ${ack.type}`);
      }
      this.version = remote;
      return remote;
    } catch (e) {
      this.#fail(e);
      throw e;
    } finally {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
  }

  /**
   * Receives and handles messages until the connection closes; answers pings and sends its own.
   * Resolves with the close reason.
   */
  async run(handler: MessageHandler): Promise<string> {
    this.#schedulePing();
    try {
      while (this.closeReason === undefined) {
        const message = await this.#receiveOne();
        this.#countMessage();
        if (message.type === "ping") {
          this.send({ type: "pong", nonce: message.nonce });
          continue;
        }
        if (message.type === "pong") {
          if (message.nonce === this.#pingNonce) {
            this.pingMs = performance.now() - this.#pingSentMs;
            this.#pingNonce = undefined;
          }
          continue;
        }
        if (message.type === "version" || message.type === "verack") {
          throw new ProtocolError("protocol", `duplicate ${message.type}`);
        }
        await handler(this, message);
      }
    } catch (e) {
      this.#fail(e);
    }
    return this.closeReason ?? "closed";
  }

  /** Closes the connection with `reason`; with `misbehavior` the owner discourages the peer. */
  disconnect(reason: string, misbehavior?: ProtocolError): void {
    if (this.closeReason !== undefined) return;
    this.closeReason = reason;
    if (misbehavior) this.misbehavior = misbehavior;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#conn.close();
    this.#resolveClosed(reason);
  }

  #fail(e: unknown): void {
    if (e instanceof ProtocolError) {
      // Transport failures keep their wording; everything above it is "misbehaving".
      const what = e.reason === "protocol" ? "protocol violation" : "misbehaving";
      this.disconnect(`${what}: ${e.message}`, e);
    } else if (e instanceof DecodeError) {
      this.disconnect(`undecodable message: ${e.message}`, new ProtocolError("decode", e.message));
    } else this.disconnect((e as Error)?.message ?? String(e));
  }

  async #receiveOne(): Promise<Message> {
    const contents = await this.#conn.receive();
    this.bytesRecv += contents.length;
    this.lastRecvSecs = Math.floor(Date.now() / 1000);
    return decodeMessage(contents, this.#limits);
  }

  #countMessage(): void {
    const now = performance.now();
    if (now - this.#windowStartMs >= 1000) {
      this.#windowStartMs = now;
      this.#windowCount = 0;
    }
    if (++this.#windowCount > this.#maxPerSecond) {
      throw new ProtocolError("flood", `more than ${this.#maxPerSecond} messages in one second`);
    }
  }

  #schedulePing(): void {
    const step = Math.min(this.#pingIntervalMs, this.#pingTimeoutMs, 1000);
    // The first ping goes out on the first tick, so the round trip is known early (getpeerinfo).
    this.#lastPingMs = -Infinity;
    const tick = () => {
      if (this.closeReason !== undefined) return;
      const now = performance.now();
      if (this.#pingNonce !== undefined && now - this.#pingSentMs > this.#pingTimeoutMs) {
        this.disconnect("ping timeout");
        return;
      }
      if (this.#pingNonce === undefined && now - this.#lastPingMs >= this.#pingIntervalMs) {
        this.#pingNonce = randomNonce();
        this.#pingSentMs = now;
        this.#lastPingMs = now;
        this.send({ type: "ping", nonce: this.#pingNonce });
      }
      this.#timer = setTimeout(tick, step);
    };
    this.#timer = setTimeout(tick, step);
  }
}

export { randomNonce };

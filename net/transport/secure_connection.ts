/**
 * An authenticated, encrypted connection to one peer, made by `SecureTransport` after the
 * handshake. Every frame is `len (3) ‖ header (1) ‖ contents ‖ tag (16)`.
 *
 * @module
 */
import { ProtocolError } from "../../core/errors.ts";
import type { BufferedReader } from "./_buffered_reader.ts";
import { type ByteStream, writeAll } from "./byte_stream.ts";
import { ConnectionClosedError } from "./connection_closed_error.ts";
import { LENGTH_FIELD_BYTES } from "./fs_chacha20.ts";
import { TAG_BYTES } from "./fs_chacha20_poly1305.ts";
import {
  allocatePacket,
  HEADER_BYTES,
  IGNORE_BIT,
  type PacketDecryptor,
  type PacketEncryptor,
} from "./packet_cipher.ts";

/** Largest frame contents either side accepts: 4 MiB. */
export const MAX_FRAME_CONTENTS_BYTES = 4 * 1024 * 1024;

/** What a `SecureConnection` is built from (the handshake's results). */
export interface SecureConnectionParts {
  /** The underlying stream; closed by `close()` and on any protocol failure. */
  stream: ByteStream;
  /** Reader over `stream` that may already hold bytes read past the handshake. */
  reader: BufferedReader;
  /** Encrypts what we send. */
  encryptor: PacketEncryptor;
  /** Decrypts what the peer sends. */
  decryptor: PacketDecryptor;
  /** The peer's authenticated Ed25519 node id. */
  peerId: Uint8Array;
  /** The 32-byte session id both sides derived. */
  sessionId: Uint8Array;
  /** Contents cap for received frames (≤ 4 MiB). */
  maxFrameBytes: number;
}

/**
 * An encrypted connection. `send` encrypts at call time, so frames go out in call order;
 * `receive` calls are answered in call order. Any authentication failure, oversized length or
 * end of stream inside a frame closes the connection with a `ProtocolError`; every later call
 * then rejects with that same error.
 */
export class SecureConnection {
  /** The peer's Ed25519 public key, authenticated by the handshake. */
  readonly peerId: Uint8Array;
  /** The session id both sides derived (32 bytes). */
  readonly sessionId: Uint8Array;
  readonly #stream: ByteStream;
  readonly #reader: BufferedReader;
  readonly #encryptor: PacketEncryptor;
  readonly #decryptor: PacketDecryptor;
  readonly #maxFrameBytes: number;
  readonly #lengthField = new Uint8Array(LENGTH_FIELD_BYTES);
  #failure: Error | null = null;
  #sending: Promise<void> = Promise.resolve();
  #receiving: Promise<unknown> = Promise.resolve();

  /** @param parts The handshake's results; use `SecureTransport` rather than calling this. */
  constructor(parts: SecureConnectionParts) {
    this.peerId = parts.peerId;
    this.sessionId = parts.sessionId;
    this.#stream = parts.stream;
    this.#reader = parts.reader;
    this.#encryptor = parts.encryptor;
    this.#decryptor = parts.decryptor;
    this.#maxFrameBytes = parts.maxFrameBytes;
  }

  /** Whether the connection is closed (locally, by the peer, or after a failure). */
  get closed(): boolean {
    return this.#failure !== null;
  }

  /**
   * Encrypts `contents` as one frame and writes it.
   *
   * @param contents At most 4 MiB (RangeError otherwise).
   * @returns Resolves once the frame is written.
   */
  send(contents: Uint8Array): Promise<void> {
    return this.#sendFrame(contents, false);
  }

  /**
   * Sends a decoy frame (header ignore bit set) of `length` zero bytes, which the peer's
   * `receive` skips. Useful to disguise traffic sizes.
   *
   * @param length Decoy contents length, at most 4 MiB.
   */
  sendDecoy(length: number): Promise<void> {
    return this.#sendFrame(new Uint8Array(length), true);
  }

  /**
   * Receives the next non-decoy frame's contents.
   *
   * @returns The decrypted contents (a view into a fresh buffer owned by the caller).
   * @throws {ProtocolError} On a bad tag, an oversized length or an end of stream mid-frame.
   * @throws {ConnectionClosedError} After `close()` or when the peer ended the stream cleanly.
   */
  receive(): Promise<Uint8Array> {
    const next = this.#receiving.then(() => this.#receiveFrame());
    this.#receiving = next.catch(() => {});
    return next;
  }

  /** Closes the connection and its stream; pending and later calls reject. Idempotent. */
  close(): void {
    this.#fail(new ConnectionClosedError("Connection closed locally"));
  }

  #sendFrame(contents: Uint8Array, ignore: boolean): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (contents.length > MAX_FRAME_CONTENTS_BYTES) {
      return Promise.reject(
        new RangeError(
          `Expected frame contents of at most ${MAX_FRAME_CONTENTS_BYTES} bytes, got ${contents.length}`,
        ),
      );
    }
    const packet = allocatePacket(contents.length);
    packet.contents.set(contents);
    this.#encryptor.encryptInPlace(packet.frame, { ignore });
    const write = this.#sending.then(async () => {
      if (this.#failure) throw this.#failure;
      try {
        await writeAll(this.#stream, packet.frame);
      } catch (error) {
        this.#fail(this.#failure ?? new ConnectionClosedError(`Write failed: ${error}`));
        throw this.#failure;
      }
    });
    this.#sending = write.catch(() => {});
    return write;
  }

  async #receiveFrame(): Promise<Uint8Array> {
    while (true) {
      if (this.#failure) throw this.#failure;
      const got = await this.#read(this.#lengthField);
      if (got === 0) throw this.#fail(new ConnectionClosedError("Peer closed the connection"));
      if (got < LENGTH_FIELD_BYTES) {
        throw this.#fail(
          new ProtocolError("protocol", "Connection ended inside a frame's length field"),
        );
      }
      const length = this.#decryptor.decryptLength(this.#lengthField);
      if (length > this.#maxFrameBytes) {
        throw this.#fail(
          new ProtocolError(
            "protocol",
            `Frame length ${length} exceeds the maximum of ${this.#maxFrameBytes} bytes`,
          ),
        );
      }
      const payload = new Uint8Array(HEADER_BYTES + length + TAG_BYTES);
      if (await this.#read(payload) < payload.length) {
        throw this.#fail(new ProtocolError("protocol", "Connection ended inside a frame"));
      }
      if (!this.#decryptor.decryptPayload(payload)) {
        throw this.#fail(new ProtocolError("protocol", "Frame failed authentication"));
      }
      if ((payload[0]! & IGNORE_BIT) !== 0) continue;
      return payload.subarray(HEADER_BYTES, HEADER_BYTES + length);
    }
  }

  async #read(target: Uint8Array): Promise<number> {
    try {
      const n = await this.#reader.readFull(target);
      if (this.#failure) throw this.#failure;
      return n;
    } catch (error) {
      if (this.#failure) throw this.#failure;
      throw this.#fail(new ConnectionClosedError(`Read failed: ${error}`));
    }
  }

  #fail(error: Error): Error {
    if (this.#failure) return this.#failure;
    this.#failure = error;
    try {
      this.#stream.close();
    } catch {
      // Already closed by the other side of our own code; nothing left to release.
    }
    return error;
  }
}

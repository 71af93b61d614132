/**
 * The handshake that turns any {@link ByteStream} into a {@link SecureConnection}.
 *
 * ```
 * initiator → responder   ei                                   (32-byte X25519 public key)
 * responder → initiator   er ‖ packet(idR ‖ sigR)              (sent together)
 * initiator → responder   packet(idI ‖ sigI)
 * ```
 *
 * Both sides compute `x = X25519(own secret, peer key)` and derive keys with HKDF-SHA256 from
 * `ei ‖ er ‖ x`, salt `"rnt_v1_shared_secret" ‖ magic` (see `key_derivation.ts`). The first
 * packet of each side carries its Ed25519 node id and a signature over the transcript
 * `"rnt_v1_identity" ‖ role ‖ magic ‖ ei ‖ er ‖ session_id` (role: 0 initiator, 1 responder,
 * so a signature cannot be reflected back). The initiator checks the responder before it reveals
 * its own identity. BIP324's garbage and terminators are dropped: X25519 keys are not uniform
 * on the wire, so they would hide nothing.
 *
 * @module
 */
import { ed25519, x25519 } from "@noble/curves/ed25519.js";
import { ProtocolError } from "../../core/errors.ts";
import { BufferedReader } from "./_buffered_reader.ts";
import { type ByteStream, writeAll } from "./byte_stream.ts";
import { LENGTH_FIELD_BYTES } from "./fs_chacha20.ts";
import { TAG_BYTES } from "./fs_chacha20_poly1305.ts";
import {
  deriveSessionKeys,
  handshakeKeyMaterial,
  type SessionKeys,
  transportSalt,
} from "./key_derivation.ts";
import type { NodeIdentity } from "./node_identity.ts";
import { HEADER_BYTES, PacketDecryptor, PacketEncryptor } from "./packet_cipher.ts";
import { MAX_FRAME_CONTENTS_BYTES, SecureConnection } from "./secure_connection.ts";
import { bytesEqual } from "../../core/util/bytes_equal.ts";

/** Bytes of an X25519 public key as sent in the handshake. */
export const EPHEMERAL_KEY_BYTES = 32;

/** Contents of each side's identity packet: Ed25519 public key (32) ‖ signature (64). */
export const IDENTITY_PACKET_BYTES = 96;

/** ASCII domain tag at the start of the signed transcript. */
export const IDENTITY_DOMAIN = "rnt_v1_identity";

/** Which side of the handshake signs: the role byte of the transcript. */
export type HandshakeRole = "initiator" | "responder";

/** Settings shared by all connections of one node on one network. */
export interface SecureTransportOptions {
  /** The network's 4-byte magic; a peer with another magic fails the handshake. */
  networkMagic: Uint8Array;
  /** This node's Ed25519 identity, proven to every peer. */
  identity: NodeIdentity;
  /** Cap on received frame contents, at most (and by default) 4 MiB. */
  maxFrameBytes?: number;
}

/** Per-connection handshake options. */
export interface HandshakeOptions {
  /** Fail unless the peer proves this node id (32-byte Ed25519 public key). */
  expectedPeerId?: Uint8Array;
  /** Fixed X25519 secret key instead of a random one: known-answer tests only. */
  ephemeralSecretKey?: Uint8Array;
  /** Aborting closes the stream and fails the handshake (e.g. `AbortSignal.timeout(10_000)`). */
  signal?: AbortSignal;
}

const encoder = new TextEncoder();

/**
 * Runs the handshake over byte streams for one node on one network.
 *
 * @example
 * ```ts
 * import { createMemoryPipe } from "./memory_pipe.ts";
 * import { createNodeIdentity } from "./node_identity.ts";
 * import { SecureTransport } from "./secure_transport.ts";
 * const magic = new Uint8Array([0x72, 0x6e, 0x74, 0x00]);
 * const alice = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
 * const bob = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
 * const [a, b] = createMemoryPipe();
 * const [toBob, toAlice] = await Promise.all([alice.initiate(a), bob.accept(b)]);
 * await toBob.send(new TextEncoder().encode("hi"));
 * if ((await toAlice.receive()).length !== 2) throw new Error("lost");
 * toBob.close();
 * toAlice.close();
 * ```
 */
export class SecureTransport {
  readonly #magic: Uint8Array;
  readonly #salt: Uint8Array;
  readonly #identity: NodeIdentity;
  readonly #maxFrameBytes: number;

  /** @param options Network magic, node identity and frame cap. */
  constructor(options: SecureTransportOptions) {
    this.#salt = transportSalt(options.networkMagic);
    this.#magic = options.networkMagic.slice();
    const { secretKey, publicKey } = options.identity;
    if (secretKey.length !== 32 || publicKey.length !== 32) {
      throw new RangeError("Expected a 32-byte Ed25519 identity key pair");
    }
    this.#identity = { secretKey: secretKey.slice(), publicKey: publicKey.slice() };
    const max = options.maxFrameBytes ?? MAX_FRAME_CONTENTS_BYTES;
    if (
      !Number.isSafeInteger(max) || max < IDENTITY_PACKET_BYTES || max > MAX_FRAME_CONTENTS_BYTES
    ) {
      throw new RangeError(
        `Expected maxFrameBytes in [${IDENTITY_PACKET_BYTES}, ${MAX_FRAME_CONTENTS_BYTES}], got ${max}`,
      );
    }
    this.#maxFrameBytes = max;
  }

  /** This node's id (its Ed25519 public key). */
  get nodeId(): Uint8Array {
    return this.#identity.publicKey.slice();
  }

  /**
   * Runs the initiator side over `stream` (we opened the connection).
   *
   * @param stream A fresh stream to the peer; closed if the handshake fails.
   * @param options Expected peer id, abort signal.
   * @returns The secure connection.
   * @throws {ProtocolError} When the peer fails to complete or to authenticate.
   */
  initiate(stream: ByteStream, options: HandshakeOptions = {}): Promise<SecureConnection> {
    return this.#guard(stream, options, async (reader) => {
      const ephemeral = makeEphemeral(options.ephemeralSecretKey);
      await writeAll(stream, ephemeral.publicKey);
      const responderKey = await readExactly(reader, EPHEMERAL_KEY_BYTES);
      const keys = this.#keys(ephemeral.secretKey, ephemeral.publicKey, responderKey, "initiator");
      const encryptor = new PacketEncryptor(keys.initiatorL, keys.initiatorP);
      const decryptor = new PacketDecryptor(keys.responderL, keys.responderP);
      const peerId = await this.#receiveIdentity(
        reader,
        decryptor,
        "responder",
        ephemeral.publicKey,
        responderKey,
        keys.sessionId,
        options.expectedPeerId,
      );
      const mine = this.#identityPacket("initiator", ephemeral.publicKey, responderKey, keys);
      await writeAll(stream, encryptor.encrypt(mine));
      return { encryptor, decryptor, peerId, sessionId: keys.sessionId };
    });
  }

  /**
   * Runs the responder side over `stream` (the peer connected to us).
   *
   * @param stream A fresh stream from the peer; closed if the handshake fails.
   * @param options Expected peer id, abort signal.
   * @returns The secure connection.
   * @throws {ProtocolError} When the peer fails to complete or to authenticate.
   */
  accept(stream: ByteStream, options: HandshakeOptions = {}): Promise<SecureConnection> {
    return this.#guard(stream, options, async (reader) => {
      const initiatorKey = await readExactly(reader, EPHEMERAL_KEY_BYTES);
      const ephemeral = makeEphemeral(options.ephemeralSecretKey);
      const keys = this.#keys(ephemeral.secretKey, initiatorKey, ephemeral.publicKey, "responder");
      const encryptor = new PacketEncryptor(keys.responderL, keys.responderP);
      const decryptor = new PacketDecryptor(keys.initiatorL, keys.initiatorP);
      const packet = encryptor.encrypt(
        this.#identityPacket("responder", initiatorKey, ephemeral.publicKey, keys),
      );
      const flight = new Uint8Array(EPHEMERAL_KEY_BYTES + packet.length);
      flight.set(ephemeral.publicKey);
      flight.set(packet, EPHEMERAL_KEY_BYTES);
      await writeAll(stream, flight);
      const peerId = await this.#receiveIdentity(
        reader,
        decryptor,
        "initiator",
        initiatorKey,
        ephemeral.publicKey,
        keys.sessionId,
        options.expectedPeerId,
      );
      return { encryptor, decryptor, peerId, sessionId: keys.sessionId };
    });
  }

  async #guard(
    stream: ByteStream,
    options: HandshakeOptions,
    run: (reader: BufferedReader) => Promise<{
      encryptor: PacketEncryptor;
      decryptor: PacketDecryptor;
      peerId: Uint8Array;
      sessionId: Uint8Array;
    }>,
  ): Promise<SecureConnection> {
    const { signal } = options;
    if (options.expectedPeerId !== undefined && options.expectedPeerId.length !== 32) {
      throw new RangeError(`Expected expectedPeerId to be 32 bytes`);
    }
    const onAbort = () => closeQuietly(stream);
    signal?.throwIfAborted();
    signal?.addEventListener("abort", onAbort, { once: true });
    const reader = new BufferedReader(stream);
    try {
      const done = await run(reader);
      signal?.throwIfAborted();
      return new SecureConnection({
        stream,
        reader,
        ...done,
        maxFrameBytes: this.#maxFrameBytes,
      });
    } catch (error) {
      closeQuietly(stream);
      if (signal?.aborted) throw signal.reason;
      if (error instanceof ProtocolError) throw error;
      throw new ProtocolError(
        "protocol",
        `Handshake failed: ${error instanceof Error ? error.message : error}`,
      );
    } finally {
      signal?.removeEventListener("abort", onAbort);
    }
  }

  #keys(
    ownSecret: Uint8Array,
    initiatorKey: Uint8Array,
    responderKey: Uint8Array,
    role: HandshakeRole,
  ): SessionKeys {
    const peerKey = role === "initiator" ? responderKey : initiatorKey;
    let shared: Uint8Array;
    try {
      shared = x25519.getSharedSecret(ownSecret, peerKey);
    } catch {
      throw new ProtocolError("protocol", "Peer sent a low-order X25519 key");
    }
    return deriveSessionKeys(handshakeKeyMaterial(initiatorKey, responderKey, shared), this.#salt);
  }

  #identityPacket(
    role: HandshakeRole,
    initiatorKey: Uint8Array,
    responderKey: Uint8Array,
    keys: SessionKeys,
  ): Uint8Array {
    const message = identityTranscript(
      role,
      this.#magic,
      initiatorKey,
      responderKey,
      keys.sessionId,
    );
    const contents = new Uint8Array(IDENTITY_PACKET_BYTES);
    contents.set(this.#identity.publicKey);
    contents.set(ed25519.sign(message, this.#identity.secretKey), 32);
    return contents;
  }

  async #receiveIdentity(
    reader: BufferedReader,
    decryptor: PacketDecryptor,
    peerRole: HandshakeRole,
    initiatorKey: Uint8Array,
    responderKey: Uint8Array,
    sessionId: Uint8Array,
    expectedPeerId: Uint8Array | undefined,
  ): Promise<Uint8Array> {
    const field = await readExactly(reader, LENGTH_FIELD_BYTES);
    const length = decryptor.decryptLength(field);
    if (length !== IDENTITY_PACKET_BYTES) {
      throw new ProtocolError(
        "protocol",
        `Handshake packet announces ${length} bytes, expected ${IDENTITY_PACKET_BYTES} (wrong network or keys)`,
      );
    }
    const payload = await readExactly(reader, HEADER_BYTES + length + TAG_BYTES);
    if (!decryptor.decryptPayload(payload)) {
      throw new ProtocolError("protocol", "Handshake packet failed authentication");
    }
    if (payload[0] !== 0) {
      throw new ProtocolError("protocol", `Handshake packet has header ${payload[0]}`);
    }
    const peerId = payload.slice(HEADER_BYTES, HEADER_BYTES + 32);
    const signature = payload.subarray(HEADER_BYTES + 32, HEADER_BYTES + IDENTITY_PACKET_BYTES);
    const message = identityTranscript(
      peerRole,
      this.#magic,
      initiatorKey,
      responderKey,
      sessionId,
    );
    let valid = false;
    try {
      valid = ed25519.verify(signature, message, peerId, { zip215: false });
    } catch {
      valid = false;
    }
    if (!valid) throw new ProtocolError("protocol", "Peer's identity signature is invalid");
    if (expectedPeerId !== undefined && !bytesEqual(peerId, expectedPeerId)) {
      throw new ProtocolError("protocol", "Peer's node id is not the expected one");
    }
    return peerId;
  }
}

/**
 * Builds the message each side signs with its node identity key:
 * `"rnt_v1_identity" ‖ role (0 initiator, 1 responder) ‖ magic ‖ ei ‖ er ‖ session_id`.
 *
 * @param role The signer's role.
 * @param networkMagic The 4-byte network magic.
 * @param initiatorKey The initiator's ephemeral X25519 public key.
 * @param responderKey The responder's ephemeral X25519 public key.
 * @param sessionId The derived session id.
 * @returns The transcript bytes (116).
 */
export function identityTranscript(
  role: HandshakeRole,
  networkMagic: Uint8Array,
  initiatorKey: Uint8Array,
  responderKey: Uint8Array,
  sessionId: Uint8Array,
): Uint8Array {
  const domain = encoder.encode(IDENTITY_DOMAIN);
  const out = new Uint8Array(domain.length + 1 + 4 + 32 + 32 + 32);
  let at = 0;
  for (
    const part of [
      domain,
      [role === "initiator" ? 0 : 1],
      networkMagic,
      initiatorKey,
      responderKey,
      sessionId,
    ]
  ) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function makeEphemeral(secretKey?: Uint8Array): { secretKey: Uint8Array; publicKey: Uint8Array } {
  const secret = secretKey ?? x25519.utils.randomSecretKey();
  return { secretKey: secret, publicKey: x25519.getPublicKey(secret) };
}

async function readExactly(reader: BufferedReader, length: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  if (await reader.readFull(out) < length) {
    throw new ProtocolError("protocol", "Connection ended during the handshake");
  }
  return out;
}

function closeQuietly(stream: ByteStream): void {
  try {
    stream.close();
  } catch {
    // Already closed.
  }
}

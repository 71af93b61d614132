/**
 * The encrypted, authenticated P2P transport (BIP324-shaped): X25519 + HKDF-SHA256 handshake
 * with Ed25519 node identities, FSChaCha20 lengths and ChaCha20-Poly1305 payloads rekeyed every
 * 224 messages, 4 MiB frame cap.
 *
 * @example
 * ```ts
 * import { createMemoryPipe, createNodeIdentity, SecureTransport } from "./mod.ts";
 * const magic = new Uint8Array([0x72, 0x6e, 0x74, 0x00]);
 * const server = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
 * const client = new SecureTransport({ networkMagic: magic, identity: createNodeIdentity() });
 * const [a, b] = createMemoryPipe();
 * const [out, inc] = await Promise.all([
 *   client.initiate(a, { expectedPeerId: server.nodeId }),
 *   server.accept(b),
 * ]);
 * await out.send(new Uint8Array([1, 2, 3]));
 * const got = await inc.receive();
 * if (got[2] !== 3) throw new Error("lost");
 * out.close();
 * inc.close();
 * ```
 *
 * @module
 */
export { type ByteStream, writeAll } from "./byte_stream.ts";
export { ConnectionClosedError } from "./connection_closed_error.ts";
export {
  acceptSecure,
  connectSecure,
  type ConnectSecureOptions,
  denoConnStream,
} from "./deno_conn.ts";
export { FSChaCha20, LENGTH_FIELD_BYTES, REKEY_INTERVAL } from "./fs_chacha20.ts";
export { FSChaCha20Poly1305, TAG_BYTES } from "./fs_chacha20_poly1305.ts";
export {
  deriveSessionKeys,
  handshakeKeyMaterial,
  SALT_PREFIX,
  type SessionKeys,
  transportSalt,
} from "./key_derivation.ts";
export { createMemoryPipe, MemoryByteStream } from "./memory_pipe.ts";
export { createNodeIdentity, type NodeIdentity } from "./node_identity.ts";
export {
  allocatePacket,
  type EncryptPacketOptions,
  HEADER_BYTES,
  IGNORE_BIT,
  MAX_PACKET_CONTENTS_BYTES,
  PACKET_OVERHEAD_BYTES,
  type PacketBuffer,
  PacketDecryptor,
  PacketEncryptor,
} from "./packet_cipher.ts";
export {
  MAX_FRAME_CONTENTS_BYTES,
  SecureConnection,
  type SecureConnectionParts,
} from "./secure_connection.ts";
export {
  EPHEMERAL_KEY_BYTES,
  type HandshakeOptions,
  type HandshakeRole,
  IDENTITY_DOMAIN,
  IDENTITY_PACKET_BYTES,
  identityTranscript,
  SecureTransport,
  type SecureTransportOptions,
} from "./secure_transport.ts";

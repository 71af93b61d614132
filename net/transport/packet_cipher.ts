/**
 * Packet encryption of one direction: an FSChaCha20-encrypted 3-byte little-endian contents
 * length, then ChaCha20-Poly1305 over a 1-byte header ‖ contents, then a 16-byte tag.
 *
 * ```
 * | len (3, FSChaCha20) | header (1) | contents (len) | tag (16) |   ← header..tag: AEAD
 * ```
 *
 * @module
 */
import { FSChaCha20, LENGTH_FIELD_BYTES } from "./fs_chacha20.ts";
import { FSChaCha20Poly1305, TAG_BYTES } from "./fs_chacha20_poly1305.ts";

/** Bytes of the header that precedes the contents inside the AEAD. */
export const HEADER_BYTES = 1;

/** Bytes a packet adds to its contents: length field, header and tag (20). */
export const PACKET_OVERHEAD_BYTES = LENGTH_FIELD_BYTES + HEADER_BYTES + TAG_BYTES;

/** Largest contents length the 3-byte length field can carry (2^24 − 1). */
export const MAX_PACKET_CONTENTS_BYTES = 0xffffff;

/** Header bit 7: the packet is a decoy and its contents are discarded by the receiver. */
export const IGNORE_BIT = 0x80;

/** Options for {@link PacketEncryptor.encrypt}. */
export interface EncryptPacketOptions {
  /** Sets the header's ignore bit (a decoy packet). */
  ignore?: boolean;
  /** Additional authenticated data (rnt sends none; kept for the BIP324 vectors). */
  aad?: Uint8Array;
}

/** A packet being built in place: write the contents into `contents`, then encrypt `frame`. */
export interface PacketBuffer {
  /** The whole packet as it goes on the wire. */
  frame: Uint8Array;
  /** The view of `frame` where the plaintext contents go. */
  contents: Uint8Array;
}

/**
 * Allocates a packet for `contentsLength` bytes of contents. The buffer starts with one byte of
 * slack so that the AEAD part (header onwards) is 4-byte aligned, noble's fast path.
 *
 * @param contentsLength Length of the contents in bytes.
 * @returns The frame view (wire bytes) and the contents view inside it.
 */
export function allocatePacket(contentsLength: number): PacketBuffer {
  checkContentsLength(contentsLength);
  const buffer = new Uint8Array(1 + PACKET_OVERHEAD_BYTES + contentsLength);
  const frame = buffer.subarray(1);
  const start = LENGTH_FIELD_BYTES + HEADER_BYTES;
  return { frame, contents: frame.subarray(start, start + contentsLength) };
}

/**
 * Encrypts the packets one side sends.
 *
 * @example
 * ```ts
 * import { PacketDecryptor, PacketEncryptor } from "./packet_cipher.ts";
 * const lengthKey = new Uint8Array(32).fill(1);
 * const payloadKey = new Uint8Array(32).fill(2);
 * const frame = new PacketEncryptor(lengthKey, payloadKey).encrypt(new Uint8Array([7]));
 * const receiver = new PacketDecryptor(lengthKey, payloadKey);
 * const length = receiver.decryptLength(frame.subarray(0, 3));
 * const rest = frame.slice(3);
 * if (length !== 1 || !receiver.decryptPayload(rest) || rest[1] !== 7) throw new Error("bad");
 * ```
 */
export class PacketEncryptor {
  readonly #lengthCipher: FSChaCha20;
  readonly #payloadCipher: FSChaCha20Poly1305;

  /**
   * @param lengthKey 32-byte L key of the sending side.
   * @param payloadKey 32-byte P key of the sending side.
   */
  constructor(lengthKey: Uint8Array, payloadKey: Uint8Array) {
    this.#lengthCipher = new FSChaCha20(lengthKey);
    this.#payloadCipher = new FSChaCha20Poly1305(payloadKey);
  }

  /**
   * Copies `contents` into a fresh packet and encrypts it.
   *
   * @param contents Plaintext contents, at most 2^24 − 1 bytes.
   * @param options Ignore bit and AAD.
   * @returns The wire bytes: `contents.length + 20` bytes.
   */
  encrypt(contents: Uint8Array, options: EncryptPacketOptions = {}): Uint8Array {
    const packet = allocatePacket(contents.length);
    packet.contents.set(contents);
    this.encryptInPlace(packet.frame, options);
    return packet.frame;
  }

  /**
   * Encrypts a frame whose contents were already written in place (see {@link allocatePacket}).
   * Writes the length field and the header, encrypts, and appends the tag.
   *
   * @param frame A frame from {@link allocatePacket} with its contents filled in.
   * @param options Ignore bit and AAD.
   */
  encryptInPlace(frame: Uint8Array, options: EncryptPacketOptions = {}): void {
    const contentsLength = frame.length - PACKET_OVERHEAD_BYTES;
    checkContentsLength(contentsLength);
    frame[0] = contentsLength & 0xff;
    frame[1] = (contentsLength >>> 8) & 0xff;
    frame[2] = contentsLength >>> 16;
    frame[LENGTH_FIELD_BYTES] = options.ignore ? IGNORE_BIT : 0;
    this.#lengthCipher.crypt(frame.subarray(0, LENGTH_FIELD_BYTES));
    this.#payloadCipher.seal(frame.subarray(LENGTH_FIELD_BYTES), options.aad);
  }
}

/**
 * Decrypts the packets one side receives: first the length (which is not authenticated until
 * the tag is checked, so cap it before reading the rest), then header ‖ contents ‖ tag.
 */
export class PacketDecryptor {
  readonly #lengthCipher: FSChaCha20;
  readonly #payloadCipher: FSChaCha20Poly1305;

  /**
   * @param lengthKey 32-byte L key of the sending side.
   * @param payloadKey 32-byte P key of the sending side.
   */
  constructor(lengthKey: Uint8Array, payloadKey: Uint8Array) {
    this.#lengthCipher = new FSChaCha20(lengthKey);
    this.#payloadCipher = new FSChaCha20Poly1305(payloadKey);
  }

  /**
   * Decrypts a 3-byte length field (without modifying it).
   *
   * @param field The 3 encrypted length bytes from the wire.
   * @returns The contents length announced by the peer (not yet authenticated).
   */
  decryptLength(field: Uint8Array): number {
    const plain = field.slice(0, LENGTH_FIELD_BYTES);
    if (plain.length !== LENGTH_FIELD_BYTES) {
      throw new RangeError(`Expected a ${LENGTH_FIELD_BYTES}-byte field, got ${field.length}`);
    }
    this.#lengthCipher.crypt(plain);
    return plain[0]! | (plain[1]! << 8) | (plain[2]! << 16);
  }

  /**
   * Authenticates and decrypts header ‖ contents ‖ tag in place.
   *
   * @param payload The `length + 17` bytes that follow the length field.
   * @param aad Additional authenticated data (empty by default).
   * @returns `true` if the tag was valid; then `payload[0]` is the header and
   *   `payload[1, length + 1)` the contents.
   */
  decryptPayload(payload: Uint8Array, aad?: Uint8Array): boolean {
    return this.#payloadCipher.open(payload, aad);
  }
}

function checkContentsLength(contentsLength: number): void {
  if (
    !Number.isSafeInteger(contentsLength) || contentsLength < 0 ||
    contentsLength > MAX_PACKET_CONTENTS_BYTES
  ) {
    throw new RangeError(
      `Expected contents length in [0, ${MAX_PACKET_CONTENTS_BYTES}], got ${contentsLength}`,
    );
  }
}

/**
 * Sphinx onion packets (BOLT 4 shape) on ristretto255 (PROTOCOL.md §9.3).
 *
 * ```
 * packet (1365 bytes) = version 0x00 (1) ‖ ephemeral key (32, ristretto255)
 *                     ‖ hop_payloads (1300) ‖ hmac (32)
 * hop_payloads        = [BigSize len ‖ payload (len ≥ 2) ‖ next hmac (32)] per hop ‖ filler
 * ```
 *
 * The origin builds the packet last hop first; each hop checks the HMAC (constant time) before
 * decrypting anything, reads its slot, shifts the rest left (appending stream-encrypted zeros so
 * the size never changes) and blinds the ephemeral key for the next hop. An all-zero next HMAC
 * tells the final hop it is the final hop. Everything but the ECDH (the key derivation, streams,
 * filler, HMACs) is BOLT 4's, and is checked against BOLT 4's `onion-test.json`.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { timingSafeEqual } from "../util/timing_safe_equal.ts";
import {
  blindingFactor,
  concat,
  decodeOnionPublicKey,
  deriveOnionKey,
  multiplyScalars,
  ONION_PUBLIC_KEY_BYTES,
  onionPublicKeyOfScalar,
  onionSharedSecret,
  onionStream,
  sessionScalar,
  xorInto,
} from "./onion_keys.ts";

/** The only packet version. */
export const ONION_VERSION = 0;
/** Size of the `hop_payloads` field. */
export const HOP_PAYLOADS_BYTES = 1300;
/** Size of an HMAC. */
export const HMAC_BYTES = 32;
/** Size of a whole packet: 1 + 32 + 1300 + 32. */
export const ONION_PACKET_BYTES = 1 + ONION_PUBLIC_KEY_BYTES + HOP_PAYLOADS_BYTES + HMAC_BYTES;
/** Most hops in a route. */
export const MAX_HOPS = 20;
/** Shortest hop payload (BOLT 4 reserves lengths 0 and 1). */
export const MIN_PAYLOAD_BYTES = 2;

/** One hop of a route: its onion public key and the payload only it can read. */
export interface OnionHop {
  /** 32-byte ristretto255 public key (see `onionPublicKeyOfNode`). */
  publicKey: Uint8Array;
  /** The hop's payload (≥ 2 bytes; all slots together fit in 1300 bytes). */
  payload: Uint8Array;
}

/** A built onion and what the origin keeps to read errors later. */
export interface BuiltOnion {
  /** The 1365-byte packet for the first hop. */
  packet: Uint8Array;
  /** The shared secret of each hop, in route order (for `attributeError`). */
  sharedSecrets: Uint8Array[];
}

/** What a hop learns from a packet. */
export interface PeeledOnion {
  /** This hop's payload. */
  payload: Uint8Array;
  /** The shared secret with the origin (for wrapping an error). */
  sharedSecret: Uint8Array;
  /** The packet to forward, or null when this hop is the final hop. */
  nextPacket: Uint8Array | null;
}

/** Why a packet was refused; each maps to a BOLT 4 BADONION failure. */
export type OnionErrorReason =
  | "invalid-onion-version"
  | "invalid-onion-key"
  | "invalid-onion-hmac"
  | "invalid-onion-payload";

/** A packet a hop cannot process. */
export class OnionError extends Error {
  /** Stable machine-readable code. */
  readonly code = "onion-error";
  /** What was wrong with the packet. */
  readonly reason: OnionErrorReason;
  constructor(reason: OnionErrorReason, message: string) {
    super(message);
    this.name = "OnionError";
    this.reason = reason;
  }
}

/**
 * Builds an onion for `hops` (first hop first). `sessionKey` is 32 fresh random bytes from the
 * caller (core draws no randomness); `associatedData` is committed by every HMAC (the payment
 * hash, so an onion cannot be replayed under another payment).
 *
 * @example
 * ```ts
 * import { buildOnion, peelOnion } from "./sphinx.ts";
 * import { onionKeyPairFromNodeSeed } from "./onion_keys.ts";
 * const node = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(9));
 * const ad = new Uint8Array(32);
 * const { packet } = buildOnion(new Uint8Array(32).fill(1), [
 *   { publicKey: node.publicKey, payload: new Uint8Array([1, 2, 3]) },
 * ], ad);
 * const peeled = peelOnion(packet, node.privateScalar, ad);
 * console.log(peeled.payload, peeled.nextPacket); // Uint8Array(3) [ 1, 2, 3 ] null
 * ```
 */
export function buildOnion(
  sessionKey: Uint8Array,
  hops: readonly OnionHop[],
  associatedData: Uint8Array,
): BuiltOnion {
  if (hops.length === 0 || hops.length > MAX_HOPS) {
    throw new RangeError(`route must have 1 to ${MAX_HOPS} hops, got ${hops.length}`);
  }
  let ephemeral = sessionScalar(sessionKey);
  const firstKey = onionPublicKeyOfScalar(ephemeral);
  let ephemeralPublic = firstKey;
  const sharedSecrets: Uint8Array[] = [];
  hops.forEach((hop, i) => {
    const point = decodeOnionPublicKey(hop.publicKey);
    if (!point) throw new RangeError(`hop ${i} public key is not a valid ristretto255 key`);
    const ss = onionSharedSecret(ephemeral, point);
    sharedSecrets.push(ss);
    if (i + 1 < hops.length) {
      ephemeral = multiplyScalars(ephemeral, blindingFactor(ephemeralPublic, ss));
      ephemeralPublic = onionPublicKeyOfScalar(ephemeral);
    }
  });
  const { hopPayloads, hmac: firstHmac } = buildHopPayloads(
    sharedSecrets,
    hops.map((h) => h.payload),
    associatedData,
    sessionKey,
  );
  const packet = concat(new Uint8Array([ONION_VERSION]), firstKey, hopPayloads, firstHmac);
  return { packet, sharedSecrets };
}

/**
 * The curve-free half of construction: the obfuscated `hop_payloads` and the first HMAC from the
 * hops' shared secrets. The starting fill is ChaCha20 under `HMAC("pad", sessionKey)`.
 */
export function buildHopPayloads(
  sharedSecrets: readonly Uint8Array[],
  payloads: readonly Uint8Array[],
  associatedData: Uint8Array,
  sessionKey: Uint8Array,
): { hopPayloads: Uint8Array; hmac: Uint8Array } {
  if (sharedSecrets.length !== payloads.length) {
    throw new RangeError("one shared secret per payload is needed");
  }
  const slots = payloads.map((p, i) => {
    if (p.length < MIN_PAYLOAD_BYTES) {
      throw new RangeError(`hop ${i} payload must be at least ${MIN_PAYLOAD_BYTES} bytes`);
    }
    return bigSizeLength(p.length) + p.length + HMAC_BYTES;
  });
  const total = slots.reduce((a, b) => a + b, 0);
  if (total > HOP_PAYLOADS_BYTES) {
    throw new RangeError(`hop payloads take ${total} bytes, more than ${HOP_PAYLOADS_BYTES}`);
  }
  const filler = generateFiller(sharedSecrets, slots);
  const routing = onionStream(deriveOnionKey("pad", sessionKey), HOP_PAYLOADS_BYTES);
  let nextHmac: Uint8Array = new Uint8Array(HMAC_BYTES);
  for (let i = payloads.length - 1; i >= 0; i--) {
    const payload = payloads[i]!;
    const slot = slots[i]!;
    routing.copyWithin(slot, 0, HOP_PAYLOADS_BYTES - slot);
    const prefix = encodeBigSize(payload.length);
    routing.set(prefix, 0);
    routing.set(payload, prefix.length);
    routing.set(nextHmac, prefix.length + payload.length);
    xorInto(routing, onionStream(deriveOnionKey("rho", sharedSecrets[i]!), HOP_PAYLOADS_BYTES));
    if (i === payloads.length - 1) routing.set(filler, HOP_PAYLOADS_BYTES - filler.length);
    nextHmac = hmac(
      sha256,
      deriveOnionKey("mu", sharedSecrets[i]!),
      concat(routing, associatedData),
    );
  }
  return { hopPayloads: routing, hmac: nextHmac };
}

/**
 * The filler: what the zeros appended by hops 0..n−2 have become by the time the packet reaches
 * the last hop, so the origin can compute every HMAC over them. `slotBytes[i]` is hop i's slot
 * (BigSize length + payload + 32).
 */
export function generateFiller(
  sharedSecrets: readonly Uint8Array[],
  slotBytes: readonly number[],
): Uint8Array {
  let filler = new Uint8Array(0);
  for (let i = 0; i + 1 < slotBytes.length; i++) {
    const slot = slotBytes[i]!;
    const stream = onionStream(deriveOnionKey("rho", sharedSecrets[i]!), HOP_PAYLOADS_BYTES + slot);
    const grown = new Uint8Array(filler.length + slot);
    grown.set(filler);
    // Hop i shifts left by its slot: the filler so far sits at [1300 − |filler|, 1300) of its
    // extended (2600-byte) buffer, the new zeros at [1300, 1300 + slot).
    xorInto(grown, stream.subarray(HOP_PAYLOADS_BYTES - filler.length));
    filler = grown;
  }
  return filler;
}

/**
 * Processes a packet at a hop holding `privateScalar`: checks the version, the key and the HMAC
 * (before decrypting anything), then returns the payload and the packet to forward. Throws
 * {@linkcode OnionError} for any packet it cannot process.
 */
export function peelOnion(
  packet: Uint8Array,
  privateScalar: bigint,
  associatedData: Uint8Array,
): PeeledOnion {
  if (packet.length !== ONION_PACKET_BYTES) {
    throw new OnionError(
      "invalid-onion-version",
      `onion packet must be ${ONION_PACKET_BYTES} bytes, got ${packet.length}`,
    );
  }
  if (packet[0] !== ONION_VERSION) {
    throw new OnionError("invalid-onion-version", `unknown onion version ${packet[0]}`);
  }
  const epk = packet.subarray(1, 1 + ONION_PUBLIC_KEY_BYTES);
  const point = decodeOnionPublicKey(epk);
  if (!point) throw new OnionError("invalid-onion-key", "onion ephemeral key is not valid");
  const sharedSecret = onionSharedSecret(privateScalar, point);
  const routing = packet.subarray(
    1 + ONION_PUBLIC_KEY_BYTES,
    1 + ONION_PUBLIC_KEY_BYTES + HOP_PAYLOADS_BYTES,
  );
  const mac = packet.subarray(ONION_PACKET_BYTES - HMAC_BYTES);
  const hop = peelHopPayloads(sharedSecret, routing, mac, associatedData);
  if (hop.nextHmac.every((b) => b === 0)) {
    return { payload: hop.payload, sharedSecret, nextPacket: null };
  }
  const nextKey = point.multiply(blindingFactor(epk, sharedSecret)).toBytes();
  const nextPacket = concat(
    new Uint8Array([ONION_VERSION]),
    nextKey,
    hop.nextHopPayloads,
    hop.nextHmac,
  );
  return { payload: hop.payload, sharedSecret, nextPacket };
}

/**
 * The curve-free half of peeling: checks `mac` over `hopPayloads ‖ associatedData` with the mu
 * key (constant time), decrypts with the rho stream and splits off this hop's slot.
 */
export function peelHopPayloads(
  sharedSecret: Uint8Array,
  hopPayloads: Uint8Array,
  mac: Uint8Array,
  associatedData: Uint8Array,
): { payload: Uint8Array; nextHmac: Uint8Array; nextHopPayloads: Uint8Array } {
  const expected = hmac(
    sha256,
    deriveOnionKey("mu", sharedSecret),
    concat(hopPayloads, associatedData),
  );
  if (!timingSafeEqual(mac, expected)) {
    throw new OnionError("invalid-onion-hmac", "onion HMAC does not match");
  }
  const extended = new Uint8Array(2 * HOP_PAYLOADS_BYTES);
  extended.set(hopPayloads);
  xorInto(extended, onionStream(deriveOnionKey("rho", sharedSecret), 2 * HOP_PAYLOADS_BYTES));
  const { value: length, size } = decodeBigSize(extended);
  if (length < MIN_PAYLOAD_BYTES || size + length + HMAC_BYTES > HOP_PAYLOADS_BYTES) {
    throw new OnionError("invalid-onion-payload", `hop payload length ${length} is out of range`);
  }
  const payload = extended.slice(size, size + length);
  const nextHmac = extended.slice(size + length, size + length + HMAC_BYTES);
  const slot = size + length + HMAC_BYTES;
  const nextHopPayloads = extended.slice(slot, slot + HOP_PAYLOADS_BYTES);
  return { payload, nextHmac, nextHopPayloads };
}

/** Bytes of the BigSize encoding of `n` (< 2^16 here: payloads never exceed 1300 bytes). */
function bigSizeLength(n: number): number {
  return n < 0xfd ? 1 : 3;
}

/** BigSize (BOLT 1) of `n` < 2^16: one byte below 0xfd, else 0xfd ‖ u16 big-endian. */
export function encodeBigSize(n: number): Uint8Array {
  if (n < 0xfd) return new Uint8Array([n]);
  return new Uint8Array([0xfd, n >> 8, n & 0xff]);
}

/** Reads a BigSize at the start of `bytes`; only the canonical 1- and 3-byte forms fit a slot. */
function decodeBigSize(bytes: Uint8Array): { value: number; size: number } {
  const first = bytes[0]!;
  if (first < 0xfd) return { value: first, size: 1 };
  if (first === 0xfd) {
    const value = (bytes[1]! << 8) | bytes[2]!;
    if (value < 0xfd) {
      throw new OnionError("invalid-onion-payload", "hop payload length is not canonical");
    }
    return { value, size: 3 };
  }
  throw new OnionError("invalid-onion-payload", "hop payload length is too large");
}

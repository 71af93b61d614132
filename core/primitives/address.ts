/**
 * Addresses: Bech32m(hrp, version(0) ‖ recovery kind(1 byte) ‖ policy hash(32)) (DESIGN §3).
 * Transaction outputs carry the same 34 payload bytes.
 *
 * Recovery kinds (consensus, for PROTOCOL.md): 1 heartbeat, 2 social, 3 pending recovery,
 * 4 contract. Any other kind byte decodes inside a transaction (so the rule that refuses it can
 * name its reason) but is never accepted in an address string.
 *
 * @module
 */
import { bech32m } from "@scure/base";
import { DecodeError } from "../errors.ts";
import type { ByteReader } from "../encoding/byte_reader.ts";
import type { ByteWriter } from "../encoding/byte_writer.ts";
import type { Policy } from "./policy.ts";
import { policyHash } from "./policy_codec.ts";

/** The recovery kinds consensus knows. */
export const RecoveryKind = Object.freeze(
  {
    /** `or(pk(owner), and(older(interval), pk(recovery)))`. */
    heartbeat: 1,
    /** Owner key or M-of-N guardians, guardians only into a pending-recovery output. */
    social: 2,
    /** `or(owner policy, and(older(delay), new owner))`, produced by a guardian spend. */
    pendingRecovery: 3,
    /** Multi-party policy (channels, HTLCs) with a timelocked branch. */
    contract: 4,
  } as const,
);

/** A known recovery kind value. */
export type RecoveryKind = typeof RecoveryKind[keyof typeof RecoveryKind];

/** The address version this code knows. */
export const ADDRESS_VERSION = 0;
/** Payload bytes: version ‖ kind ‖ 32-byte policy hash. */
export const ADDRESS_PAYLOAD_BYTES = 34;

/** What an address (and an output) commits to. `kind` is the raw byte (see isKnownRecoveryKind). */
export interface AddressData {
  /** Recovery kind byte. */
  readonly kind: number;
  /** keccak256d of the canonical policy encoding. */
  readonly hash: Uint8Array;
}

/** True iff `kind` is one of the four known recovery kinds. */
export function isKnownRecoveryKind(kind: number): kind is RecoveryKind {
  return kind === 1 || kind === 2 || kind === 3 || kind === 4;
}

/** The 34 payload bytes of `a`; RangeError on a bad kind byte or hash length. */
export function encodeAddressPayload(a: AddressData): Uint8Array {
  if (!Number.isInteger(a.kind) || a.kind < 0 || a.kind > 255) {
    throw new RangeError(`Recovery kind must be a byte: ${a.kind}`);
  }
  if (a.hash.length !== 32) {
    throw new RangeError(`Policy hash must be 32 bytes, got ${a.hash.length}`);
  }
  const out = new Uint8Array(ADDRESS_PAYLOAD_BYTES);
  out[0] = ADDRESS_VERSION;
  out[1] = a.kind;
  out.set(a.hash, 2);
  return out;
}

/** Appends the 34 payload bytes of `a`. */
export function writeAddressData(w: ByteWriter, a: AddressData): void {
  w.writeBytes(encodeAddressPayload(a));
}

/** Reads 34 payload bytes; the version must be 0 (DecodeError), the kind may be any byte. */
export function readAddressData(r: ByteReader): AddressData {
  const at = r.offset;
  const version = r.readU8();
  if (version !== ADDRESS_VERSION) {
    throw new DecodeError(`Unknown address version ${version} at offset ${at}`);
  }
  const kind = r.readU8();
  return { kind, hash: r.readBytes(32) };
}

/**
 * The address string of `a` on a network; RangeError for an unknown recovery kind.
 *
 * @example
 * ```ts
 * import { encodeAddress, decodeAddress, RecoveryKind } from "./address.ts";
 * const net = { hrp: "rrnt" };
 * const s = encodeAddress(net, { kind: RecoveryKind.heartbeat, hash: new Uint8Array(32) });
 * console.log(s.startsWith("rrnt1"), decodeAddress(net, s).kind); // true 1
 * ```
 */
export function encodeAddress(network: { readonly hrp: string }, a: AddressData): string {
  if (!isKnownRecoveryKind(a.kind)) throw new RangeError(`Unknown recovery kind: ${a.kind}`);
  return bech32m.encode(network.hrp, bech32m.toWords(encodeAddressPayload(a)));
}

/** The address of `policy` with recovery kind `kind` on a network. */
export function addressOfPolicy(
  network: { readonly hrp: string },
  kind: RecoveryKind,
  policy: Policy,
): string {
  return encodeAddress(network, { kind, hash: policyHash(policy) });
}

/**
 * Decodes an address for `network`: Bech32m checksum, HRP equal to the network's, version 0,
 * a known recovery kind and a 32-byte hash; DecodeError otherwise.
 */
export function decodeAddress(network: { readonly hrp: string }, address: string): AddressData {
  let prefix: string;
  let words: number[];
  try {
    ({ prefix, words } = bech32m.decode(address as `${string}1${string}`, 90));
  } catch (e) {
    throw new DecodeError(`Invalid Bech32m address: ${(e as Error).message}`);
  }
  if (prefix !== network.hrp) {
    throw new DecodeError(`Address is for network '${prefix}', expected '${network.hrp}'`);
  }
  const bytes = bech32m.fromWordsUnsafe(words);
  if (!bytes) throw new DecodeError("Address payload has invalid padding");
  if (bytes.length !== ADDRESS_PAYLOAD_BYTES) {
    throw new DecodeError(`Address payload must be 34 bytes, got ${bytes.length}`);
  }
  if (bytes[0] !== ADDRESS_VERSION) throw new DecodeError(`Unknown address version ${bytes[0]}`);
  const kind = bytes[1]!;
  if (!isKnownRecoveryKind(kind)) throw new DecodeError(`Unknown recovery kind ${kind}`);
  return { kind, hash: bytes.slice(2) };
}

/**
 * The `version` handshake message: what a node tells a new peer about itself.
 *
 * Wire form: `magic 4 ‖ protocolVersion u32 ‖ services u64 ‖ bestHeight u32 ‖ tipHash 32 ‖
 * tipLossMicroNats u32 ‖ nonce u64 ‖ userAgent (CompactSize ≤ 256 ‖ UTF-8) ‖ listenPort u16`.
 *
 * @module
 */
import { DecodeError } from "../../core/errors.ts";
import type { ByteReader } from "../../core/encoding/byte_reader.ts";
import type { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { MAX_USER_AGENT_BYTES } from "./limits.ts";

/** The protocol version this code speaks. */
export const PROTOCOL_VERSION = 1;

/** Service bits advertised in `version` and `addr`. */
export const Services = Object.freeze(
  {
    /** Serves full blocks and relays transactions. */
    network: 1n << 0n,
    /** Serves checkpoint chunks of (at least) the recent blocks it keeps. */
    checkpoints: 1n << 1n,
    /** Accepts Lightning (`ln_*`) messages. */
    lightning: 1n << 2n,
  } as const,
);

/** The `version` payload. */
export interface VersionPayload {
  /** The sender's 4-byte network magic (the receiver disconnects on a mismatch). */
  readonly networkMagic: Uint8Array;
  /** The sender's protocol version. */
  readonly protocolVersion: number;
  /** Service bits ({@link Services}), u64. */
  readonly services: bigint;
  /** Height of the sender's best block. */
  readonly bestHeight: number;
  /** Id of the sender's best block. */
  readonly tipHash: Uint8Array;
  /** Validation loss of the sender's best block, micro-nats. */
  readonly tipLossMicroNats: number;
  /** Random per-connection nonce: receiving one's own nonce means we connected to ourselves. */
  readonly nonce: bigint;
  /** Free-form software name, at most 256 bytes of UTF-8, e.g. `"/rnt:0.1.0/"`. */
  readonly userAgent: string;
  /** The port the sender accepts connections on; 0 if it does not listen. */
  readonly listenPort: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

/** Appends the `version` payload. */
export function writeVersion(w: ByteWriter, v: VersionPayload): void {
  if (v.networkMagic.length !== 4) throw new RangeError("networkMagic must be 4 bytes");
  if (v.tipHash.length !== 32) throw new RangeError("tipHash must be 32 bytes");
  const agent = encoder.encode(v.userAgent);
  if (agent.length > MAX_USER_AGENT_BYTES) {
    throw new RangeError(`userAgent of ${agent.length} bytes exceeds ${MAX_USER_AGENT_BYTES}`);
  }
  w.writeBytes(v.networkMagic).writeU32(v.protocolVersion).writeU64(v.services);
  w.writeU32(v.bestHeight).writeBytes(v.tipHash).writeU32(v.tipLossMicroNats);
  w.writeU64(v.nonce).writeVarBytes(agent).writeU16(v.listenPort);
}

/** Reads the `version` payload; a user agent that is not UTF-8 throws DecodeError. */
export function readVersion(r: ByteReader): VersionPayload {
  const networkMagic = r.readBytes(4);
  const protocolVersion = r.readU32();
  const services = r.readU64();
  const bestHeight = r.readU32();
  const tipHash = r.readBytes(32);
  const tipLossMicroNats = r.readU32();
  const nonce = r.readU64();
  const at = r.offset;
  const agentBytes = r.readVarBytes(MAX_USER_AGENT_BYTES);
  let userAgent: string;
  try {
    userAgent = decoder.decode(agentBytes);
  } catch {
    throw new DecodeError(`User agent at offset ${at} is not UTF-8`);
  }
  const listenPort = r.readU16();
  return {
    networkMagic,
    protocolVersion,
    services,
    bestHeight,
    tipHash,
    tipLossMicroNats,
    nonce,
    userAgent,
    listenPort,
  };
}

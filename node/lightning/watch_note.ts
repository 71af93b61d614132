/**
 * The chain watcher's notes of one channel: every spend of the channel's funding output it has
 * seen on the active chain, oldest first, each with the block that holds it (so a reorganisation
 * that disconnects the block removes the note) and the spending transaction (so the claims can be
 * rebuilt after a restart without reading the chain again). Integers little-endian:
 *
 * ```
 * notes = version u8 (1) ‖ u8 n ‖ n × spend
 * spend = kind u8 ‖ height u32 ‖ block hash 32 ‖ commitment number u64 ‖ CompactSize(len) ‖ tx
 * kind  = 0 our commitment, 1 the remote's commitment, 2 a revoked remote commitment,
 *         3 a remote commitment we do not know (restored channel; our to_other recognised),
 *         4 cooperative close (or any other spend), 5 funding refresh
 * ```
 *
 * @module
 */
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import { DecodeError } from "../../core/errors.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";

/** What a spend of the funding output was. */
export type SpendKind =
  | "local-commitment"
  | "remote-commitment"
  | "revoked-commitment"
  | "unknown-remote-commitment"
  | "cooperative-close"
  | "funding-refresh";

const KINDS: readonly SpendKind[] = [
  "local-commitment",
  "remote-commitment",
  "revoked-commitment",
  "unknown-remote-commitment",
  "cooperative-close",
  "funding-refresh",
];

/** One spend of the channel's funding output. */
export interface FundingSpend {
  readonly kind: SpendKind;
  /** The block holding it. */
  readonly height: number;
  readonly blockHash: Uint8Array;
  /** The commitment number read from the transaction (0 for a non-commitment). */
  readonly commitmentNumber: bigint;
  /** The spending transaction. */
  readonly tx: Tx;
}

const MAX_SPENDS = 255;
const MAX_TX_BYTES = 4 << 20;

/** Encodes a channel's notes. */
export function encodeWatchNotes(spends: readonly FundingSpend[]): Uint8Array {
  if (spends.length > MAX_SPENDS) throw new RangeError(`Too many spends: ${spends.length}`);
  const w = new ByteWriter();
  w.writeU8(1);
  w.writeU8(spends.length);
  for (const s of spends) {
    w.writeU8(KINDS.indexOf(s.kind));
    w.writeU32(s.height);
    w.writeBytes(s.blockHash);
    w.writeU64(s.commitmentNumber);
    w.writeVarBytes(encodeTx(s.tx));
  }
  return w.finish();
}

/** Decodes {@link encodeWatchNotes}'s bytes; DecodeError when malformed. */
export function decodeWatchNotes(bytes: Uint8Array): FundingSpend[] {
  const r = new ByteReader(bytes);
  const version = r.readU8();
  if (version !== 1) throw new DecodeError(`Watch note version ${version} is not supported`);
  const n = r.readU8();
  const spends: FundingSpend[] = [];
  for (let i = 0; i < n; i++) {
    const kindByte = r.readU8();
    const kind = KINDS[kindByte];
    if (kind === undefined) throw new DecodeError(`Unknown spend kind ${kindByte}`);
    spends.push({
      kind,
      height: r.readU32(),
      blockHash: r.readBytes(32),
      commitmentNumber: r.readU64(),
      tx: decodeTx(r.readVarBytes(MAX_TX_BYTES)),
    });
  }
  r.expectEnd();
  return spends;
}

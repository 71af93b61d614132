/**
 * P2P messages: a discriminated union over all message types and the codec of a whole message,
 * `id u8 ‖ payload`, as carried in one transport frame. {@link decodeMessage} throws only
 * DecodeError (unknown id, truncation, a count above its cap, non-canonical bytes, trailing
 * bytes), so the peer loop maps every failure to one penalty.
 *
 * @module
 */
import { DecodeError } from "../../core/errors.ts";
import { ByteReader } from "../../core/encoding/byte_reader.ts";
import { ByteWriter } from "../../core/encoding/byte_writer.ts";
import {
  type Block,
  type BlockHeader,
  type BlockLimits,
  decodeBlock,
  encodeBlock,
} from "../../core/primitives/block.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import { type AddrEntry, readAddrEntries, writeAddrEntries } from "./addr.ts";
import {
  type CkptChunkPayload,
  type GetCkptPayload,
  readCkptChunk,
  readGetCkpt,
  writeCkptChunk,
  writeGetCkpt,
} from "./checkpoint_chunk.ts";
import {
  type GetHeadersPayload,
  readGetHeaders,
  readHeaders,
  writeGetHeaders,
  writeHeaders,
} from "./headers.ts";
import {
  type CorpusChunkPayload,
  type GetCorpusPayload,
  readCorpusChunk,
  readGetCorpus,
  writeCorpusChunk,
  writeGetCorpus,
} from "./corpus_chunk.ts";
import { type InvItem, readInvItems, writeInvItems } from "./inventory.ts";
import { MAX_LN_PAYLOAD_BYTES } from "./limits.ts";
import { isLnMessageId, MessageId, messageTypeOf } from "./message_id.ts";
import { readVersion, type VersionPayload, writeVersion } from "./version.ts";

/** Any P2P message. */
export type Message =
  | ({ readonly type: "version" } & VersionPayload)
  | { readonly type: "verack" }
  | { readonly type: "ping"; readonly nonce: bigint }
  | { readonly type: "pong"; readonly nonce: bigint }
  | { readonly type: "getaddr" }
  | { readonly type: "addr"; readonly entries: readonly AddrEntry[] }
  | { readonly type: "inv"; readonly items: readonly InvItem[] }
  | { readonly type: "getdata"; readonly items: readonly InvItem[] }
  | { readonly type: "notfound"; readonly items: readonly InvItem[] }
  | ({ readonly type: "getheaders" } & GetHeadersPayload)
  | { readonly type: "headers"; readonly headers: readonly BlockHeader[] }
  | { readonly type: "block"; readonly block: Block }
  | { readonly type: "tx"; readonly tx: Tx }
  | ({ readonly type: "getckpt" } & GetCkptPayload)
  | ({ readonly type: "ckptchunk" } & CkptChunkPayload)
  | ({ readonly type: "getcorpus" } & GetCorpusPayload)
  | ({ readonly type: "corpuschunk" } & CorpusChunkPayload)
  | LnMessage;

/** A message in the `ln_*` range, passed to the Lightning layer undecoded. */
export interface LnMessage {
  /** Discriminant. */
  readonly type: "ln";
  /** The message id, 0x80..0xbf. */
  readonly id: number;
  /** The raw payload. */
  readonly payload: Uint8Array;
}

/** Size limits {@link decodeMessage} needs for `block` and `tx` (NetworkParams has them). */
export type WireLimits = BlockLimits;

/**
 * Encodes a message as `id ‖ payload`. Misuse (a list above its cap, a wrong hash length)
 * throws RangeError.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeMessage } from "./message.ts";
 * const bytes = encodeMessage({ type: "ping", nonce: 42n });
 * const back = decodeMessage(bytes, { maxBlockBytes: 1_000_000, maxTxBytes: 100_000 });
 * console.log(back.type === "ping" && back.nonce); // 42n
 * ```
 */
export function encodeMessage(message: Message): Uint8Array {
  if (message.type === "block") {
    return prefixed(MessageId.block, encodeBlock(message.block));
  }
  if (message.type === "tx") return prefixed(MessageId.tx, encodeTx(message.tx));
  if (message.type === "ln") {
    if (!isLnMessageId(message.id)) throw new RangeError(`Not an ln_* message id: ${message.id}`);
    if (message.payload.length > MAX_LN_PAYLOAD_BYTES) {
      throw new RangeError(`ln_* payload of ${message.payload.length} bytes is too large`);
    }
    return prefixed(message.id, message.payload);
  }
  const w = new ByteWriter(
    message.type === "ckptchunk" || message.type === "corpuschunk"
      ? message.chunk.length + 1200
      : 256,
  );
  w.writeU8(MessageId[message.type]);
  switch (message.type) {
    case "version":
      writeVersion(w, message);
      break;
    case "verack":
    case "getaddr":
      break;
    case "ping":
    case "pong":
      w.writeU64(message.nonce);
      break;
    case "addr":
      writeAddrEntries(w, message.entries);
      break;
    case "inv":
    case "getdata":
    case "notfound":
      writeInvItems(w, message.items);
      break;
    case "getheaders":
      writeGetHeaders(w, message);
      break;
    case "headers":
      writeHeaders(w, message.headers);
      break;
    case "getckpt":
      writeGetCkpt(w, message);
      break;
    case "ckptchunk":
      writeCkptChunk(w, message);
      break;
    case "getcorpus":
      writeGetCorpus(w, message);
      break;
    case "corpuschunk":
      writeCorpusChunk(w, message);
      break;
  }
  return w.finish();
}

function prefixed(id: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = id;
  out.set(payload, 1);
  return out;
}

/**
 * Decodes one message (`id ‖ payload`, exactly). Throws DecodeError on an unknown id, any
 * malformed payload or trailing bytes; never anything else.
 *
 * @param bytes The frame contents.
 * @param limits Block and transaction size caps of the network.
 * @returns The message.
 */
export function decodeMessage(bytes: Uint8Array, limits: WireLimits): Message {
  if (bytes.length === 0) throw new DecodeError("Empty message");
  const id = bytes[0]!;
  const payload = bytes.subarray(1);
  if (isLnMessageId(id)) return { type: "ln", id, payload: payload.slice() };
  const type = messageTypeOf(id);
  if (type === undefined) throw new DecodeError(`Unknown message id 0x${id.toString(16)}`);
  if (type === "block") return { type, block: decodeBlock(payload, limits) };
  if (type === "tx") return { type, tx: decodeTx(payload, limits.maxTxBytes) };
  const r = new ByteReader(payload);
  let message: Message;
  switch (type) {
    case "version":
      message = { type, ...readVersion(r) };
      break;
    case "verack":
    case "getaddr":
      message = { type };
      break;
    case "ping":
    case "pong":
      message = { type, nonce: r.readU64() };
      break;
    case "addr":
      message = { type, entries: readAddrEntries(r) };
      break;
    case "inv":
    case "getdata":
    case "notfound":
      message = { type, items: readInvItems(r) };
      break;
    case "getheaders":
      message = { type, ...readGetHeaders(r) };
      break;
    case "headers":
      message = { type, headers: readHeaders(r) };
      break;
    case "getckpt":
      message = { type, ...readGetCkpt(r) };
      break;
    case "ckptchunk":
      message = { type, ...readCkptChunk(r) };
      break;
    case "getcorpus":
      message = { type, ...readGetCorpus(r) };
      break;
    case "corpuschunk":
      message = { type, ...readCorpusChunk(r) };
      break;
  }
  r.expectEnd();
  return message;
}

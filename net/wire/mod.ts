/**
 * P2P wire messages (PROTOCOL §8): 1-byte ids, per-message codecs with resource caps checked
 * before allocating, peer addresses (IPv4, IPv6, Tor v3) and checkpoint-chunk verification.
 *
 * @example
 * ```ts
 * import { decodeMessage, encodeMessage, InvType } from "./mod.ts";
 * const hash = new Uint8Array(32).fill(1);
 * const bytes = encodeMessage({ type: "getdata", items: [{ type: InvType.block, hash }] });
 * const msg = decodeMessage(bytes, { maxBlockBytes: 1_000_000, maxTxBytes: 100_000 });
 * console.log(msg.type); // "getdata"
 * ```
 *
 * @module
 */
export { type AddrEntry, MIN_ADDR_ENTRY_BYTES, readAddrEntries, writeAddrEntries } from "./addr.ts";
export {
  type CkptChunkPayload,
  type GetCkptPayload,
  readCkptChunk,
  readGetCkpt,
  verifyChunkMessage,
  writeCkptChunk,
  writeGetCkpt,
} from "./checkpoint_chunk.ts";
export {
  type CorpusChunkPayload,
  type GetCorpusPayload,
  readCorpusChunk,
  readGetCorpus,
  verifyCorpusChunkMessage,
  writeCorpusChunk,
  writeGetCorpus,
} from "./corpus_chunk.ts";
export {
  type GetHeadersPayload,
  readGetHeaders,
  readHeaders,
  writeGetHeaders,
  writeHeaders,
} from "./headers.ts";
export {
  INV_ITEM_BYTES,
  type InvItem,
  InvType,
  type InvTypeValue,
  readInvItems,
  writeInvItems,
} from "./inventory.ts";
export {
  MAX_ADDR_ENTRIES,
  MAX_CHUNK_BYTES,
  MAX_CHUNK_PROOF_HASHES,
  MAX_HEADERS_RESULTS,
  MAX_INV_ITEMS,
  MAX_LN_PAYLOAD_BYTES,
  MAX_LOCATOR_HASHES,
  MAX_USER_AGENT_BYTES,
} from "./limits.ts";
export {
  decodeMessage,
  encodeMessage,
  type LnMessage,
  type Message,
  type WireLimits,
} from "./message.ts";
export {
  isLnMessageId,
  LN_MESSAGE_ID_FIRST,
  LN_MESSAGE_ID_LAST,
  MessageId,
  type MessageType,
  messageTypeOf,
} from "./message_id.ts";
export {
  type AddressNetwork,
  checkNetAddress,
  formatHost,
  formatNetAddress,
  MIN_NET_ADDRESS_BYTES,
  type NetAddress,
  NETWORK_ADDRESS_BYTES,
  NETWORK_IDS,
  parseHost,
  readNetAddress,
  sameNetAddress,
  writeNetAddress,
} from "./net_address.ts";
export {
  ONION_V3_LABEL_CHARS,
  ONION_V3_VERSION,
  onionFromPublicKey,
  publicKeyFromOnion,
} from "./onion.ts";
export {
  PROTOCOL_VERSION,
  readVersion,
  Services,
  type VersionPayload,
  writeVersion,
} from "./version.ts";

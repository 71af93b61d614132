/**
 * One-byte message ids (BIP324-style short ids). `0x00..0x10` are the core messages;
 * `0x80..0xbf` are reserved for the Lightning (`ln_*`) messages, whose payloads the wire layer
 * hands over undecoded. Every other id is unknown and fails to decode.
 *
 * @module
 */

/** The core message ids. */
export const MessageId = Object.freeze(
  {
    version: 0x00,
    verack: 0x01,
    ping: 0x02,
    pong: 0x03,
    getaddr: 0x04,
    addr: 0x05,
    inv: 0x06,
    getdata: 0x07,
    notfound: 0x08,
    getheaders: 0x09,
    headers: 0x0a,
    block: 0x0b,
    tx: 0x0c,
    getckpt: 0x0d,
    ckptchunk: 0x0e,
    getcorpus: 0x0f,
    corpuschunk: 0x10,
  } as const,
);

/** Name of a core message. */
export type MessageType = keyof typeof MessageId;

/** First id of the range reserved for `ln_*` messages. */
export const LN_MESSAGE_ID_FIRST = 0x80;
/** Last id of the range reserved for `ln_*` messages. */
export const LN_MESSAGE_ID_LAST = 0xbf;

const NAMES: ReadonlyMap<number, MessageType> = new Map(
  (Object.entries(MessageId) as [MessageType, number][]).map(([name, id]) => [id, name]),
);

/** The core message type of `id`, or `undefined` when `id` is not a core message. */
export function messageTypeOf(id: number): MessageType | undefined {
  return NAMES.get(id);
}

/** Whether `id` lies in the range reserved for `ln_*` messages. */
export function isLnMessageId(id: number): boolean {
  return Number.isInteger(id) && id >= LN_MESSAGE_ID_FIRST && id <= LN_MESSAGE_ID_LAST;
}

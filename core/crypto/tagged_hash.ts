/**
 * Domain-separated hashing. Every hash in rnt that signs or commits goes through
 * {@linkcode taggedHash}, so a hash from one context (a txid, a sighash, a block id) can never
 * be reinterpreted in another, nor on another network.
 *
 * @module
 */
import { keccak256d } from "./keccak.ts";

const encoder = new TextEncoder();

/** Length of a network magic in bytes. */
export const MAGIC_BYTES = 4;

/**
 * taggedHash(tag, magic, ...parts) = keccak256d(len(tag) ‖ tag ‖ magic ‖ part₁ ‖ … ‖ partₙ).
 *
 * Exact layout (for PROTOCOL.md):
 * - `len(tag)`: one byte, the length of `tag` in bytes (1..64);
 * - `tag`: the ASCII bytes of the tag, e.g. `rnt/txid` (printable ASCII 0x21..0x7e only);
 * - `magic`: the 4-byte network magic;
 * - the parts, concatenated without separators. Callers pass canonical encodings whose own
 *   structure is unambiguous (fixed widths or CompactSize-prefixed), so no extra framing.
 *
 * The length prefix makes the (tag, rest) split unique, so two different tags never share a
 * preimage prefix.
 *
 * @param tag ASCII domain tag, 1..64 printable characters
 * @param magic the network magic (4 bytes)
 * @param parts the data, hashed in order
 * @returns 32-byte digest
 *
 * @example
 * ```ts
 * import { taggedHash } from "./tagged_hash.ts";
 * const id = taggedHash("rnt/example", new Uint8Array([1, 2, 3, 4]), new Uint8Array([42]));
 * console.log(id.length); // 32
 * ```
 */
export function taggedHash(tag: string, magic: Uint8Array, ...parts: Uint8Array[]): Uint8Array {
  if (!/^[\x21-\x7e]{1,64}$/.test(tag)) throw new RangeError(`Invalid hash tag: ${tag}`);
  if (magic.length !== MAGIC_BYTES) {
    throw new RangeError(`Network magic must be ${MAGIC_BYTES} bytes, got ${magic.length}`);
  }
  const tagBytes = encoder.encode(tag);
  let total = 1 + tagBytes.length + MAGIC_BYTES;
  for (const p of parts) total += p.length;
  const buf = new Uint8Array(total);
  buf[0] = tagBytes.length;
  buf.set(tagBytes, 1);
  buf.set(magic, 1 + tagBytes.length);
  let at = 1 + tagBytes.length + MAGIC_BYTES;
  for (const p of parts) {
    buf.set(p, at);
    at += p.length;
  }
  return keccak256d(buf);
}

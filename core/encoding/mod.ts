/**
 * Canonical byte encoding: a little-endian cursor reader and writer with Bitcoin CompactSize
 * (non-minimal encodings rejected), bounded variable-length reads and trailing-byte rejection.
 *
 * @example
 * ```ts
 * import { ByteReader, ByteWriter } from "./mod.ts";
 * const bytes = new ByteWriter().writeU32(7).writeVarBytes(new Uint8Array([1, 2])).finish();
 * const r = new ByteReader(bytes);
 * console.log(r.readU32(), r.readVarBytes(16)); // 7 Uint8Array [1, 2]
 * r.expectEnd();
 * ```
 *
 * @module
 */
export { ByteReader } from "./byte_reader.ts";
export { ByteWriter } from "./byte_writer.ts";
export { COMPACT_SIZE_MAX, compactSizeLength } from "./compact_size.ts";

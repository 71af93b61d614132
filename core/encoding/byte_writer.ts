/**
 * A growable little-endian byte writer, the encoding counterpart of {@linkcode ByteReader}.
 *
 * @module
 */
import { COMPACT_SIZE_MAX } from "./compact_size.ts";

/**
 * Appends little-endian integers, raw bytes and CompactSize-prefixed byte strings to a buffer.
 * Misuse (a value out of range for its width) throws RangeError.
 *
 * @example
 * ```ts
 * import { ByteWriter } from "./byte_writer.ts";
 * const w = new ByteWriter();
 * w.writeU16(0x0102).writeCompactSize(300).writeVarBytes(new Uint8Array([7]));
 * console.log(w.finish()); // Uint8Array [2, 1, 253, 44, 1, 1, 7]
 * ```
 */
export class ByteWriter {
  #buf: Uint8Array;
  #view: DataView;
  #len = 0;

  /** @param initialCapacity bytes to reserve up front (grows as needed) */
  constructor(initialCapacity = 256) {
    this.#buf = new Uint8Array(Math.max(16, initialCapacity));
    this.#view = new DataView(this.#buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.#len;
  }

  #reserve(n: number): number {
    const need = this.#len + n;
    if (need > this.#buf.length) {
      let cap = this.#buf.length * 2;
      while (cap < need) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len = need;
    return at;
  }

  /** Appends one byte (0..255). */
  writeU8(value: number): this {
    checkUint(value, 0xff, "u8");
    const at = this.#reserve(1);
    this.#buf[at] = value;
    return this;
  }

  /** Appends a u16 little-endian. */
  writeU16(value: number): this {
    checkUint(value, 0xffff, "u16");
    const at = this.#reserve(2);
    this.#view.setUint16(at, value, true);
    return this;
  }

  /** Appends a u32 little-endian. */
  writeU32(value: number): this {
    checkUint(value, 0xffff_ffff, "u32");
    const at = this.#reserve(4);
    this.#view.setUint32(at, value, true);
    return this;
  }

  /** Appends a u64 little-endian; a number must be a safe non-negative integer. */
  writeU64(value: bigint | number): this {
    const v = typeof value === "number" ? toBigUint(value, "u64") : value;
    if (v < 0n || v > 0xffff_ffff_ffff_ffffn) throw new RangeError(`u64 out of range: ${v}`);
    const at = this.#reserve(8);
    this.#view.setBigUint64(at, v, true);
    return this;
  }

  /** Appends raw bytes. */
  writeBytes(bytes: Uint8Array): this {
    const at = this.#reserve(bytes.length);
    this.#buf.set(bytes, at);
    return this;
  }

  /** Appends the canonical (shortest) CompactSize encoding of `value`. */
  writeCompactSize(value: number | bigint): this {
    const v = typeof value === "number" ? toBigUint(value, "CompactSize") : value;
    if (v < 0n || v > COMPACT_SIZE_MAX) throw new RangeError(`CompactSize out of range: ${v}`);
    if (v < 0xfdn) return this.writeU8(Number(v));
    if (v <= 0xffffn) return this.writeU8(0xfd).writeU16(Number(v));
    if (v <= 0xffff_ffffn) return this.writeU8(0xfe).writeU32(Number(v));
    return this.writeU8(0xff).writeU64(v);
  }

  /** Appends CompactSize(length) ‖ bytes. */
  writeVarBytes(bytes: Uint8Array): this {
    return this.writeCompactSize(bytes.length).writeBytes(bytes);
  }

  /** A copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

function checkUint(value: number, max: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new RangeError(`${what} out of range: ${value}`);
  }
}

function toBigUint(value: number, what: string): bigint {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a safe non-negative integer: ${value}`);
  }
  return BigInt(value);
}

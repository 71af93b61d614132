/**
 * The one cursor type over a Uint8Array that every decoder in rnt uses. All failures —
 * truncation, non-canonical CompactSize, a length above its bound, trailing bytes — throw
 * {@linkcode DecodeError}, so a decoder fed arbitrary bytes can only ever throw DecodeError.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";

/**
 * A forward-only little-endian reader.
 *
 * @example
 * ```ts
 * import { ByteReader } from "./byte_reader.ts";
 * const r = new ByteReader(new Uint8Array([2, 1, 253, 44, 1]));
 * console.log(r.readU16(), r.readCompactSize()); // 258 300
 * r.expectEnd();
 * ```
 */
export class ByteReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  #pos = 0;

  /** @param bytes the input; it is not copied, and `readBytes` returns copies of it */
  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes consumed so far. */
  get offset(): number {
    return this.#pos;
  }

  /** Bytes not yet consumed. */
  get remaining(): number {
    return this.#bytes.length - this.#pos;
  }

  #take(n: number, what: string): number {
    if (n > this.remaining) {
      throw new DecodeError(
        `Cannot read ${what}: need ${n} bytes at offset ${this.#pos}, have ${this.remaining}`,
      );
    }
    const at = this.#pos;
    this.#pos += n;
    return at;
  }

  /** Reads one byte. */
  readU8(): number {
    return this.#bytes[this.#take(1, "u8")]!;
  }

  /** Reads a u16 little-endian. */
  readU16(): number {
    return this.#view.getUint16(this.#take(2, "u16"), true);
  }

  /** Reads a u32 little-endian. */
  readU32(): number {
    return this.#view.getUint32(this.#take(4, "u32"), true);
  }

  /** Reads a u64 little-endian as a bigint. */
  readU64(): bigint {
    return this.#view.getBigUint64(this.#take(8, "u64"), true);
  }

  /**
   * Reads a u64 little-endian that must fit a safe integer (≤ 2^53 − 1), as a number; used for
   * times in seconds and sizes.
   */
  readU64Number(): number {
    const at = this.#pos;
    const v = this.readU64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new DecodeError(`u64 at offset ${at} exceeds 2^53 - 1: ${v}`);
    }
    return Number(v);
  }

  /** Reads exactly `n` bytes (a copy). */
  readBytes(n: number): Uint8Array {
    if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Invalid length: ${n}`);
    const at = this.#take(n, `${n} bytes`);
    return this.#bytes.slice(at, at + n);
  }

  /**
   * Reads a canonical CompactSize no larger than `max` (default 2^53 − 1). A non-minimal
   * encoding or a value above `max` throws DecodeError.
   */
  readCompactSize(max: number = Number.MAX_SAFE_INTEGER): number {
    const at = this.#pos;
    const tag = this.readU8();
    let v: bigint;
    let min: bigint;
    if (tag < 0xfd) {
      v = BigInt(tag);
      min = 0n;
    } else if (tag === 0xfd) {
      v = BigInt(this.readU16());
      min = 0xfdn;
    } else if (tag === 0xfe) {
      v = BigInt(this.readU32());
      min = 0x1_0000n;
    } else {
      v = this.readU64();
      min = 0x1_0000_0000n;
    }
    if (v < min) throw new DecodeError(`Non-canonical CompactSize at offset ${at}: ${v}`);
    if (v > BigInt(max)) {
      throw new DecodeError(`CompactSize at offset ${at} exceeds maximum ${max}: ${v}`);
    }
    return Number(v);
  }

  /**
   * Reads an item count: a CompactSize ≤ `max` whose items, each at least `minItemBytes` long,
   * must fit in the remaining input. Checked before the caller allocates anything.
   */
  readCount(max: number, minItemBytes: number): number {
    const at = this.#pos;
    const n = this.readCompactSize(max);
    if (n * minItemBytes > this.remaining) {
      throw new DecodeError(
        `Count ${n} at offset ${at} needs at least ${
          n * minItemBytes
        } bytes, have ${this.remaining}`,
      );
    }
    return n;
  }

  /** Reads CompactSize(length) ‖ bytes with length ≤ `max`, bounded before allocating. */
  readVarBytes(max: number): Uint8Array {
    const n = this.readCount(max, 1);
    return this.readBytes(n);
  }

  /** Throws DecodeError unless every byte was consumed. */
  expectEnd(): void {
    if (this.remaining !== 0) {
      throw new DecodeError(`Unexpected ${this.remaining} trailing bytes at offset ${this.#pos}`);
    }
  }
}

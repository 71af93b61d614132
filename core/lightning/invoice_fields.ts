/**
 * The data part of a BOLT 11 invoice as 5-bit words: a 35-bit timestamp, tagged fields
 * (5-bit type, 10-bit length in words, data), then a fixed-size signature. This layer is the
 * same for Lightning and rnt invoices (only the signature size and the sizes of `n` and `r`
 * entries differ), so it is checked against BOLT 11's own example invoices.
 *
 * Words ↔ bytes: bytes are read big-endian 5 bits at a time; the last word is zero-padded when
 * writing, and leftover bits (< 8) are dropped when reading, as BOLT 11 does (a 52-word field
 * holds 32 bytes).
 *
 * @module
 */
import { InvoiceError } from "./invoice_error.ts";

/** The bech32 alphabet: a field type's letter is `BECH32_CHARS[type]`. */
export const BECH32_CHARS = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

/** Tagged field types used by rnt (BOLT 11 numbering). */
export const FieldType = {
  /** `p`: payment hash (52 words = 32 bytes). */
  paymentHash: 1,
  /** `r`: route hint (one or more hops). */
  routeHint: 3,
  /** `9`: feature bits. */
  features: 5,
  /** `x`: expiry in seconds. */
  expiry: 6,
  /** `d`: description (UTF-8). */
  description: 13,
  /** `s`: payment secret (52 words = 32 bytes). */
  paymentSecret: 16,
  /** `n`: payee node key. */
  payeeKey: 19,
  /** `c`: minimum final delta. */
  minFinalDelta: 24,
} as const;

/** Words of the timestamp. */
export const TIMESTAMP_WORDS = 7;
/** Words of a 32-byte hash field (256 bits + 4 padding bits). */
export const HASH_WORDS = 52;

/** One tagged field as it appears in the data part. */
export interface TaggedField {
  /** 5-bit type (see {@linkcode FieldType}). */
  type: number;
  /** The field's data words. */
  words: Uint8Array;
}

/** A data part split into its sections. */
export interface InvoiceDataPart {
  /** Seconds since 1970 (35 bits). */
  timestamp: number;
  /** The tagged fields in order, unknown ones included. */
  fields: TaggedField[];
  /** The signature words (the last `signatureWords` words). */
  signature: Uint8Array;
}

/** The fields rnt and Lightning read the same way (unknown and odd-length ones skipped). */
export interface CommonFields {
  /** First `p` of 52 words. */
  paymentHash?: Uint8Array;
  /** First `s` of 52 words. */
  paymentSecret?: Uint8Array;
  /** First `d`, decoded as UTF-8. */
  description?: string;
  /** First `x`. */
  expirySecs?: number;
  /** First `c`, in the unit of the network (BOLT: blocks; rnt: seconds). */
  minFinalDelta?: number;
  /** Numbers of the set feature bits (`9`), ascending. */
  features: number[];
  /** First `n` of the expected size. */
  payeeKey?: Uint8Array;
  /** The bytes of each `r` field, in order. */
  routeHints: Uint8Array[];
  /** How many fields were skipped (unknown type, or a known type of the wrong size). */
  skipped: number;
}

/**
 * Splits the data words into timestamp, tagged fields and signature; InvoiceError `malformed`
 * when a field runs past the signature.
 *
 * @example
 * ```ts
 * import { splitDataPart } from "./invoice_fields.ts";
 * const words = new Uint8Array([0, 0, 0, 0, 0, 0, 1, 13, 0, 1, 8, 9, 9]);
 * console.log(splitDataPart(words, 2).fields.length); // 1
 * ```
 */
export function splitDataPart(words: Uint8Array, signatureWords: number): InvoiceDataPart {
  if (words.length < TIMESTAMP_WORDS + signatureWords) {
    throw new InvoiceError(
      "malformed",
      "invoice data is too short for a timestamp and a signature",
    );
  }
  const end = words.length - signatureWords;
  const timestamp = Number(wordsToUint(words.subarray(0, TIMESTAMP_WORDS)));
  const fields: TaggedField[] = [];
  let at = TIMESTAMP_WORDS;
  while (at < end) {
    if (at + 3 > end) throw new InvoiceError("malformed", "invoice has a truncated tagged field");
    const type = words[at]!;
    const length = words[at + 1]! * 32 + words[at + 2]!;
    if (at + 3 + length > end) {
      throw new InvoiceError(
        "malformed",
        `invoice field '${BECH32_CHARS[type]}' is ${length} words, past the end of the data`,
      );
    }
    fields.push({ type, words: words.slice(at + 3, at + 3 + length) });
    at += 3 + length;
  }
  return { timestamp, fields, signature: words.slice(end) };
}

/**
 * Reads the common fields, BOLT 11's reader rules: the first field of each kind wins, `p`, `s`
 * (and `n` at `payeeKeyWords`) of another length are skipped, unknown types are skipped.
 */
export function readCommonFields(
  fields: readonly TaggedField[],
  payeeKeyWords: number,
): CommonFields {
  const out: CommonFields = { features: [], routeHints: [], skipped: 0 };
  for (const { type, words } of fields) {
    switch (type) {
      case FieldType.paymentHash:
        if (words.length !== HASH_WORDS) out.skipped++;
        else out.paymentHash ??= wordsToBytes(words);
        break;
      case FieldType.paymentSecret:
        if (words.length !== HASH_WORDS) out.skipped++;
        else out.paymentSecret ??= wordsToBytes(words);
        break;
      case FieldType.payeeKey:
        if (words.length !== payeeKeyWords) out.skipped++;
        else out.payeeKey ??= wordsToBytes(words);
        break;
      case FieldType.description:
        out.description ??= decodeUtf8(wordsToBytes(words));
        break;
      case FieldType.expiry:
        out.expirySecs ??= readU32(words, "expiry (x)");
        break;
      case FieldType.minFinalDelta:
        out.minFinalDelta ??= readU32(words, "min final delta (c)");
        break;
      case FieldType.features:
        out.features = featureBits(words);
        break;
      case FieldType.routeHint:
        out.routeHints.push(wordsToBytes(words));
        break;
      default:
        out.skipped++;
    }
  }
  return out;
}

/** Appends one tagged field (type, 10-bit length, words) to `out`. */
export function pushField(out: number[], type: number, words: ArrayLike<number>): void {
  if (words.length > 1023) {
    throw new RangeError(
      `invoice field '${BECH32_CHARS[type]}' is ${words.length} words, more than 1023`,
    );
  }
  out.push(type, words.length >> 5, words.length & 31);
  for (let i = 0; i < words.length; i++) out.push(words[i]!);
}

/** Bytes as 5-bit words, big-endian, the last word zero-padded. */
export function bytesToWords(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil((bytes.length * 8) / 5));
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (const b of bytes) {
    acc = ((acc << 8) | b) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out[at++] = (acc >> bits) & 31;
    }
  }
  if (bits > 0) out[at++] = (acc << (5 - bits)) & 31;
  return out;
}

/** 5-bit words as bytes, big-endian; leftover bits (fewer than 8) are dropped. */
export function wordsToBytes(words: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.floor((words.length * 5) / 8));
  let acc = 0;
  let bits = 0;
  let at = 0;
  for (const w of words) {
    acc = ((acc << 5) | w) & 0xfff;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      if (at < out.length) out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out;
}

/** The leftover bits of `words` after whole bytes (must be zero in a signature). */
export function trailingBits(words: Uint8Array): number {
  const bits = (words.length * 5) % 8;
  return bits === 0 ? 0 : words[words.length - 1]! & ((1 << bits) - 1);
}

/** Big-endian words → unsigned integer. */
export function wordsToUint(words: Uint8Array): bigint {
  let n = 0n;
  for (const w of words) n = (n << 5n) | BigInt(w);
  return n;
}

/** Unsigned integer → the fewest big-endian words (none for 0, as BOLT 11 writers do). */
export function uintToWords(value: number | bigint, fixedWords?: number): number[] {
  let n = BigInt(value);
  const out: number[] = [];
  while (n > 0n) {
    out.unshift(Number(n & 31n));
    n >>= 5n;
  }
  if (fixedWords !== undefined) {
    if (out.length > fixedWords) throw new RangeError(`${value} does not fit ${fixedWords} words`);
    while (out.length < fixedWords) out.unshift(0);
  }
  return out;
}

function readU32(words: Uint8Array, what: string): number {
  const n = wordsToUint(words);
  if (n > 0xffffffffn) {
    throw new InvoiceError("malformed", `invoice ${what} is larger than 2^32 − 1`);
  }
  return Number(n);
}

/** Set bits of a big-endian feature vector; bit 0 is the low bit of the last word. */
function featureBits(words: Uint8Array): number[] {
  const bits: number[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[words.length - 1 - i]!;
    for (let b = 0; b < 5; b++) if (word & (1 << b)) bits.push(i * 5 + b);
  }
  return bits;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InvoiceError("malformed", "invoice description is not valid UTF-8");
  }
}

/**
 * Per-commitment secrets (BOLT 3 "Per-commitment Secret Requirements", PROTOCOL.md §9.5): the
 * sender derives every secret from one 32-byte seed; the receiver keeps the revealed secrets in
 * at most 49 entries and can still derive any of them. A secret that does not derive the earlier
 * ones was not made from the same seed: that is how a peer revealing a wrong secret is caught
 * before its old commitment can be punished with it.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { DecodeError } from "../errors.ts";

/** Length of a seed and of a per-commitment secret. */
export const PER_COMMITMENT_SECRET_BYTES = 32;
/** The first commitment's index, 2⁴⁸ − 1; indices count down from it. */
export const FIRST_COMMITMENT_INDEX = 2 ** 48 - 1;
/** The most entries a {@link ShachainStore} ever holds: one per trailing-zero count 0…48. */
export const MAX_SHACHAIN_ENTRIES = 49;

const INDEX_BITS = 48;
const INDEX_BYTES = 6;
const ENTRY_BYTES = INDEX_BYTES + PER_COMMITMENT_SECRET_BYTES;

/**
 * Why a secret was refused:
 * - `out-of-order`: not the next index (secrets come one by one, counting down from 2⁴⁸ − 1);
 * - `bad-secret`: it does not derive the secrets already received (not from the same seed);
 * - `not-received`: the secret asked for has not been revealed yet.
 */
export type ShachainErrorReason = "out-of-order" | "bad-secret" | "not-received";

/** A per-commitment secret refused by, or not available from, a {@link ShachainStore}. */
export class ShachainError extends Error {
  /** Stable machine-readable code. */
  readonly code = "shachain-error";
  /** What is wrong. */
  readonly reason: ShachainErrorReason;
  constructor(reason: ShachainErrorReason, message: string) {
    super(message);
    this.name = "ShachainError";
    this.reason = reason;
  }
}

/**
 * The per-commitment secret of `index` from `seed` (BOLT 3 `generate_from_seed`): for bit B from
 * 47 down to 0, when B is set in the index, flip bit B of the value and hash it with SHA-256.
 *
 * @example
 * ```ts
 * import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "./shachain.ts";
 * const first = perCommitmentSecret(new Uint8Array(32), FIRST_COMMITMENT_INDEX);
 * console.log(first.length); // 32
 * ```
 */
export function perCommitmentSecret(seed: Uint8Array, index: number): Uint8Array {
  checkSecretLength(seed, "seed");
  checkIndex(index);
  return deriveFrom(seed, INDEX_BITS, index);
}

/** One stored secret; in entry `b` its index has exactly `b` trailing zero bits (index 0: b = 48). */
export interface ShachainEntry {
  /** The commitment index of the secret. */
  index: number;
  /** The per-commitment secret (32 bytes). */
  secret: Uint8Array;
}
type Entry = ShachainEntry;

/**
 * The receiver's compact store of the peer's revealed per-commitment secrets (BOLT 3 "Efficient
 * Per-commitment Secret Storage"). Entry `b` holds the latest secret whose index has `b` trailing
 * zeros; it derives every secret whose index agrees with its own from bit `b` up (all revealed
 * before it). Secrets must arrive one by one, counting down from 2⁴⁸ − 1.
 *
 * @example
 * ```ts
 * import { FIRST_COMMITMENT_INDEX, perCommitmentSecret, ShachainStore } from "./shachain.ts";
 * const seed = new Uint8Array(32).fill(9);
 * const store = new ShachainStore();
 * for (let i = 0; i < 5; i++) {
 *   const index = FIRST_COMMITMENT_INDEX - i;
 *   store.insert(index, perCommitmentSecret(seed, index));
 * }
 * console.log(store.size); // 3 (entries, though 5 secrets are known)
 * ```
 */
export class ShachainStore {
  /** `entries[b]` for b < length; always a dense prefix (see {@link decodeShachainStore}). */
  #entries: Entry[] = [];

  /**
   * The store that `bytes` ({@link encodeShachainStore}) holds; see {@link decodeShachainStore}.
   * The only way to a non-empty store besides {@link insert}, so every store is a checked one.
   */
  static decode(bytes: Uint8Array): ShachainStore {
    const store = new ShachainStore();
    store.#entries = decodeEntries(bytes);
    return store;
  }

  /** How many entries are held (at most 49). */
  get size(): number {
    return this.#entries.length;
  }

  /** The index the next revealed secret must have; undefined once index 0 has been stored. */
  get nextIndex(): number | undefined {
    const lowest = this.lowestIndex;
    if (lowest === undefined) return FIRST_COMMITMENT_INDEX;
    return lowest === 0 ? undefined : lowest - 1;
  }

  /** The index of the latest secret received; undefined while the store is empty. */
  get lowestIndex(): number | undefined {
    let lowest: number | undefined;
    for (const e of this.#entries) if (lowest === undefined || e.index < lowest) lowest = e.index;
    return lowest;
  }

  /**
   * Stores the secret of `index`, which must be {@link nextIndex}. Throws ShachainError
   * `out-of-order` for any other index and `bad-secret` when the secret does not derive the
   * stored secrets it should (then the store is unchanged).
   */
  insert(index: number, secret: Uint8Array): void {
    checkIndex(index);
    checkSecretLength(secret, "secret");
    const expected = this.nextIndex;
    if (index !== expected) {
      throw new ShachainError(
        "out-of-order",
        expected === undefined
          ? "every per-commitment secret has already been received"
          : `expected the secret of index ${expected}, got index ${index}`,
      );
    }
    const bucket = trailingZeros(index);
    for (let b = 0; b < bucket; b++) {
      const known = this.#entries[b]!;
      if (!equalBytes(deriveFrom(secret, bucket, known.index), known.secret)) {
        throw new ShachainError(
          "bad-secret",
          `the secret of index ${index} does not derive the secret of index ${known.index}`,
        );
      }
    }
    this.#entries[bucket] = { index, secret: secret.slice() };
  }

  /** Whether the secret of `index` has been received (is derivable from the store). */
  has(index: number): boolean {
    return this.#entryFor(index) !== undefined;
  }

  /**
   * The secret of `index` (BOLT 3 `derive_old_secret`); throws ShachainError `not-received` when
   * that secret has not been revealed yet.
   */
  secretAt(index: number): Uint8Array {
    checkIndex(index);
    const found = this.#entryFor(index);
    if (found === undefined) {
      throw new ShachainError("not-received", `the secret of index ${index} has not been received`);
    }
    return deriveFrom(found.entry.secret, found.bucket, index);
  }

  /** The stored entries, in bucket order (copies). */
  entries(): ShachainEntry[] {
    return this.#entries.map((e) => ({ index: e.index, secret: e.secret.slice() }));
  }

  #entryFor(index: number): { entry: Entry; bucket: number } | undefined {
    if (!Number.isSafeInteger(index) || index < 0 || index > FIRST_COMMITMENT_INDEX) {
      return undefined;
    }
    for (let b = 0; b < this.#entries.length; b++) {
      const entry = this.#entries[b]!;
      // Entry b derives exactly the indices that agree with its index from bit b up.
      if (clearLowBits(index, b) === entry.index) return { entry, bucket: b };
    }
    return undefined;
  }
}

/**
 * Encodes a store for persisting channel state:
 * `u8 count ‖ count × (u48 big-endian index ‖ 32-byte secret)`, entries in bucket order.
 */
export function encodeShachainStore(store: ShachainStore): Uint8Array {
  const entries = store.entries();
  const out = new Uint8Array(1 + entries.length * ENTRY_BYTES);
  out[0] = entries.length;
  entries.forEach((e, b) => {
    const at = 1 + b * ENTRY_BYTES;
    writeU48(out, at, e.index);
    out.set(e.secret, at + INDEX_BYTES);
  });
  return out;
}

/**
 * Decodes {@link encodeShachainStore}'s bytes. Strict: throws DecodeError unless the bytes are
 * exactly a store that honest in-order insertion reaches — the right length, every index in the
 * bucket its trailing zeros name, the indices those of one run from 2⁴⁸ − 1 down, and each secret
 * deriving the earlier secrets it was checked against when inserted.
 */
export function decodeShachainStore(bytes: Uint8Array): ShachainStore {
  return ShachainStore.decode(bytes);
}

function decodeEntries(bytes: Uint8Array): Entry[] {
  if (bytes.length < 1) throw new DecodeError("shachain store is empty");
  const count = bytes[0]!;
  if (count > MAX_SHACHAIN_ENTRIES) {
    throw new DecodeError(`shachain store has ${count} entries, at most 49 allowed`);
  }
  if (bytes.length !== 1 + count * ENTRY_BYTES) {
    throw new DecodeError(
      `shachain store of ${count} entries must be ${
        1 + count * ENTRY_BYTES
      } bytes, got ${bytes.length}`,
    );
  }
  const entries: Entry[] = [];
  for (let b = 0; b < count; b++) {
    const at = 1 + b * ENTRY_BYTES;
    const index = readU48(bytes, at);
    if (trailingZeros(index) !== b) {
      throw new DecodeError(`shachain entry ${b} has index ${index}, which does not belong there`);
    }
    entries.push({ index, secret: bytes.slice(at + INDEX_BYTES, at + ENTRY_BYTES) });
  }
  if (count > 0) checkReachable(entries);
  return entries;
}

/** Throws DecodeError unless `entries` is what inserting every index from the top down to the lowest gives. */
function checkReachable(entries: Entry[]): void {
  let lowest = FIRST_COMMITMENT_INDEX;
  for (const e of entries) lowest = Math.min(lowest, e.index);
  const expectedCount = bucketsInUse(lowest);
  if (entries.length !== expectedCount) {
    throw new DecodeError(
      `shachain store down to index ${lowest} must have ${expectedCount} entries, got ${entries.length}`,
    );
  }
  entries.forEach((e, b) => {
    const expected = latestIndexInBucket(lowest, b);
    if (e.index !== expected) {
      throw new DecodeError(`shachain entry ${b} must have index ${expected}, got ${e.index}`);
    }
  });
  // Entry B was checked on insertion against the lower buckets holding higher indices of its
  // prefix; those entries are still the same ones, so the same checks must hold now.
  for (let bucket = 1; bucket < entries.length; bucket++) {
    const base = entries[bucket]!;
    for (let b = 0; b < bucket; b++) {
      const known = entries[b]!;
      if (known.index < base.index || clearLowBits(known.index, bucket) !== base.index) continue;
      if (!equalBytes(deriveFrom(base.secret, bucket, known.index), known.secret)) {
        throw new DecodeError(
          `shachain secret of index ${base.index} does not derive the secret of index ${known.index}`,
        );
      }
    }
  }
}

/** How many buckets a store holds once every index down to `lowest` is in. */
function bucketsInUse(lowest: number): number {
  if (lowest === 0) return MAX_SHACHAIN_ENTRIES;
  let count = 0;
  // Bucket b's largest index is 2⁴⁸ − 2ᵇ; it is used once that many indices have been reached.
  while (count < INDEX_BITS && lowest <= 2 ** INDEX_BITS - 2 ** count) count++;
  return count;
}

/** The smallest index ≥ `lowest` with exactly `bucket` trailing zeros (index 0 for bucket 48). */
function latestIndexInBucket(lowest: number, bucket: number): number {
  if (bucket === INDEX_BITS) return 0;
  const step = 2 ** bucket;
  let index = Math.ceil(lowest / step) * step;
  if (trailingZeros(index) > bucket) index += step;
  return index;
}

/** BOLT 3 `derive_secret`: from `base` (index bits ≥ `bits` shared), the secret of `index`. */
function deriveFrom(base: Uint8Array, bits: number, index: number): Uint8Array {
  let value = base.slice();
  for (let bit = bits - 1; bit >= 0; bit--) {
    if (testBit(index, bit)) {
      // flip(B): the B'th least significant bit, in byte B/8 of the little-end-first value.
      value[bit >> 3]! ^= 1 << (bit & 7);
      value = sha256(value);
    }
  }
  return value;
}

/** Bit `bit` of a 48-bit index (numbers above 2³² have no bitwise operators). */
function testBit(index: number, bit: number): boolean {
  return Math.floor(index / 2 ** bit) % 2 === 1;
}

/** `index` with its `bits` lowest bits cleared. */
function clearLowBits(index: number, bits: number): number {
  const step = 2 ** bits;
  return Math.floor(index / step) * step;
}

/** Trailing zero bits of a 48-bit index; 48 for index 0 (the seed's bucket). */
function trailingZeros(index: number): number {
  for (let bit = 0; bit < INDEX_BITS; bit++) if (testBit(index, bit)) return bit;
  return INDEX_BITS;
}

function writeU48(out: Uint8Array, at: number, value: number): void {
  let rest = value;
  for (let i = INDEX_BYTES - 1; i >= 0; i--) {
    out[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

function readU48(bytes: Uint8Array, at: number): number {
  let value = 0;
  for (let i = 0; i < INDEX_BYTES; i++) value = value * 256 + bytes[at + i]!;
  return value;
}

function checkIndex(index: number): void {
  if (!Number.isSafeInteger(index) || index < 0 || index > FIRST_COMMITMENT_INDEX) {
    throw new RangeError(`commitment index must be an integer in [0, 2^48 - 1], got ${index}`);
  }
}

function checkSecretLength(bytes: Uint8Array, what: string): void {
  if (bytes.length !== PER_COMMITMENT_SECRET_BYTES) {
    throw new RangeError(`${what} must be 32 bytes, got ${bytes.length}`);
  }
}

/** Constant-time comparison: the secrets are the revocation keys' halves. */
function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

/**
 * Test helpers for decoders (private to tests): a seeded byte generator and the two checks every
 * decoder must pass — truncation at every offset and random input only ever throw DecodeError.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";

/** A deterministic xorshift32 byte generator; `seed` must be non-zero. */
export function seededBytes(seed: number): (n: number) => Uint8Array {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      out[i] = s & 0xff;
    }
    return out;
  };
}

/** Throws unless `fn` throws a DecodeError. */
export function expectDecodeError(fn: () => unknown, what: string): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof DecodeError) return;
    throw new Error(`${what}: expected DecodeError, got ${e}`);
  }
  throw new Error(`${what}: expected DecodeError, decoded successfully`);
}

/** Asserts that every strict prefix of `valid` (and `valid` plus a trailing byte) fails with DecodeError. */
export function checkTruncations(decode: (b: Uint8Array) => unknown, valid: Uint8Array): void {
  for (let i = 0; i < valid.length; i++) {
    expectDecodeError(() => decode(valid.subarray(0, i)), `prefix of ${i} bytes`);
  }
  const longer = new Uint8Array(valid.length + 1);
  longer.set(valid);
  expectDecodeError(() => decode(longer), "one trailing byte");
}

/**
 * Feeds `rounds` seeded random inputs (fresh random bytes and random mutations of `valid`) to
 * `decode`; anything thrown must be a DecodeError. Returns how many inputs decoded.
 */
export function checkRandomInputs(
  decode: (b: Uint8Array) => unknown,
  valid: Uint8Array,
  rounds: number,
  seed: number,
): number {
  const rnd = seededBytes(seed);
  let decoded = 0;
  for (let i = 0; i < rounds; i++) {
    const r = rnd(4);
    let input: Uint8Array;
    if (i % 2 === 0) {
      input = rnd(((r[0]! << 8) | r[1]!) % (valid.length * 2 + 8));
    } else {
      input = valid.slice();
      const flips = 1 + (r[0]! % 4);
      for (let f = 0; f < flips && input.length > 0; f++) {
        const p = rnd(3);
        input[((p[0]! << 8) | p[1]!) % input.length] = p[2]!;
      }
    }
    try {
      decode(input);
      decoded++;
    } catch (e) {
      if (!(e instanceof DecodeError)) {
        throw new Error(`round ${i}: decoder threw ${e} (not DecodeError)`);
      }
    }
  }
  return decoded;
}

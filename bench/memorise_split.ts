/**
 * How `pot_memorise_bench.ts` cuts the evaluation corpus into a held-out part and a training pool
 * whose every prefix is spread over the whole corpus, so that a training slice of any size S and
 * the held-out text come from the same mix of KJV and Austen.
 *
 * The corpus is cut into blocks of `blockBytes` (the tail that is not a whole block is unused).
 * Every `heldEvery`-th block (0, heldEvery, 2·heldEvery, …) is held out and never trained on.
 * The other blocks are ordered by the bit-reversal of their index (van der Corput order), so the
 * first k blocks of the pool are spread evenly over the corpus for every k.
 *
 * @module
 */

/** The held-out blocks and the training pool of a corpus, as block start offsets. */
export interface MemoriseSplit {
  /** Block size in bytes. */
  readonly blockBytes: number;
  /** Start offsets of the held-out blocks, ascending. */
  readonly heldOut: readonly number[];
  /** Start offsets of the training blocks, in the order a slice takes them. */
  readonly pool: readonly number[];
}

/** `i` with its lowest `bits` bits reversed. */
function reverseBits(i: number, bits: number): number {
  let r = 0;
  for (let b = 0; b < bits; b++) r = (r << 1) | ((i >>> b) & 1);
  return r >>> 0;
}

/**
 * Splits a corpus of `corpusBytes` into held-out blocks and a spread-out training pool.
 *
 * @throws RangeError when `blockBytes` or `heldEvery` is not a positive integer (heldEvery ≥ 2)
 * or the corpus holds fewer than `heldEvery` blocks
 *
 * @example
 * ```ts
 * import { memoriseSplit } from "./memorise_split.ts";
 * const s = memoriseSplit(8 * 100, 100, 4);
 * console.log(s.heldOut); // [ 0, 400 ]
 * console.log(s.pool); // [ 200, 600, 100, 500, 300, 700 ]
 * ```
 */
export function memoriseSplit(
  corpusBytes: number,
  blockBytes: number,
  heldEvery: number,
): MemoriseSplit {
  if (!Number.isInteger(blockBytes) || blockBytes < 1) {
    throw new RangeError(`blockBytes must be a positive integer, got ${blockBytes}`);
  }
  if (!Number.isInteger(heldEvery) || heldEvery < 2) {
    throw new RangeError(`heldEvery must be an integer >= 2, got ${heldEvery}`);
  }
  const blocks = Math.floor(corpusBytes / blockBytes);
  if (blocks < heldEvery) {
    throw new RangeError(
      `a corpus of ${corpusBytes} bytes has ${blocks} blocks of ${blockBytes}, fewer than ${heldEvery}`,
    );
  }
  const heldOut: number[] = [];
  for (let i = 0; i < blocks; i += heldEvery) heldOut.push(i * blockBytes);
  const bits = Math.max(1, Math.ceil(Math.log2(blocks)));
  const pool: number[] = [];
  for (let r = 0; r < 2 ** bits; r++) {
    const i = reverseBits(r, bits);
    if (i < blocks && i % heldEvery !== 0) pool.push(i * blockBytes);
  }
  return { blockBytes, heldOut, pool };
}

/** The pool's capacity in bytes: the largest slice `sliceOf` can take. */
export function poolBytes(split: MemoriseSplit): number {
  return split.pool.length * split.blockBytes;
}

/**
 * The first `bytes` of the training pool: whole blocks in pool order, the last one cut short,
 * concatenated.
 *
 * @throws RangeError when `bytes` is not a positive integer or exceeds the pool
 *
 * @example
 * ```ts
 * import { memoriseSplit, sliceOf } from "./memorise_split.ts";
 * const corpus = Uint8Array.from({ length: 8 }, (_, i) => i);
 * console.log(sliceOf(corpus, memoriseSplit(8, 2, 2), 3)); // Uint8Array(3) [ 2, 3, 6 ]
 * ```
 */
export function sliceOf(corpus: Uint8Array, split: MemoriseSplit, bytes: number): Uint8Array {
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > poolBytes(split)) {
    throw new RangeError(`slice of ${bytes} bytes is outside 1..${poolBytes(split)}`);
  }
  const out = new Uint8Array(bytes);
  for (let at = 0, k = 0; at < bytes; k++) {
    const start = split.pool[k]!;
    const n = Math.min(split.blockBytes, bytes - at);
    out.set(corpus.subarray(start, start + n), at);
    at += n;
  }
  return out;
}

/**
 * `count` window starts (multiples of `windowLen`) spread evenly over the ⌊length/windowLen⌋
 * aligned windows of a text of `length` bytes; all of them when there are fewer.
 *
 * @example
 * ```ts
 * import { spreadWindowStarts } from "./memorise_split.ts";
 * console.log(spreadWindowStarts(1000, 100, 4)); // [ 0, 200, 500, 700 ]
 * ```
 */
export function spreadWindowStarts(length: number, windowLen: number, count: number): number[] {
  const n = Math.floor(length / windowLen);
  const k = Math.min(n, count);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k) * windowLen);
}

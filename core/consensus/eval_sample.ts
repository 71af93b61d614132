/**
 * The per-block evaluation sample (PROTOCOL §5.9): K windows of the network's evaluation corpus,
 * chosen by a hash of the block's own header with its checkpoint root and without its two loss
 * fields and its transaction roots, so the miner learns the windows only after fixing the
 * checkpoint. Parent and child checkpoints are evaluated on the same windows (paired).
 *
 * The transaction roots are left out because the coinbase pays a bonus that depends on the
 * sample's result (a root inside the seed would make the sample depend on itself), and so that a
 * miner may refresh its transactions after the evaluation without evaluating again. The seed is
 * still grindable (timestamp, miner key change it for the price of a hash); the parameters
 * assume a grinder tries 2⁶⁴ seeds (PROTOCOL §5.9).
 *
 * @module
 */
import { keccak256 } from "../crypto/keccak.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { encodeUnsignedHeader, type UnsignedHeader } from "../primitives/block.ts";

const ZERO_ROOT = new Uint8Array(32);

/** Tag of the sample seed's hash. */
export const EVAL_SAMPLE_TAG = "rnt/eval-sample";

/**
 * The sample seed of a header: tagged keccak256d over its unsigned encoding with
 * `txRoot`, `witnessRoot`, `parentSampleLossMicroNats` and `sampleLossMicroNats` set to zero
 * (the loss claims are computed from the sample, so they cannot be part of what chooses it).
 *
 * @example
 * ```ts
 * import { evalSampleSeed } from "./eval_sample.ts";
 * import { genesisBlock } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(evalSampleSeed(REGTEST.magic, genesisBlock(REGTEST).header).length); // 32
 * ```
 */
export function evalSampleSeed(magic: Uint8Array, header: UnsignedHeader): Uint8Array {
  return taggedHash(
    EVAL_SAMPLE_TAG,
    magic,
    encodeUnsignedHeader({
      ...header,
      txRoot: ZERO_ROOT,
      witnessRoot: ZERO_ROOT,
      parentSampleLossMicroNats: 0,
      sampleLossMicroNats: 0,
    }),
  );
}

/**
 * The byte offsets of the `count` sampled windows. The corpus is cut into
 * `n = ⌊corpusLength / windowLen⌋` aligned windows. Little-endian u32 words are read in order
 * from `keccak256(seed ‖ u32le(block))` for block = 0, 1, 2, …; a word `x` draws window
 * `x mod n` only when `x < 2³² − (2³² mod n)` (the rejection keeps every window equally likely;
 * rejected words are skipped). Windows are drawn with replacement, in draw order.
 *
 * @throws RangeError when the corpus holds no window, `windowLen < 2` or `count < 1`
 */
export function sampleWindowStarts(
  seed: Uint8Array,
  corpusLength: number,
  windowLen: number,
  count: number,
): number[] {
  if (!Number.isInteger(windowLen) || windowLen < 2) {
    throw new RangeError(`windowLen must be an integer >= 2, got ${windowLen}`);
  }
  const n = Math.floor(corpusLength / windowLen);
  if (n < 1) throw new RangeError(`a corpus of ${corpusLength} bytes has no window`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`bad sample size ${count}`);
  const limit = 2 ** 32 - (2 ** 32 % n);
  const input = new Uint8Array(seed.length + 4);
  input.set(seed);
  const view = new DataView(input.buffer);
  const starts: number[] = [];
  for (let block = 0; starts.length < count; block++) {
    view.setUint32(seed.length, block, true);
    const hash = keccak256(input);
    const words = new DataView(hash.buffer, hash.byteOffset, hash.byteLength);
    for (let j = 0; j < 8 && starts.length < count; j++) {
      const x = words.getUint32(4 * j, true);
      if (x < limit) starts.push((x % n) * windowLen);
    }
  }
  return starts;
}

/**
 * The sample's bytes: the windows at `starts` (each `windowLen` long) one after another, so an
 * evaluator that cuts its input into windows of `windowLen` sees exactly the sample.
 *
 * @example
 * ```ts
 * import { sampleBytes } from "./eval_sample.ts";
 * console.log(sampleBytes(new Uint8Array([1, 2, 3, 4]), [2, 0], 2)); // Uint8Array(4) [ 3, 4, 1, 2 ]
 * ```
 */
export function sampleBytes(
  corpus: Uint8Array,
  starts: readonly number[],
  windowLen: number,
): Uint8Array {
  const out = new Uint8Array(starts.length * windowLen);
  starts.forEach((start, i) => {
    if (!Number.isInteger(start) || start < 0 || start + windowLen > corpus.length) {
      throw new RangeError(`window at ${start} is outside the ${corpus.length}-byte corpus`);
    }
    out.set(corpus.subarray(start, start + windowLen), i * windowLen);
  });
  return out;
}

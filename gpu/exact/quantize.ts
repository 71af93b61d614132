/**
 * Host-side weight quantisation of the exact consensus loss (PROTOCOL.md §3.10.2): every f32
 * tensor of a checkpoint becomes integers with power-of-two scales. Folded products (a norm gain
 * into the matrix that reads the norm, the five conv branches into one kernel) are computed in
 * IEEE-754 binary64 in the stated order, which every conforming implementation reproduces bit
 * for bit; the rounding to integers is then exact. Every evaluator path (CPU, WASM, WebGPU)
 * starts from the same {@link QuantizedModel}.
 *
 * @module
 */
import { type Checkpoint, getTensor } from "../../core/checkpoint/checkpoint.ts";
import {
  CONV_KERNELS,
  FFN_MULT,
  SLOT_KEY,
  SLOTS,
  VOCAB,
} from "../../core/checkpoint/model_config.ts";
import { clampSym, H_MAX } from "./primitives.ts";

/** Bits of a matrix weight (sign included): |q| ≤ 511. */
export const WEIGHT_BITS = 10;
/** Largest |q| of a conv kernel weight (12-bit, symmetric). */
export const CONV_W_MAX = 2047;
/** Length of the folded conv kernel (the longest branch). */
export const CONV_TAPS = 63;

/** A quantised `[out, in]` matrix: row o is q[o·in .. (o+1)·in) · 2^(−exp[o]). */
export interface QLinear {
  /** Output width. */
  readonly out: number;
  /** Input width. */
  readonly in: number;
  /** Integers in [−511, 511], row-major (wider only in the non-consensus precision study). */
  readonly q: Int16Array | Int32Array;
  /** Per-row power-of-two exponent. */
  readonly exp: Int32Array;
}

/** The quantised folded conv kernel: tap j, channel c is q[j·d + c] · 2^(−exp[c]). */
export interface QConv {
  /** Integers in [−2047, 2047], `[63, d]`. */
  readonly q: Int16Array;
  /** Per-channel power-of-two exponent. */
  readonly exp: Int32Array;
}

/** One quantised layer. */
export interface QLayer {
  readonly conv: QConv;
  readonly wz: QLinear;
  readonly wh: QLinear;
  readonly wo: QLinear;
  readonly wq: QLinear;
  readonly keys: QLinear;
  readonly values: QLinear;
  readonly w1: QLinear;
  readonly w3: QLinear;
  readonly w2: QLinear;
}

/** A checkpoint in the integer form the exact evaluators run. */
export interface QuantizedModel {
  /** Model width. */
  readonly d: number;
  /** The embedding rows in Q16, `[256, d]`. */
  readonly embed: Int32Array;
  /** Layers in order. */
  readonly layers: readonly QLayer[];
  /** The tied head with the final norm gain folded in, `[256, d]`. */
  readonly head: QLinear;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

/** ⌊log2 m⌋ of a positive finite binary64 (exact, from its exponent bits). */
export function floorLog2(m: number): number {
  f64[0] = m;
  const biased = (u32[1]! >>> 20) & 0x7ff;
  if (biased !== 0) return biased - 1023;
  // Subnormal binary64: scale into the normal range first (exact).
  return floorLog2(m * 2 ** 64) - 64;
}

/** round(v), ties away from zero, exactly for any finite binary64. */
export function roundHalfAway(v: number): number {
  const a = Math.abs(v);
  const f = Math.floor(a);
  const r = a - f >= 0.5 ? f + 1 : f; // a − ⌊a⌋ is exact
  return v < 0 ? -r : r;
}

/**
 * The power-of-two exponent e of a group with largest magnitude m > 0 so that
 * m·2^e ∈ [2^(bits−1), 2^bits): e = bits − 1 − ⌊log2 m⌋; 0 for m = 0.
 */
export function groupExponent(m: number, bits: number): number {
  return m === 0 ? 0 : bits - 1 - floorLog2(m);
}

function assertFinite(v: number, what: string): void {
  if (!Number.isFinite(v)) throw new RangeError(`Cannot quantise ${what}: it holds ${v}`);
}

/**
 * Quantises `[out, in]` binary64 values row by row: e_o = groupExponent(max|w|, 9), so the
 * largest lands in [256, 512); q = clamp(roundHalfAway(w·2^e_o), ±511). `bits` other than
 * WEIGHT_BITS is for the precision study only.
 */
export function quantizeRows(
  w: Float64Array,
  out: number,
  inDim: number,
  bits = WEIGHT_BITS,
): QLinear {
  const q = bits <= 16 ? new Int16Array(out * inDim) : new Int32Array(out * inDim),
    exp = new Int32Array(out);
  for (let o = 0; o < out; o++) {
    let m = 0;
    for (let i = 0; i < inDim; i++) {
      const v = w[o * inDim + i]!;
      assertFinite(v, "a weight");
      const a = Math.abs(v);
      if (a > m) m = a;
    }
    const e = groupExponent(m, bits - 1);
    exp[o] = e;
    const max = 2 ** (bits - 1) - 1;
    const scale = 2 ** e;
    for (let i = 0; i < inDim; i++) {
      q[o * inDim + i] = clampSym(roundHalfAway(w[o * inDim + i]! * scale), max);
    }
  }
  return { out, in: inDim, q, exp };
}

/** `w[o, i] · gain[i]` in binary64 (exact: a product of two f32 fits in 48 bits). */
function foldGain(w: Float32Array, gain: Float32Array | null, out: number, inDim: number) {
  const r = new Float64Array(out * inDim);
  for (let o = 0; o < out; o++) {
    for (let i = 0; i < inDim; i++) {
      r[o * inDim + i] = gain ? w[o * inDim + i]! * gain[i]! : w[o * inDim + i]!;
    }
  }
  return r;
}

/**
 * `quantizeRows(foldGain(w, gain, out, inDim), out, inDim, bits)` (the same integers), without
 * the binary64 copy of the whole matrix and in one tight loop per row for the consensus
 * WEIGHT_BITS: each row's folded values w·gain (exact binary64) are formed once into a row
 * buffer, their maximum taken, then rounded half away and saturated at ±511. Throws RangeError
 * on a non-finite folded weight, as quantizeRows does.
 */
export function quantizeFoldedRows(
  w: Float32Array,
  gain: Float32Array | null,
  out: number,
  inDim: number,
  bits: number,
): QLinear {
  if (bits !== WEIGHT_BITS) return quantizeRows(foldGain(w, gain, out, inDim), out, inDim, bits);
  const q = new Int16Array(out * inDim), exp = new Int32Array(out), row = new Float64Array(inDim);
  for (let o = 0; o < out; o++) {
    const m = gain ? foldRow(w, gain, o * inDim, row) : copyRow(w, o * inDim, row);
    if (Number.isNaN(m)) row.forEach((v) => assertFinite(v, "a weight"));
    const e = groupExponent(m, WEIGHT_BITS - 1);
    exp[o] = e;
    roundRow(row, 2 ** e, q, o * inDim);
  }
  return { out, in: inDim, q, exp };
}

/** row[i] = w[at + i]·gain[i] (exact binary64); the largest |row[i]|, NaN if one is not finite. */
function foldRow(w: Float32Array, gain: Float32Array, at: number, row: Float64Array): number {
  let m = 0, nonFinite = 0; // v·0 is NaN exactly when v is ±∞ or NaN
  for (let i = 0; i < row.length; i++) {
    const v = w[at + i]! * gain[i]!;
    row[i] = v;
    nonFinite += v * 0;
    const a = Math.abs(v);
    m = a > m ? a : m;
  }
  return nonFinite === 0 ? m : NaN;
}

/** {@link foldRow} with no gain. */
function copyRow(w: Float32Array, at: number, row: Float64Array): number {
  let m = 0, nonFinite = 0;
  for (let i = 0; i < row.length; i++) {
    const v = w[at + i]!;
    row[i] = v;
    nonFinite += v * 0;
    const a = Math.abs(v);
    m = a > m ? a : m;
  }
  return nonFinite === 0 ? m : NaN;
}

/** q[at + i] = clamp(roundHalfAway(row[i]·scale), ±511) (scale a power of two: exact). */
function roundRow(row: Float64Array, scale: number, q: Int16Array, at: number): void {
  for (let i = 0; i < row.length; i++) {
    const x = row[i]! * scale, a = Math.abs(x), f = Math.floor(a);
    const r = Math.min(a - f >= 0.5 ? f + 1 : f, 511); // a − ⌊a⌋ is exact
    q[at + i] = x < 0 ? -r : r;
  }
}

/**
 * The folded conv kernel: c[j, ch] = (Σ_{b: j < K_b} gain[b, ch]·w_b[j, ch]) · norm[ch] in
 * binary64 (the sum from +0 in branch order b = 0..4, then the product), quantised per channel
 * over its 63 taps to 11 bits: q = clamp(roundHalfAway(c·2^e_ch), ±2047).
 */
export function quantizeConv(
  weights: readonly Float32Array[],
  gains: Float32Array,
  norm: Float32Array,
  d: number,
): QConv {
  const c = new Float64Array(CONV_TAPS * d);
  for (let j = 0; j < CONV_TAPS; j++) {
    for (let ch = 0; ch < d; ch++) {
      let acc = 0;
      for (let b = 0; b < CONV_KERNELS.length; b++) {
        if (j < CONV_KERNELS[b]!) acc += gains[b * d + ch]! * weights[b]![j * d + ch]!;
      }
      const v = acc * norm[ch]!;
      assertFinite(v, "a conv weight");
      c[j * d + ch] = v;
    }
  }
  const q = new Int16Array(CONV_TAPS * d), exp = new Int32Array(d);
  for (let ch = 0; ch < d; ch++) {
    let m = 0;
    for (let j = 0; j < CONV_TAPS; j++) m = Math.max(m, Math.abs(c[j * d + ch]!));
    const e = groupExponent(m, 11);
    exp[ch] = e;
    for (let j = 0; j < CONV_TAPS; j++) {
      q[j * d + ch] = clampSym(roundHalfAway(c[j * d + ch]! * 2 ** e), CONV_W_MAX);
    }
  }
  return { q, exp };
}

/**
 * The integer model of `checkpoint` (PROTOCOL.md §3.10.2). Throws RangeError on a non-finite
 * folded weight.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { quantizeCheckpoint } from "./quantize.ts";
 * const qm = quantizeCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1));
 * qm.layers[0]!.wz.q.length; // 256
 * ```
 */
export function quantizeCheckpoint(
  checkpoint: Checkpoint,
  weightBits = WEIGHT_BITS,
): QuantizedModel {
  const d = checkpoint.config.dModel, f = FFN_MULT * d;
  const t = (name: string) => getTensor(checkpoint, name);
  const embedF = t("embed");
  const embed = new Int32Array(VOCAB * d);
  for (let i = 0; i < embed.length; i++) {
    const v = embedF[i]!;
    assertFinite(v, "an embedding value");
    embed[i] = clampSym(roundHalfAway(v * 65536), H_MAX);
  }
  const layers: QLayer[] = [];
  for (let l = 0; l < checkpoint.config.nLayers; l++) {
    const p = `layers.${l}.`;
    const gru = t(p + "gru.norm"), mem = t(p + "mem.norm"), ffn = t(p + "ffn.norm");
    const keysF = t(p + "mem.keys");
    const keys = new Float64Array(SLOTS * SLOT_KEY);
    const root32 = Math.sqrt(SLOT_KEY);
    for (let i = 0; i < keys.length; i++) keys[i] = keysF[i]! / root32;
    layers.push({
      conv: quantizeConv(
        CONV_KERNELS.map((k) => t(`${p}conv.w${k}`)),
        t(p + "conv.gain"),
        t(p + "conv.norm"),
        d,
      ),
      wz: quantizeFoldedRows(t(p + "gru.wz"), gru, d, d, weightBits),
      wh: quantizeFoldedRows(t(p + "gru.wh"), gru, d, d, weightBits),
      wo: quantizeFoldedRows(t(p + "gru.wo"), null, d, d, weightBits),
      wq: quantizeFoldedRows(t(p + "mem.wq"), mem, SLOT_KEY, d, weightBits),
      keys: quantizeRows(keys, SLOTS, SLOT_KEY, weightBits),
      values: quantizeFoldedRows(t(p + "mem.values"), null, d, SLOTS, weightBits),
      w1: quantizeFoldedRows(t(p + "ffn.w1"), ffn, f, d, weightBits),
      w3: quantizeFoldedRows(t(p + "ffn.w3"), ffn, f, d, weightBits),
      w2: quantizeFoldedRows(t(p + "ffn.w2"), null, d, f, weightBits),
    });
  }
  const head = quantizeFoldedRows(embedF, t("final_norm"), VOCAB, d, weightBits);
  return { d, embed, layers, head };
}

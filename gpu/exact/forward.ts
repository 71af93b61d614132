/**
 * The exact consensus forward pass and loss (PROTOCOL.md §3.10): integers only, from a
 * {@link QuantizedModel} and the evaluation bytes to one integer loss sum per window. The only
 * part that differs between evaluator paths is the integer matrix product, injected as an
 * {@link IntGemm}; its result is an exact integer sum, so every correct engine gives the same
 * integers (summation order cannot matter).
 *
 * @module
 */
import { SLOTS, VOCAB } from "../../core/checkpoint/model_config.ts";
import {
  bitLength,
  clampSym,
  EPS_Q62,
  EXP_ARG_MAX,
  expNegQ30,
  floorDiv,
  H_MAX,
  isqrt,
  LN2_Q24,
  log2Q24,
  NORM_MAX,
  Q_MAX,
  rshr,
  shiftClamp,
  sigmoidQ14,
} from "./primitives.ts";
import { CONV_TAPS, type QLinear, type QuantizedModel } from "./quantize.ts";

/** Bits of a quantised activation row (sign included) for inputs of width ≤ 4096. */
export const ACT_BITS = 11;

/**
 * Activation bits for a product of input width k: 11 − max(0, ⌈log2(k / 4096)⌉), so that
 * k·511·(2^(bits−1) − 1) < 4096·511·1024 < 2^31 (only ffn.w2 at d > 1024 gets fewer).
 */
export function actBitsFor(k: number): number {
  let bits = ACT_BITS;
  for (let w = 4096; w < k; w *= 2) bits--;
  return bits;
}

/**
 * An exact integer matrix product: `acc[r·w.out + o] = Σ_i w.q[o·w.in + i]·x[r·w.in + i]`.
 * |q| ≤ 511 and |x| ≤ 2^(actBitsFor(in)−1) − 1, so |acc| < 2^31 and every partial sum too:
 * an int32 accumulator cannot overflow, in any order.
 */
export interface IntGemm {
  /** Short name for logs. */
  readonly name: string;
  /** The product of `rows` input rows with `w`. */
  gemm(w: QLinear, x: Int32Array, rows: number): Int32Array;
}

/** The plain-loop engine: the readable twin of the spec. */
export const plainGemm: IntGemm = {
  name: "cpu reference",
  gemm(w: QLinear, x: Int32Array, rows: number): Int32Array {
    const { q, out: n, in: k } = w;
    const acc = new Int32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      const xo = r * k;
      for (let o = 0; o < n; o++) {
        const wo = o * k;
        let s = 0;
        for (let i = 0; i < k; i++) s += q[wo + i]! * x[xo + i]!;
        acc[r * n + o] = s;
      }
    }
    return acc;
  },
};

/** SQD(d) = ⌊√(d·2^40)⌋: √d in Q20. */
export function sqrtDimQ20(d: number): number {
  return isqrt(d * 2 ** 40);
}

/**
 * RMSNorm without gain (the gain is folded into the next weights), Q16 in → Q12 out:
 * x̂ = h·√d / √(Σh² + ε) (§3.10.4). Writes `len` values of `out` at `outAt`.
 */
export function rmsnormQ12(
  h: Int32Array,
  at: number,
  len: number,
  sqd: number,
  out: Int32Array,
  outAt: number,
): void {
  let m = 0;
  for (let i = 0; i < len; i++) {
    const a = Math.abs(h[at + i]!);
    if (a > m) m = a;
  }
  if (m === 0) {
    out.fill(0, outAt, outAt + len);
    return;
  }
  const sh = bitLength(m) - 15; // h' has at most 15 bits of magnitude (16 after rounding up)
  const hp = new Float64Array(len);
  let s = 0;
  for (let i = 0; i < len; i++) {
    const v = sh > 0 ? rshr(h[at + i]!, sh) : h[at + i]! * 2 ** -sh;
    hp[i] = v;
    s += v * v; // ≤ 4096·2^30
  }
  s += rshr(EPS_Q62, 30 + 2 * sh);
  let j = 0;
  while (s * 4 ** j < 2 ** 44) j++;
  const r = isqrt(s * 4 ** j); // in [2^22, 2^23)
  const g = floorDiv(sqd * 2 ** (j + 16), r); // < 2^28
  for (let i = 0; i < len; i++) out[outAt + i] = clampSym(rshr(hp[i]! * g, 24), NORM_MAX);
}

/**
 * Dynamic per-row quantisation to ACT_BITS: sh = bitLength(max|v|) − (ACT_BITS − 1),
 * x = clamp(rshr(v, sh), ±(2^(ACT_BITS−1) − 1)) for sh > 0, v·2^(−sh) otherwise; sh = 0 for a
 * zero row. Returns sh (the row's value is x·2^(sh − F) for input format Q_F).
 */
export function quantizeRow(
  v: Int32Array,
  at: number,
  len: number,
  out: Int32Array,
  outAt: number,
  bits = ACT_BITS,
): number {
  let m = 0;
  for (let i = 0; i < len; i++) {
    const a = Math.abs(v[at + i]!);
    if (a > m) m = a;
  }
  if (m === 0) {
    out.fill(0, outAt, outAt + len);
    return 0;
  }
  const sh = bitLength(m) - (bits - 1);
  const max = 2 ** (bits - 1) - 1;
  for (let i = 0; i < len; i++) {
    const x = v[at + i]!;
    out[outAt + i] = sh > 0 ? clampSym(rshr(x, sh), max) : x * 2 ** -sh;
  }
  return sh;
}

/** Evaluation knobs that are NOT consensus (used only by the precision study). */
export interface ForwardOptions {
  /** Activation bits of every product (default actBitsFor(k), the consensus rule). */
  readonly actBits?: number;
}

class Runner {
  readonly sqd: number;
  constructor(
    readonly qm: QuantizedModel,
    readonly engine: IntGemm,
    readonly opts: ForwardOptions,
  ) {
    this.sqd = sqrtDimQ20(qm.d);
  }

  /** Quantises every row of `v` ([rows, k], Q_fIn), multiplies by `w`, requantises to Q_fOut. */
  linear(w: QLinear, v: Int32Array, rows: number, fIn: number, fOut: number, max: number) {
    const k = w.in, n = w.out;
    const bits = this.opts.actBits ?? actBitsFor(k);
    const x = new Int32Array(rows * k), sh = new Int32Array(rows);
    for (let r = 0; r < rows; r++) sh[r] = quantizeRow(v, r * k, k, x, r * k, bits);
    const acc = this.engine.gemm(w, x, rows);
    const out = new Int32Array(rows * n);
    for (let r = 0; r < rows; r++) {
      for (let o = 0; o < n; o++) {
        out[r * n + o] = shiftClamp(acc[r * n + o]!, w.exp[o]! + fIn - sh[r]! - fOut, max);
      }
    }
    return out;
  }

  norm(h: Int32Array, rows: number): Int32Array {
    const d = this.qm.d, out = new Int32Array(rows * d);
    for (let r = 0; r < rows; r++) rmsnormQ12(h, r * d, d, this.sqd, out, r * d);
    return out;
  }

  addResidual(h: Int32Array, delta: Int32Array): void {
    for (let i = 0; i < h.length; i++) h[i] = clampSym(h[i]! + delta[i]!, H_MAX);
  }

  /** Per-window loss sums (Q20 nats) of `batch` windows of `time` bytes. */
  run(tokens: Uint8Array, batch: number, time: number): number[] {
    const { d, layers } = this.qm;
    const rows = batch * time;
    const h = new Int32Array(rows * d);
    for (let r = 0; r < rows; r++) {
      h.set(this.qm.embed.subarray(tokens[r]! * d, tokens[r]! * d + d), r * d);
    }
    for (const layer of layers) {
      // (a) conv: input x̂ in Q8, kernel 2^(−e_c), output Q16
      const n1 = this.norm(h, rows);
      for (let i = 0; i < n1.length; i++) n1[i] = clampSym(rshr(n1[i]!, 4), 16383);
      const { q: cq, exp: ce } = layer.conv;
      for (let b = 0; b < batch; b++) {
        for (let t = 0; t < time; t++) {
          const row = (b * time + t) * d, jMax = Math.min(CONV_TAPS - 1, t);
          for (let c = 0; c < d; c++) {
            let acc = 0;
            for (let j = 0; j <= jMax; j++) acc += cq[j * d + c]! * n1[row - j * d + c]!;
            h[row + c] = clampSym(h[row + c]! + shiftClamp(acc, ce[c]! - 8, H_MAX), H_MAX);
          }
        }
      }
      // (b) minGRU: k, u in Q12; z in Q14; h̃ and s in Q12
      const n2 = this.norm(h, rows);
      const k = this.linear(layer.wz, n2, rows, 12, 12, Q_MAX);
      const u = this.linear(layer.wh, n2, rows, 12, 12, Q_MAX);
      const s = new Int32Array(rows * d);
      for (let b = 0; b < batch; b++) {
        for (let c = 0; c < d; c++) {
          let st = 0;
          for (let t = 0; t < time; t++) {
            const i = (b * time + t) * d + c;
            const z = sigmoidQ14(k[i]!);
            const ui = u[i]!;
            const ht = ui >= 0 ? ui + 2048 : rshr(sigmoidQ14(ui), 2);
            st += rshr(z * (ht - st), 14);
            s[i] = st;
          }
        }
      }
      this.addResidual(h, this.linear(layer.wo, s, rows, 12, 16, H_MAX));
      // (c) slot memory: q and scores in Q12, p in Q15
      const n3 = this.norm(h, rows);
      const q = this.linear(layer.wq, n3, rows, 12, 12, Q_MAX);
      const scores = this.linear(layer.keys, q, rows, 12, 12, Q_MAX);
      const p = new Int32Array(rows * SLOTS), e = new Float64Array(SLOTS);
      for (let r = 0; r < rows; r++) {
        let mx = -Infinity;
        for (let i = 0; i < SLOTS; i++) mx = Math.max(mx, scores[r * SLOTS + i]!);
        let sum = 0;
        for (let i = 0; i < SLOTS; i++) {
          e[i] = expNegQ30(Math.min(mx - scores[r * SLOTS + i]!, EXP_ARG_MAX));
          sum += e[i]!; // in [2^30, 2^36]
        }
        for (let i = 0; i < SLOTS; i++) p[r * SLOTS + i] = floorDiv(e[i]! * 65536 + sum, 2 * sum);
      }
      this.addResidual(h, this.linear(layer.values, p, rows, 15, 16, H_MAX));
      // (d) SwiGLU: a, b in Q12; m = silu(a)·b in Q12
      const n4 = this.norm(h, rows);
      const a = this.linear(layer.w1, n4, rows, 12, 12, Q_MAX);
      const g = this.linear(layer.w3, n4, rows, 12, 12, Q_MAX);
      for (let i = 0; i < a.length; i++) {
        const silu = rshr(a[i]! * sigmoidQ14(a[i]!), 14); // |silu| < 2^20
        a[i] = rshr(silu * g[i]!, 12); // |m| < 2^28
      }
      this.addResidual(h, this.linear(layer.w2, a, rows, 12, 16, H_MAX));
    }
    const y = this.norm(h, rows);
    const logits = this.linear(this.qm.head, y, rows, 12, 12, Q_MAX);
    const sums: number[] = [];
    for (let b = 0; b < batch; b++) {
      let sum = 0;
      for (let t = 0; t < time - 1; t++) {
        const r = b * time + t;
        sum += positionLossQ20(logits, r * VOCAB, tokens[r + 1]!);
      }
      sums.push(sum);
    }
    return sums;
  }
}

/**
 * Cross-entropy of one position in Q20 nats (§3.10.9): with M = max logit,
 * S = Σ_v expNegQ30(min(M − l_v, 65535)) ∈ [2^30, 2^38],
 * loss = (M − l_target)·2^8 + rshr((log2Q24(S) − 30·2^24)·LN2_Q24, 28).
 */
export function positionLossQ20(logits: Int32Array, at: number, target: number): number {
  let mx = -Infinity;
  for (let v = 0; v < VOCAB; v++) mx = Math.max(mx, logits[at + v]!);
  let sum = 0;
  for (let v = 0; v < VOCAB; v++) sum += expNegQ30(Math.min(mx - logits[at + v]!, EXP_ARG_MAX));
  const lg = log2Q24(sum) - 30 * 16777216;
  return (mx - logits[at + target]!) * 256 + rshr(lg * LN2_Q24, 28);
}

/**
 * Per-window integer loss sums (Q20 nats, each < 2^40) of `batch` consecutive windows of
 * `time` bytes in `tokens`, each window from zero state.
 */
export function forwardWindowSums(
  qm: QuantizedModel,
  engine: IntGemm,
  tokens: Uint8Array,
  batch: number,
  time: number,
  opts: ForwardOptions = {},
): number[] {
  if (tokens.length !== batch * time) {
    throw new RangeError(`tokens must have ${batch * time} bytes, got ${tokens.length}`);
  }
  return new Runner(qm, engine, opts).run(tokens, batch, time);
}

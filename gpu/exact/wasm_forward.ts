/**
 * The exact forward pass run entirely in WebAssembly (`forward.wat`): the quantised weights and
 * every activation live in the module's memory; TypeScript only lays out the buffers and calls
 * the kernels in the order of PROTOCOL.md §3.10.6. Gives the same integers as
 * {@link forwardWindowSums} with any engine (tested), much faster.
 *
 * @module
 */
import { base64 } from "@scure/base";
import { SLOT_KEY, SLOTS, VOCAB } from "../../core/checkpoint/model_config.ts";
import { actBitsFor, type IntGemm, sqrtDimQ20 } from "./forward.ts";
import { FORWARD_WASM_BASE64 } from "./forward_wasm_bytes.ts";
import { EXP2_TABLE, H_MAX, Q_MAX } from "./primitives.ts";
import { CONV_TAPS, type QLinear, type QuantizedModel } from "./quantize.ts";

let compiled: WebAssembly.Module | undefined;

function moduleBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(base64.decode(FORWARD_WASM_BASE64));
}

/** Whether this runtime validates the forward module (WebAssembly SIMD is present). */
export function wasmForwardAvailable(): boolean {
  try {
    return WebAssembly.validate(moduleBytes());
  } catch {
    return false;
  }
}

interface Kernels {
  memory: WebAssembly.Memory;
  sigmoidTable(at: number): void;
  rmsnorm(h: number, out: number, rows: number, d: number, sqd: number, conv: number): void;
  quant(
    v: number,
    x: number,
    sh: number,
    rows: number,
    rowsPad: number,
    k: number,
    kp: number,
    bits: number,
  ): void;
  linear(
    w: number,
    x: number,
    acc: number,
    rows: number,
    n: number,
    kb: number,
    live: number,
    nReal: number,
    exp: number,
    sh: number,
    fDiff: number,
    max: number,
    residual: number,
    out: number,
    split: number,
    out2: number,
  ): void;
  requant(
    acc: number,
    accStride: number,
    exp: number,
    sh: number,
    out: number,
    outStride: number,
    rows: number,
    n: number,
    fDiff: number,
    max: number,
    residual: number,
  ): void;
  conv(
    n: number,
    kp: number,
    pairs: number,
    acc: number,
    windows: number,
    time: number,
    d: number,
    dp: number,
  ): void;
  gru(k: number, u: number, windows: number, time: number, d: number): void;
  softmax(sc: number, rows: number, slots: number): void;
  swiglu(a: number, b: number, count: number): void;
  loss(lg: number, tok: number, out: number, windows: number, time: number): void;
}

/**
 * A matrix placed in memory, packed by {@link packLinear}: inputs padded to kp (a multiple of
 * 16), outputs to np (a multiple of 12) with zero weights and exponents.
 */
interface PlacedLinear {
  readonly out: number;
  readonly in: number;
  readonly kp: number;
  readonly np: number;
  readonly q: number;
  readonly exp: number;
}

interface PlacedLayer {
  /** The conv kernel in tap pairs ({@link packConv}). */
  readonly convPairs: number;
  readonly convExp: number;
  /** wz and wh stacked: one product of the shared input gives k and u. */
  readonly wzh: PlacedLinear;
  readonly wo: PlacedLinear;
  readonly wq: PlacedLinear;
  readonly keys: PlacedLinear;
  readonly values: PlacedLinear;
  /** w1 and w3 stacked: one product of the shared input gives a and b. */
  readonly w13: PlacedLinear;
  readonly w2: PlacedLinear;
}

const PAGE = 65536;
/** Rows per gemm tile, outputs per weight group, input values per unrolled step (forward.wat). */
const TILE_ROWS = 3, GROUP = 12, K_STEP = 16;
/** Outputs per block of the linear kernel (its accumulators are [rows, OUT_BLOCK]). */
const OUT_BLOCK = 48;
const padTo = (v: number, m: number) => Math.ceil(v / m) * m;

/**
 * The weights of `w` in the gemm kernel's layout: groups of 12 outputs (np = outputs rounded up
 * to 12, the extra ones zero); in a group, for each input pair (i, i+1) of kp (inputs rounded up
 * to 16, zero-padded), three vectors of 8 int16 holding [w[o, i], w[o, i+1]] for four outputs o.
 */
export function packLinear(w: QLinear): Int16Array {
  const kp = padTo(w.in, K_STEP), np = padTo(w.out, GROUP);
  const packed = new Int16Array(np * kp);
  for (let o = 0; o < w.out; o++) {
    const g = Math.floor(o / GROUP), c = Math.floor((o % GROUP) / 4), j = o % 4;
    const base = g * GROUP * kp + c * 8 + j * 2;
    for (let i = 0; i < w.in; i++) {
      packed[base + (i >> 1) * 3 * 8 + (i & 1)] = w.q[o * w.in + i]!;
    }
  }
  return packed;
}

/** Tap pairs of the folded conv kernel: 63 taps and a zero 64th. */
const CONV_PAIRS = 32;

/**
 * The conv kernel q (`[63, d]`, tap j of channel c at j·d + c) as int16 pairs for the conv
 * kernel: pair jp of channel c at (jp·dp + c)·2 holds taps 2jp and 2jp + 1 (tap 63 zero); dp is
 * d rounded up to 4 (zero channels).
 */
export function packConv(q: ArrayLike<number>, d: number): Int16Array {
  const dp = padTo(d, 4), out = new Int16Array(CONV_PAIRS * dp * 2);
  for (let j = 0; j < CONV_TAPS; j++) {
    for (let c = 0; c < d; c++) out[((j >> 1) * dp + c) * 2 + (j & 1)] = q[j * d + c]!;
  }
  return out;
}

/** `a` and `b` (same input width) stacked into one matrix: a's outputs, then b's. */
function stack(a: QLinear, b: QLinear): QLinear {
  const q = new Int16Array(a.q.length + b.q.length), exp = new Int32Array(a.out + b.out);
  q.set(a.q);
  q.set(b.q, a.q.length);
  exp.set(a.exp);
  exp.set(b.exp, a.out);
  return { out: a.out + b.out, in: a.in, q, exp };
}

/**
 * One WebAssembly instance holding one quantised model and scratch for `maxRows` rows
 * (windows × window length per call).
 */
export class WasmForward {
  readonly #k: Kernels;
  readonly #qm: QuantizedModel;
  readonly #layers: PlacedLayer[] = [];
  readonly #head: PlacedLinear;
  readonly #maxRows: number;
  readonly #sqd: number;
  #top = 1040; // after the exp2 table
  // scratch
  readonly #h: number;
  readonly #n: number;
  readonly #a: number;
  readonly #b: number;
  readonly #x: number;
  readonly #sh: number;
  readonly #acc: number;
  /** rows zero shifts: the conv's requantisation has no activation shift. */
  readonly #zeroSh: number;
  readonly #tok: number;
  readonly #out: number;
  readonly #sigmoid: number;

  constructor(qm: QuantizedModel, maxRows: number) {
    this.#k = kernelsWith(0);
    this.#qm = qm;
    this.#maxRows = maxRows;
    this.#sqd = sqrtDimQ20(qm.d);
    const d = qm.d, f = 4 * d, rp = padTo(maxRows, TILE_ROWS);
    const wide = Math.max(f, VOCAB, SLOTS);
    const accWide = Math.max(OUT_BLOCK, padTo(d, 4));
    // Reserve everything first (growing detaches views), then write.
    const placed: [QLinear, PlacedLinear][] = [];
    const lin = (w: QLinear): PlacedLinear => {
      const kp = padTo(w.in, K_STEP), np = padTo(w.out, GROUP);
      const q = this.#reserve(np * kp * 2);
      const p = { out: w.out, in: w.in, kp, np, q, exp: this.#reserve(np * 4) };
      placed.push([w, p]);
      return p;
    };
    const convs: [QuantizedModel["layers"][number]["conv"], number, number][] = [];
    for (const l of qm.layers) {
      const convPairs = this.#reserve(CONV_PAIRS * padTo(d, 4) * 4);
      const convExp = this.#reserve(d * 4);
      convs.push([l.conv, convPairs, convExp]);
      this.#layers.push({
        convPairs,
        convExp,
        wzh: lin(stack(l.wz, l.wh)),
        wo: lin(l.wo),
        wq: lin(l.wq),
        keys: lin(l.keys),
        values: lin(l.values),
        w13: lin(stack(l.w1, l.w3)),
        w2: lin(l.w2),
      });
    }
    this.#head = lin(qm.head);
    this.#h = this.#reserve(maxRows * d * 4);
    this.#n = this.#reserve(maxRows * d * 4);
    this.#a = this.#reserve(maxRows * wide * 4);
    this.#b = this.#reserve(maxRows * wide * 4);
    this.#x = this.#reserve(rp * padTo(Math.max(f, SLOTS, SLOT_KEY), K_STEP) * 2);
    this.#sh = this.#reserve(rp * 4);
    this.#acc = this.#reserve(rp * accWide * 4);
    this.#zeroSh = this.#reserve(rp * 4);
    this.#tok = this.#reserve(maxRows);
    this.#out = this.#reserve(maxRows * 8);
    this.#sigmoid = this.#reserve(65536 * 2);
    const have = this.#k.memory.buffer.byteLength;
    if (this.#top > have) this.#k.memory.grow(Math.ceil((this.#top - have) / PAGE));
    const buf = this.#k.memory.buffer;
    new Int32Array(buf, 0, EXP2_TABLE.length).set(EXP2_TABLE);
    this.#k.sigmoidTable(this.#sigmoid);
    for (const [w, p] of placed) {
      new Int16Array(buf, p.q, p.np * p.kp).set(packLinear(w));
      new Int32Array(buf, p.exp, w.out).set(w.exp);
    }
    for (const [c, q, e] of convs) {
      new Int16Array(buf, q, CONV_PAIRS * padTo(d, 4) * 2).set(packConv(c.q, d));
      new Int32Array(buf, e, d).set(c.exp);
    }
  }

  #reserve(bytes: number): number {
    const at = this.#top;
    this.#top = at + Math.ceil(bytes / 16) * 16;
    return at;
  }

  /**
   * Quantises `v` (rows of w.in values, Q_fIn), multiplies by `w` and requantises to Q_fOut:
   * outputs [0, split) into `out` (row stride split; added when residual), outputs [split, out)
   * into `out2` (row stride w.out − split).
   */
  #linear(
    w: PlacedLinear,
    v: number,
    rows: number,
    fIn: number,
    fOut: number,
    max: number,
    out: number,
    residual: boolean,
    split = w.out,
    out2 = 0,
  ): void {
    const k = this.#k, rp = padTo(rows, TILE_ROWS);
    k.quant(v, this.#x, this.#sh, rows, rp, w.in, w.kp, actBitsFor(w.in));
    k.linear(
      w.q,
      this.#x,
      this.#acc,
      rp,
      w.np,
      w.kp * 2,
      rows,
      w.out,
      w.exp,
      this.#sh,
      fIn - fOut,
      max,
      residual ? 1 : 0,
      out,
      split,
      out2,
    );
  }

  /** Per-window loss sums (Q20 nats) of `windows` windows of `time` bytes in `tokens`. */
  run(tokens: Uint8Array, windows: number, time: number): number[] {
    const rows = windows * time, d = this.#qm.d, k = this.#k;
    if (tokens.length !== rows) {
      throw new RangeError(`tokens must have ${rows} bytes, got ${tokens.length}`);
    }
    if (rows > this.#maxRows) throw new RangeError(`at most ${this.#maxRows} rows per call`);
    const buf = k.memory.buffer;
    new Uint8Array(buf, this.#tok, rows).set(tokens);
    const h = new Int32Array(buf, this.#h, rows * d);
    for (let r = 0; r < rows; r++) {
      h.set(this.#qm.embed.subarray(tokens[r]! * d, tokens[r]! * d + d), r * d);
    }
    const H = this.#h, N = this.#n, A = this.#a, B = this.#b, sqd = this.#sqd, f = 4 * d;
    for (const l of this.#layers) {
      k.rmsnorm(H, N, rows, d, sqd, 1);
      const dp = padTo(d, 4);
      k.conv(N, l.convPairs, A, this.#acc, windows, time, d, dp);
      k.requant(this.#acc, dp * 4, l.convExp, this.#zeroSh, H, d * 4, rows, d, -8, H_MAX, 1);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.wzh, N, rows, 12, 12, Q_MAX, A, false, d, B);
      k.gru(A, B, windows, time, d);
      this.#linear(l.wo, B, rows, 12, 16, H_MAX, H, true);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.wq, N, rows, 12, 12, Q_MAX, A, false);
      this.#linear(l.keys, A, rows, 12, 12, Q_MAX, B, false);
      k.softmax(B, rows, SLOTS);
      this.#linear(l.values, B, rows, 15, 16, H_MAX, H, true);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.w13, N, rows, 12, 12, Q_MAX, A, false, f, B);
      k.swiglu(A, B, rows * 4 * d);
      this.#linear(l.w2, A, rows, 12, 16, H_MAX, H, true);
    }
    k.rmsnorm(H, N, rows, d, sqd, 0);
    this.#linear(this.#head, N, rows, 12, 12, Q_MAX, A, false);
    k.loss(A, this.#tok, this.#out, windows, time);
    return Array.from(new BigInt64Array(k.memory.buffer, this.#out, windows), Number);
  }
}

/**
 * Rows per forward call: enough to amortise the kernel calls, few enough that the first call
 * (run by V8's baseline compiler while the optimised code is built) is a small share.
 */
export const ROWS_PER_CALL = 512;

/**
 * Per-window loss sums of the `windows` consecutive windows of `windowLen` bytes in `bytes`
 * (exactly windows·windowLen bytes), on one WebAssembly instance in this thread.
 */
export function wasmWindowSums(
  qm: QuantizedModel,
  bytes: Uint8Array,
  windows: number,
  windowLen: number,
  signal?: AbortSignal,
): number[] {
  const per = Math.max(1, Math.floor(ROWS_PER_CALL / windowLen));
  const fwd = new WasmForward(qm, Math.min(per, windows) * windowLen);
  const sums: number[] = [];
  for (let w0 = 0; w0 < windows; w0 += per) {
    signal?.throwIfAborted();
    const batch = Math.min(per, windows - w0);
    sums.push(
      ...fwd.run(bytes.subarray(w0 * windowLen, (w0 + batch) * windowLen), batch, windowLen),
    );
  }
  return sums;
}

/** A fresh instance of the forward module with at least `bytes` of memory. */
function kernelsWith(bytes: number): Kernels {
  compiled ??= new WebAssembly.Module(moduleBytes());
  const k = new WebAssembly.Instance(compiled, {}).exports as unknown as Kernels;
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / PAGE));
  return k;
}

/**
 * The projection kernel of `forward.wat` with an identity requantisation (exponents and shifts
 * 0, no clamp below 2^31 − 1), i.e. its products alone, as an {@link IntGemm} (a fresh instance
 * per call, so slow): lets tests hold it against the plain loop on shapes the tiles do not divide.
 */
export const wasmKernelGemm: IntGemm = {
  name: "wasm forward product kernel",
  gemm(w: QLinear, x: Int32Array, rows: number): Int32Array {
    const kp = padTo(w.in, K_STEP), np = padTo(w.out, GROUP), rp = padTo(rows, TILE_ROWS);
    // identity requantisation: exponents and shifts 0, no clamp below 2^31 − 1
    const xAt = np * kp * 2, accAt = xAt + rp * kp * 2, zeroAt = accAt + rp * OUT_BLOCK * 4;
    const outAt = zeroAt + (np + rp) * 4;
    const k = kernelsWith(outAt + rows * w.out * 4), buf = k.memory.buffer;
    new Int16Array(buf, 0, np * kp).set(packLinear(w));
    const xs = new Int16Array(buf, xAt, rp * kp);
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < w.in; i++) xs[r * kp + i] = x[r * w.in + i]!;
    }
    k.linear(
      0,
      xAt,
      accAt,
      rp,
      np,
      kp * 2,
      rows,
      w.out,
      zeroAt,
      zeroAt + np * 4,
      0,
      2 ** 31 - 1,
      0,
      outAt,
      w.out,
      0,
    );
    return new Int32Array(buf, outAt, rows * w.out).slice();
  },
};

/**
 * The requantisation kernel of `forward.wat` alone (for tests): y[r, o] =
 * shiftClamp(acc[r, o], exp[o] + fDiff − sh[r], max), added to `residual` (clamped to H_MAX)
 * when given.
 */
export function wasmRequant(
  acc: Int32Array,
  exp: Int32Array,
  sh: Int32Array,
  fDiff: number,
  max: number,
  residual?: Int32Array,
): Int32Array {
  const rows = sh.length, n = exp.length;
  const expAt = rows * n * 4, shAt = expAt + n * 4, outAt = shAt + rows * 4;
  const k = kernelsWith(outAt + rows * n * 4), buf = k.memory.buffer;
  new Int32Array(buf, 0, rows * n).set(acc);
  new Int32Array(buf, expAt, n).set(exp);
  new Int32Array(buf, shAt, rows).set(sh);
  if (residual) new Int32Array(buf, outAt, rows * n).set(residual);
  k.requant(0, n * 4, expAt, shAt, outAt, n * 4, rows, n, fDiff, max, residual ? 1 : 0);
  return new Int32Array(buf, outAt, rows * n).slice();
}

/** The σ⁺ table the forward module builds (σ⁺(y/2^12) in Q14 for y = 0..65535), for tests. */
export function wasmSigmoidTable(): Uint16Array {
  const [k] = kernelsWithSigmoid(0);
  return new Uint16Array(k.memory.buffer, 1040, 65536).slice();
}

/**
 * The activation quantisation kernel of `forward.wat` alone (for tests): `rows` rows of width
 * k to `bits`-bit integers, and each row's shift.
 */
export function wasmQuant(
  v: Int32Array,
  rows: number,
  k: number,
  bits: number,
): { x: Int32Array; sh: Int32Array } {
  const kp = padTo(k, K_STEP), rp = padTo(rows, TILE_ROWS);
  const xAt = padTo(rows * k * 4, 16), shAt = xAt + rp * kp * 2;
  const kern = kernelsWith(shAt + rp * 4), buf = kern.memory.buffer;
  new Int32Array(buf, 0, rows * k).set(v);
  new Int16Array(buf, xAt, rp * kp).fill(-1); // the kernel must write every padding value
  kern.quant(0, xAt, shAt, rows, rp, k, kp, bits);
  const xs = new Int16Array(buf, xAt, rp * kp), x = new Int32Array(rp * kp);
  x.set(xs);
  return { x, sh: new Int32Array(buf, shAt, rp).slice() };
}

/**
 * The RMSNorm kernel of `forward.wat` alone (for tests): `rows` rows of width d (Q16) to Q12,
 * or to the conv input (Q8) when `conv`.
 */
export function wasmRmsnorm(h: Int32Array, rows: number, d: number, conv: boolean): Int32Array {
  const outAt = padTo(rows * d * 4, 16);
  const k = kernelsWith(outAt + rows * d * 4), buf = k.memory.buffer;
  new Int32Array(buf, 0, rows * d).set(h);
  k.rmsnorm(0, outAt, rows, d, sqrtDimQ20(d), conv ? 1 : 0);
  return new Int32Array(buf, outAt, rows * d).slice();
}

/**
 * The conv product kernel of `forward.wat` alone (for tests): acc[row, c] =
 * Σ_{j ≤ min(t, 62)} q[j·d + c]·n[row − j, c] over `windows` windows of `time` rows.
 */
export function wasmConvProducts(
  n: Int32Array,
  q: ArrayLike<number>,
  windows: number,
  time: number,
  d: number,
): Int32Array {
  const rows = windows * time, dp = padTo(d, 4);
  const kAt = padTo(rows * d * 4, 16), pairsAt = kAt + CONV_PAIRS * dp * 4;
  const accAt = pairsAt + rows * dp * 4;
  const k = kernelsWith(accAt + rows * dp * 4), buf = k.memory.buffer;
  new Int32Array(buf, 0, rows * d).set(n);
  new Int16Array(buf, kAt, CONV_PAIRS * dp * 2).set(packConv(q, d));
  k.conv(0, kAt, pairsAt, accAt, windows, time, d, dp);
  const acc = new Int32Array(buf, accAt, rows * dp), out = new Int32Array(rows * d);
  for (let r = 0; r < rows; r++) out.set(acc.subarray(r * dp, r * dp + d), r * d);
  return out;
}

/** A forward-module instance with the σ⁺ table in place and `bytes` free from the returned base. */
function kernelsWithSigmoid(bytes: number): [Kernels, number] {
  const base = 1040 + 65536 * 2, k = kernelsWith(base + bytes);
  new Int32Array(k.memory.buffer, 0, EXP2_TABLE.length).set(EXP2_TABLE);
  k.sigmoidTable(1040);
  return [k, base];
}

/** The SwiGLU kernel of `forward.wat` alone (for tests): rshr(rshr(a·σ(a), 14)·b, 12). */
export function wasmSwiglu(a: Int32Array, b: Int32Array): Int32Array {
  const n = a.length;
  const [k, at] = kernelsWithSigmoid(n * 8), buf = k.memory.buffer;
  new Int32Array(buf, at, n).set(a);
  new Int32Array(buf, at + n * 4, n).set(b);
  k.swiglu(at, at + n * 4, n);
  return new Int32Array(buf, at, n).slice();
}

/**
 * The minGRU kernel of `forward.wat` alone (for tests): the states of `windows` windows of
 * `time` rows of width d from the gate and candidate pre-activations k and u (Q12).
 */
export function wasmGru(
  kq: Int32Array,
  u: Int32Array,
  windows: number,
  time: number,
  d: number,
): Int32Array {
  const n = kq.length;
  const [k, at] = kernelsWithSigmoid(n * 8), buf = k.memory.buffer;
  new Int32Array(buf, at, n).set(kq);
  new Int32Array(buf, at + n * 4, n).set(u);
  k.gru(at, at + n * 4, windows, time, d);
  return new Int32Array(buf, at + n * 4, n).slice();
}

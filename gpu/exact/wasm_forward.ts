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
import { actBitsFor, sqrtDimQ20 } from "./forward.ts";
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
  gemm(w: number, x: number, out: number, rows: number, n: number, kb: number): void;
  requant(
    acc: number,
    exp: number,
    sh: number,
    out: number,
    rows: number,
    n: number,
    fDiff: number,
    max: number,
    residual: number,
  ): void;
  conv(
    n: number,
    cq: number,
    cexp: number,
    h: number,
    tmp: number,
    windows: number,
    time: number,
    d: number,
  ): void;
  gru(k: number, u: number, windows: number, time: number, d: number): void;
  softmax(sc: number, rows: number, slots: number): void;
  swiglu(a: number, b: number, count: number): void;
  loss(lg: number, tok: number, out: number, windows: number, time: number): void;
}

/** A matrix placed in memory: int16 rows padded to kp (a multiple of 8), exponents as int32. */
interface PlacedLinear {
  readonly out: number;
  readonly in: number;
  readonly kp: number;
  readonly q: number;
  readonly exp: number;
}

interface PlacedLayer {
  readonly convQ: number;
  readonly convExp: number;
  readonly wz: PlacedLinear;
  readonly wh: PlacedLinear;
  readonly wo: PlacedLinear;
  readonly wq: PlacedLinear;
  readonly keys: PlacedLinear;
  readonly values: PlacedLinear;
  readonly w1: PlacedLinear;
  readonly w3: PlacedLinear;
  readonly w2: PlacedLinear;
}

const PAGE = 65536;
const pad8 = (k: number) => Math.ceil(k / 8) * 8;

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
  readonly #tmp: number;
  readonly #tok: number;
  readonly #out: number;

  constructor(qm: QuantizedModel, maxRows: number) {
    compiled ??= new WebAssembly.Module(moduleBytes());
    this.#k = new WebAssembly.Instance(compiled, {}).exports as unknown as Kernels;
    this.#qm = qm;
    this.#maxRows = maxRows;
    this.#sqd = sqrtDimQ20(qm.d);
    const d = qm.d, f = 4 * d, rp = Math.ceil(maxRows / 4) * 4;
    const wide = Math.max(f, VOCAB, SLOTS);
    // Reserve everything first (growing detaches views), then write.
    const placed: [QLinear, PlacedLinear][] = [];
    const lin = (w: QLinear): PlacedLinear => {
      const kp = pad8(w.in);
      const q = this.#reserve(w.out * kp * 2);
      const p = { out: w.out, in: w.in, kp, q, exp: this.#reserve(w.out * 4) };
      placed.push([w, p]);
      return p;
    };
    const convs: [QuantizedModel["layers"][number]["conv"], number, number][] = [];
    for (const l of qm.layers) {
      const convQ = this.#reserve(CONV_TAPS * d * 4), convExp = this.#reserve(d * 4);
      convs.push([l.conv, convQ, convExp]);
      this.#layers.push({
        convQ,
        convExp,
        wz: lin(l.wz),
        wh: lin(l.wh),
        wo: lin(l.wo),
        wq: lin(l.wq),
        keys: lin(l.keys),
        values: lin(l.values),
        w1: lin(l.w1),
        w3: lin(l.w3),
        w2: lin(l.w2),
      });
    }
    this.#head = lin(qm.head);
    this.#h = this.#reserve(maxRows * d * 4);
    this.#n = this.#reserve(maxRows * d * 4);
    this.#a = this.#reserve(maxRows * wide * 4);
    this.#b = this.#reserve(maxRows * wide * 4);
    this.#x = this.#reserve(rp * pad8(Math.max(f, SLOTS, SLOT_KEY)) * 2);
    this.#sh = this.#reserve(rp * 4);
    this.#acc = this.#reserve(rp * wide * 4);
    this.#tmp = this.#reserve(d * 4);
    this.#tok = this.#reserve(maxRows);
    this.#out = this.#reserve(maxRows * 8);
    const have = this.#k.memory.buffer.byteLength;
    if (this.#top > have) this.#k.memory.grow(Math.ceil((this.#top - have) / PAGE));
    const buf = this.#k.memory.buffer;
    new Int32Array(buf, 0, EXP2_TABLE.length).set(EXP2_TABLE);
    for (const [w, p] of placed) {
      const view = new Int16Array(buf, p.q, w.out * p.kp);
      for (let o = 0; o < w.out; o++) view.set(w.q.subarray(o * w.in, (o + 1) * w.in), o * p.kp);
      new Int32Array(buf, p.exp, w.out).set(w.exp);
    }
    for (const [c, q, e] of convs) {
      new Int32Array(buf, q, CONV_TAPS * d).set(c.q);
      new Int32Array(buf, e, d).set(c.exp);
    }
  }

  #reserve(bytes: number): number {
    const at = this.#top;
    this.#top = at + Math.ceil(bytes / 16) * 16;
    return at;
  }

  /** Quantises `v` (Q_fIn), multiplies by `w`, writes Q_fOut to `out` (added when residual). */
  #linear(
    w: PlacedLinear,
    v: number,
    rows: number,
    fIn: number,
    fOut: number,
    max: number,
    out: number,
    residual: boolean,
  ): void {
    const k = this.#k, rp = Math.ceil(rows / 4) * 4;
    k.quant(v, this.#x, this.#sh, rows, rp, w.in, w.kp, actBitsFor(w.in));
    k.gemm(w.q, this.#x, this.#acc, rp, w.out, w.kp * 2);
    k.requant(this.#acc, w.exp, this.#sh, out, rows, w.out, fIn - fOut, max, residual ? 1 : 0);
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
    const H = this.#h, N = this.#n, A = this.#a, B = this.#b, sqd = this.#sqd;
    for (const l of this.#layers) {
      k.rmsnorm(H, N, rows, d, sqd, 1);
      k.conv(N, l.convQ, l.convExp, H, this.#tmp, windows, time, d);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.wz, N, rows, 12, 12, Q_MAX, A, false);
      this.#linear(l.wh, N, rows, 12, 12, Q_MAX, B, false);
      k.gru(A, B, windows, time, d);
      this.#linear(l.wo, B, rows, 12, 16, H_MAX, H, true);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.wq, N, rows, 12, 12, Q_MAX, A, false);
      this.#linear(l.keys, A, rows, 12, 12, Q_MAX, B, false);
      k.softmax(B, rows, SLOTS);
      this.#linear(l.values, B, rows, 15, 16, H_MAX, H, true);
      k.rmsnorm(H, N, rows, d, sqd, 0);
      this.#linear(l.w1, N, rows, 12, 12, Q_MAX, A, false);
      this.#linear(l.w3, N, rows, 12, 12, Q_MAX, B, false);
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

/**
 * The WebAssembly SIMD engine of the exact evaluator: the integer products run in `gemm.wat`
 * (`i32x4.dot_i16x8_s`, 8 int16 products per instruction into int32 lanes), everything else in
 * the shared integer forward pass. Each engine owns one WebAssembly instance whose memory holds
 * the padded int16 weights of the model it has seen, so make one engine per evaluation.
 *
 * @module
 */
import { base64 } from "@scure/base";
import type { IntGemm } from "./forward.ts";
import { GEMM_WASM_BASE64 } from "./gemm_wasm_bytes.ts";
import type { QLinear } from "./quantize.ts";

let compiled: WebAssembly.Module | undefined;

function kernelBytes(): Uint8Array<ArrayBuffer> {
  return new Uint8Array(base64.decode(GEMM_WASM_BASE64));
}

/** Whether this runtime validates the SIMD kernel (WebAssembly SIMD is present). */
export function wasmSimdAvailable(): boolean {
  try {
    return WebAssembly.validate(kernelBytes());
  } catch {
    return false;
  }
}

const PAGE = 65536;

type GemmFn = (w: number, x: number, out: number, rows: number, n: number, kb: number) => void;

/** The engine; see the module doc. */
export class WasmGemm implements IntGemm {
  readonly name = "wasm simd";
  readonly #memory: WebAssembly.Memory;
  readonly #gemm: GemmFn;
  readonly #weights = new WeakMap<QLinear, number>();
  #top = 0;

  constructor() {
    compiled ??= new WebAssembly.Module(kernelBytes());
    const instance = new WebAssembly.Instance(compiled, {});
    this.#memory = instance.exports.memory as WebAssembly.Memory;
    this.#gemm = instance.exports.gemm as GemmFn;
  }

  #reserve(bytes: number): number {
    const at = this.#top;
    const end = at + Math.ceil(bytes / 16) * 16;
    const have = this.#memory.buffer.byteLength;
    if (end > have) this.#memory.grow(Math.ceil((end - have) / PAGE));
    this.#top = end;
    return at;
  }

  #weightsOf(w: QLinear, kp: number): number {
    let at = this.#weights.get(w);
    if (at === undefined) {
      at = this.#reserve(w.out * kp * 2);
      const view = new Int16Array(this.#memory.buffer, at, w.out * kp);
      for (let o = 0; o < w.out; o++) view.set(w.q.subarray(o * w.in, (o + 1) * w.in), o * kp);
      this.#weights.set(w, at);
    }
    return at;
  }

  gemm(w: QLinear, x: Int32Array, rows: number): Int32Array {
    const k = w.in, n = w.out, kp = Math.ceil(k / 8) * 8, rp = Math.ceil(rows / 4) * 4;
    const wAt = this.#weightsOf(w, kp);
    const mark = this.#top;
    const xAt = this.#reserve(rp * kp * 2), outAt = this.#reserve(rp * n * 4);
    const xv = new Int16Array(this.#memory.buffer, xAt, rp * kp);
    xv.fill(0);
    for (let r = 0; r < rows; r++) {
      const row = x.subarray(r * k, (r + 1) * k);
      for (let i = 0; i < k; i++) xv[r * kp + i] = row[i]!;
    }
    this.#gemm(wAt, xAt, outAt, rp, n, kp * 2);
    const out = new Int32Array(this.#memory.buffer, outAt, rows * n).slice();
    this.#top = mark; // scratch is released; weights stay
    return out;
  }
}

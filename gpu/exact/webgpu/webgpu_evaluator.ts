/**
 * The WebGPU path of the exact consensus evaluator (PROTOCOL.md §3.10): the whole integer
 * forward pass and per-window loss in WGSL (`kernels.ts`), from the same host-side
 * {@link QuantizedModel} as the CPU and WASM paths, so it returns the same integers.
 *
 * Speed: on Deno every wait for the queue costs ~11 ms, so windows are batched into submits of
 * up to {@link MAX_ROWS} rows that are recorded and submitted without waiting, and the
 * per-window sums (two u32 words each) are read back once, after the last submit.
 *
 * @module
 */
import type { Checkpoint } from "../../../core/checkpoint/checkpoint.ts";
import { FFN_MULT, SLOT_KEY, SLOTS, VOCAB } from "../../../core/checkpoint/model_config.ts";
import { CommandBatch, createStorage, type GpuContext, readStorage } from "../../device.ts";
import { grid1d } from "../../kernels/elementwise.ts";
import type { ExactEvaluator } from "../evaluator.ts";
import { windowCount } from "../windows.ts";
import { actBitsFor, sqrtDimQ20 } from "../forward.ts";
import { EXP2_TABLE, H_MAX, Q_MAX } from "../primitives.ts";
import { type QLinear, quantizeCheckpoint, type QuantizedModel } from "../quantize.ts";
import {
  CONV_NORM_WGSL,
  CONV_STEPS,
  CONV_WGSL,
  EMBED_WGSL,
  gemmChunk,
  gemmTile,
  gemmWgsl,
  GRU_WGSL,
  LOSS_WGSL,
  quantizeWgsl,
  SOFTMAX_WGSL,
  SWIGLU_WGSL,
  WINDOW_SUM_WGSL,
} from "./kernels.ts";

/** Largest number of rows (window positions) per submit. */
export const MAX_ROWS = 8192;
/** Largest activation buffer (bytes) a submit may use; bounds rows for wide models. */
const MAX_ACTIVATION_BYTES = 64 * 2 ** 20;

/** Whether WGSL here has `dot4I8Packed` (the `packed_4x8_integer_dot_product` feature). */
export function packedDotAvailable(): boolean {
  const features = (navigator.gpu as { wgslLanguageFeatures?: ReadonlySet<string> } | undefined)
    ?.wgslLanguageFeatures;
  return features?.has("packed_4x8_integer_dot_product") ?? false;
}

/** Options of {@link WebGpuExactEvaluator}. */
export interface WebGpuExactOptions {
  /**
   * Use the `dot4I8Packed` products (default: when WGSL has them). `false` forces the
   * plain-integer products; both give the same integers.
   */
  readonly packed?: boolean;
  /**
   * Read the plain products' operands from textures (default: when the model and rows fit the
   * adapter's 2-D texture limit). `false` forces storage buffers; both give the same integers.
   */
  readonly textures?: boolean;
}

const pad4 = (k: number) => Math.ceil(k / 4) * 4;
const pad8 = (k: number) => Math.ceil(k / 8) * 8;

/** Splits an integer |v| ≤ 1023 into signed limbs v = 128·hi + lo, lo ∈ [−64, 63]. */
function limbs(v: number): [number, number] {
  const lo = ((v + 64) & 127) - 64;
  return [(v - lo) / 128, lo];
}

interface GpuLinear {
  readonly w: GPUBuffer | GPUTextureView;
  readonly exp: GPUBuffer;
  readonly out: number;
  readonly in: number;
}

/** The integer model on the device: weight buffers in the layout of the chosen products. */
class DeviceModel {
  readonly #buffers: (GPUBuffer | GPUTexture)[] = [];
  readonly embed: GPUBuffer;
  readonly exp2: GPUBuffer;
  readonly layers: {
    conv: { q: GPUBuffer; exp: GPUBuffer };
    wz: GpuLinear;
    wh: GpuLinear;
    wo: GpuLinear;
    wq: GpuLinear;
    keys: GpuLinear;
    values: GpuLinear;
    w1: GpuLinear;
    w3: GpuLinear;
    w2: GpuLinear;
  }[];
  readonly head: GpuLinear;

  constructor(
    readonly gpu: GpuContext,
    qm: QuantizedModel,
    readonly packed: boolean,
    readonly textures: boolean,
  ) {
    this.embed = this.#upload(qm.embed);
    const table = new Uint32Array(260);
    table.set(EXP2_TABLE);
    this.exp2 = gpu.device.createBuffer({
      size: table.byteLength,
      usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST,
    });
    gpu.device.queue.writeBuffer(this.exp2, 0, table);
    this.#buffers.push(this.exp2);
    this.layers = qm.layers.map((l) => ({
      conv: { q: this.#upload(Int32Array.from(l.conv.q)), exp: this.#upload(l.conv.exp) },
      wz: this.#linear(l.wz),
      wh: this.#linear(l.wh),
      wo: this.#linear(l.wo),
      wq: this.#linear(l.wq),
      keys: this.#linear(l.keys),
      values: this.#linear(l.values),
      w1: this.#linear(l.w1),
      w3: this.#linear(l.w3),
      w2: this.#linear(l.w2),
    }));
    this.head = this.#linear(qm.head);
  }

  #upload(data: Int32Array | Uint32Array): GPUBuffer {
    const b = createStorage(this.gpu, data);
    this.#buffers.push(b);
    return b;
  }

  #linear(l: QLinear): GpuLinear {
    const kPad = pad4(l.in);
    let w: Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>;
    if (this.packed) {
      // Per 4 values of k: the hi, lo and hi + lo limbs as 4 signed bytes each.
      const k4 = kPad / 4;
      w = new Uint32Array(l.out * k4 * 3);
      for (let o = 0; o < l.out; o++) {
        for (let c = 0; c < k4; c++) {
          let hi = 0, lo = 0, sum = 0;
          for (let b = 0; b < 4; b++) {
            const i = 4 * c + b;
            const [h, lw] = limbs(i < l.in ? l.q[o * l.in + i]! : 0);
            hi |= (h & 255) << (8 * b);
            lo |= (lw & 255) << (8 * b);
            sum |= ((h + lw) & 255) << (8 * b);
          }
          const at = (o * k4 + c) * 3;
          w[at] = hi;
          w[at + 1] = lo;
          w[at + 2] = sum;
        }
      }
    } else {
      // int16 pairs, the even k in the low half, zero padding to a multiple of 8.
      const k2 = pad8(l.in) / 2;
      w = new Uint32Array(l.out * k2);
      for (let o = 0; o < l.out; o++) {
        for (let i = 0; i < l.in; i++) {
          w[o * k2 + (i >> 1)]! |= (l.q[o * l.in + i]! & 0xffff) << (16 * (i & 1));
        }
      }
    }
    const exp = this.#upload(l.exp);
    if (!this.textures) return { w: this.#upload(w), exp, out: l.out, in: l.in };
    // One rgba32uint texel = 8 int16 values of k; row o of the texture = output o.
    const width = pad8(l.in) / 8;
    const texture = this.gpu.device.createTexture({
      size: [width, l.out],
      format: "rgba32uint",
      usage: GPUTextureUsage.TEXTURE_BINDING | GPUTextureUsage.COPY_DST,
    });
    this.#buffers.push(texture);
    this.gpu.device.queue.writeTexture({ texture }, w, { bytesPerRow: width * 16 }, [
      width,
      l.out,
    ]);
    return { w: texture.createView(), exp, out: l.out, in: l.in };
  }

  destroy(): void {
    for (const b of this.#buffers) b.destroy();
  }
}

/** Scratch buffers of one submit's rows. */
class Scratch {
  readonly buffers: GPUBuffer[];
  readonly #texture: GPUTexture | undefined;
  /** The quantised activations: a buffer, or a texture view in texture mode. */
  readonly x: GPUBuffer | GPUTextureView;
  constructor(
    gpu: GpuContext,
    rows: number,
    d: number,
    wide: number,
    kMax: number,
    packed: boolean,
    windows: number,
    textures: boolean,
  ) {
    const i32 = (n: number) => createStorage(gpu, n * 4);
    this.buffers = [
      i32(rows * d), // h
      i32(rows * d), // norm output
      i32(rows * wide), // a: k/s, q, p, w1 output / m, logits
      i32(rows * wide), // b: u, scores, w3 output
      // quantised activations (unused in texture mode)
      i32(textures ? 1 : packed ? rows * (pad4(kMax) / 4) * 3 : rows * pad8(kMax) / 2),
      i32(rows), // row shifts
      i32(rows), // position losses
      i32(rows), // tokens
      i32(2 * windows), // window sums
    ];
    if (textures) {
      this.#texture = gpu.device.createTexture({
        size: [pad8(kMax) / 8, rows],
        format: "rgba32uint",
        usage: GPUTextureUsage.STORAGE_BINDING | GPUTextureUsage.TEXTURE_BINDING,
      });
      this.x = this.#texture.createView();
    } else {
      this.x = this.buffers[4]!;
    }
  }
  get h() {
    return this.buffers[0]!;
  }
  get norm() {
    return this.buffers[1]!;
  }
  get a() {
    return this.buffers[2]!;
  }
  get b() {
    return this.buffers[3]!;
  }
  get sh() {
    return this.buffers[5]!;
  }
  get loss() {
    return this.buffers[6]!;
  }
  get tokens() {
    return this.buffers[7]!;
  }
  get sums() {
    return this.buffers[8]!;
  }
  destroy(): void {
    for (const b of this.buffers) b.destroy();
    this.#texture?.destroy();
  }
}

/** Records the forward pass and losses of `batch` windows of `time` rows into `b`. */
class Recorder {
  readonly #gemm: string;
  readonly #quant: string;
  readonly #normQuant: string;
  readonly #sqd: number;
  constructor(readonly m: DeviceModel, readonly s: Scratch, readonly d: number) {
    this.#gemm = gemmWgsl(m.packed, m.textures);
    this.#quant = quantizeWgsl(m.packed, false, m.textures);
    this.#normQuant = quantizeWgsl(m.packed, true, m.textures);
    this.#sqd = sqrtDimQ20(d);
  }

  /** Quantises `[rows, k]` of `v` into the activation buffer (§3.10.3). */
  quantize(b: CommandBatch, v: GPUBuffer, rows: number, k: number): void {
    b.dispatch(this.#quant, [v, this.s.x, this.s.sh], grid1d(rows), [
      rows,
      k,
      this.m.packed ? pad4(k) : pad8(k),
      actBitsFor(k),
      0,
    ]);
  }

  /** Quantises RMSNorm(h) (never stored) into the activation buffer. */
  normQuantize(b: CommandBatch, rows: number): void {
    const d = this.d;
    b.dispatch(this.#normQuant, [this.s.h, this.s.x, this.s.sh], grid1d(rows), [
      rows,
      d,
      this.m.packed ? pad4(d) : pad8(d),
      actBitsFor(d),
      this.#sqd,
    ]);
  }

  /** out = shift(w·x) (or h += it when `residual`), from the quantised activations. */
  product(
    b: CommandBatch,
    w: GpuLinear,
    out: GPUBuffer,
    rows: number,
    fIn: number,
    fOut: number,
    max: number,
    residual = false,
  ): void {
    const [tm, tn] = gemmTile(this.m.packed), chunk = gemmChunk(this.m.packed);
    const tiles = Math.ceil(rows / tm) * Math.ceil(w.out / tn);
    b.dispatch(this.#gemm, [out, this.s.x, w.w, w.exp, this.s.sh], grid1d(tiles), [
      rows,
      Math.ceil(w.in / chunk),
      w.out,
      fIn - fOut,
      max,
      residual ? 1 : 0,
    ]);
  }

  record(b: CommandBatch, batch: number, time: number, first: number): void {
    const { s, m, d } = this, rows = batch * time;
    b.dispatch(EMBED_WGSL, [s.h, m.embed, s.tokens], grid1d(rows * d), [rows * d, d]);
    for (const l of m.layers) {
      b.dispatch(CONV_NORM_WGSL, [s.h, s.norm], grid1d(rows), [rows, d, this.#sqd]);
      const blocks = Math.ceil(time / CONV_STEPS), convThreads = batch * blocks * d;
      b.dispatch(CONV_WGSL, [s.h, s.norm, l.conv.q, l.conv.exp], grid1d(convThreads), [
        convThreads,
        d,
        time,
        blocks,
      ]);
      this.normQuantize(b, rows);
      this.product(b, l.wz, s.a, rows, 12, 12, Q_MAX);
      this.product(b, l.wh, s.b, rows, 12, 12, Q_MAX);
      b.dispatch(GRU_WGSL, [s.a, s.b, m.exp2], grid1d(batch * d), [batch * d, d, time]);
      this.quantize(b, s.a, rows, d);
      this.product(b, l.wo, s.h, rows, 12, 16, H_MAX, true);
      this.normQuantize(b, rows);
      this.product(b, l.wq, s.a, rows, 12, 12, Q_MAX);
      this.quantize(b, s.a, rows, SLOT_KEY);
      this.product(b, l.keys, s.b, rows, 12, 12, Q_MAX);
      b.dispatch(SOFTMAX_WGSL, [s.a, s.b, m.exp2], grid1d(rows), [rows]);
      this.quantize(b, s.a, rows, SLOTS);
      this.product(b, l.values, s.h, rows, 15, 16, H_MAX, true);
      this.normQuantize(b, rows);
      this.product(b, l.w1, s.a, rows, 12, 12, Q_MAX);
      this.product(b, l.w3, s.b, rows, 12, 12, Q_MAX);
      b.dispatch(SWIGLU_WGSL, [s.a, s.b, m.exp2], grid1d(rows * l.w1.out), [rows * l.w1.out]);
      this.quantize(b, s.a, rows, l.w1.out);
      this.product(b, l.w2, s.h, rows, 12, 16, H_MAX, true);
    }
    this.normQuantize(b, rows);
    this.product(b, m.head, s.a, rows, 12, 12, Q_MAX);
    b.dispatch(LOSS_WGSL, [s.loss, s.a, s.tokens, m.exp2], grid1d(rows), [rows, time]);
    b.dispatch(WINDOW_SUM_WGSL, [s.sums, s.loss], grid1d(batch), [batch, time, first]);
  }
}

/**
 * The exact evaluator on WebGPU. Its `name` says the adapter and which products run, e.g.
 * "exact webgpu (llvmpipe (LLVM 15.0.6, 256 bits), dot4I8Packed)".
 */
export class WebGpuExactEvaluator implements ExactEvaluator {
  readonly name: string;
  readonly packed: boolean;
  readonly #gpu: GpuContext;
  readonly #textures: boolean | undefined;

  constructor(gpu: GpuContext, options: WebGpuExactOptions = {}) {
    const available = packedDotAvailable();
    if (options.packed && !available) {
      throw new Error("WGSL here has no packed_4x8_integer_dot_product (dot4I8Packed)");
    }
    this.#gpu = gpu;
    this.packed = options.packed ?? (available && !gpu.isFallback);
    if (this.packed && options.textures) {
      throw new Error("Texture operands are for the plain-integer products only");
    }
    this.#textures = this.packed ? false : options.textures;
    this.name = `exact webgpu (${gpu.adapterName}, ${
      this.packed
        ? "dot4I8Packed"
        : this.#textures === false
        ? "plain integer"
        : "plain integer, textures"
    })`;
  }

  async evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    signal?.throwIfAborted();
    const windows = windowCount(bytes, windowLen);
    if (windowLen > MAX_ROWS) {
      throw new RangeError(`Window length must be at most ${MAX_ROWS}, got ${windowLen}`);
    }
    const qm = quantizeCheckpoint(checkpoint);
    const d = qm.d, f = FFN_MULT * d, wide = Math.max(f, VOCAB, SLOTS);
    const rowsCap = Math.min(MAX_ROWS, Math.floor(MAX_ACTIVATION_BYTES / (4 * wide)));
    const per = Math.max(1, Math.min(windows, Math.floor(rowsCap / windowLen)));
    const gpu = this.#gpu, kMax = Math.max(f, d);
    const limit = gpu.device.limits.maxTextureDimension2D;
    const fits = per * windowLen <= limit && f <= limit && pad8(kMax) / 8 <= limit;
    if (this.#textures && !fits) {
      throw new RangeError(`This model or window exceeds the 2-D texture limit ${limit}`);
    }
    const textures = !this.packed && (this.#textures ?? fits);
    // A kernel or buffer the device rejects would leave zeros behind, not an error: catch
    // validation and memory errors of this evaluation and refuse to return a result.
    gpu.device.pushErrorScope("out-of-memory");
    gpu.device.pushErrorScope("validation");
    let model: DeviceModel | undefined, scratch: Scratch | undefined;
    let words: Uint32Array, gpuError: GPUError | null = null;
    try {
      model = new DeviceModel(gpu, qm, this.packed, textures);
      scratch = new Scratch(gpu, per * windowLen, d, wide, kMax, this.packed, windows, textures);
      const rec = new Recorder(model, scratch, d);
      for (let first = 0; first < windows; first += per) {
        signal?.throwIfAborted();
        const batch = Math.min(per, windows - first);
        const tokens = Uint32Array.from(
          bytes.subarray(first * windowLen, (first + batch) * windowLen),
        );
        gpu.device.queue.writeBuffer(scratch.tokens, 0, tokens);
        const b = new CommandBatch(gpu);
        rec.record(b, batch, windowLen, first);
        b.submit();
      }
      words = new Uint32Array(await readStorage(gpu, scratch.sums, windows * 8));
    } finally {
      const invalid = await gpu.device.popErrorScope();
      const oom = await gpu.device.popErrorScope();
      scratch?.destroy();
      model?.destroy();
      gpuError = invalid ?? oom;
    }
    if (gpuError) throw new Error(`WebGPU rejected the exact evaluation: ${gpuError.message}`);
    signal?.throwIfAborted();
    const sums: number[] = [];
    for (let w = 0; w < windows; w++) sums.push(words[2 * w]! + words[2 * w + 1]! * 2 ** 32);
    return sums;
  }
}

/**
 * ResonanceNet V5 on WebGPU: parameters, gradients and AdamW moments live in one GPU buffer
 * each, laid out by `paramLayout` (every tensor a range the kernels bind); one training step
 * (forward, backward, clipping, update) is recorded into one command batch and submitted once.
 * The loss stays on the GPU and is read back only when asked.
 *
 * The op order and formulas follow PROTOCOL.md §3 and the CPU reference (`gpu/ref/model.ts`),
 * which the tests compare this against.
 *
 * @module
 */
import { type Checkpoint, getTensor } from "../../core/checkpoint/checkpoint.ts";
import { type FloatRange, type ParamLayout, paramLayout, splitRange } from "./param_layout.ts";
import {
  CONV_KERNELS,
  FFN_MULT,
  type ModelConfig,
  SLOT_KEY,
  SLOTS,
  VOCAB,
} from "../../core/checkpoint/model_config.ts";
import { allocateCheckpoint } from "../../core/checkpoint/checkpoint.ts";
import {
  type BufferRange,
  CommandBatch,
  createStorage,
  type GpuContext,
  readF32,
  writeStorage,
} from "../device.ts";
import {
  recordMatmulBackwardInput,
  recordMatmulBackwardWeight,
  recordMatmulForward,
} from "../kernels/matmul.ts";
import { recordRmsnormBackward, recordRmsnormForward } from "../kernels/rmsnorm.ts";
import { recordEmbeddingBackward, recordEmbeddingForward } from "../kernels/embedding.ts";
import { recordCrossEntropy, recordSum } from "../kernels/cross_entropy.ts";
import { recordAdamw, recordSegmentedSumSquares, recordSumSquares } from "../kernels/adamw.ts";
import { MAX_WORKGROUPS_PER_DIM, recordCopy } from "../kernels/elementwise.ts";
import { recordConvBackward, recordConvForward } from "../kernels/conv.ts";
import { recordMinGruScanBackward, recordMinGruScanForward } from "../kernels/mingru.ts";
import { recordSoftmaxBackward, recordSoftmaxForward } from "../kernels/softmax.ts";
import { recordSwigluBackward, recordSwigluForward } from "../kernels/swiglu.ts";

/** AdamW hyper-parameters (PyTorch semantics) plus global-norm clipping. */
export interface OptimizerOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
  maxGradNorm: number;
}

/** Defaults used by `rnt model train` and the miner. */
export const DEFAULT_OPTIMIZER: OptimizerOptions = {
  beta1: 0.9,
  beta2: 0.95,
  eps: 1e-8,
  weightDecay: 0.01,
  maxGradNorm: 1.0,
};

const SCALE = 1 / Math.sqrt(SLOT_KEY);

/** The four sub-blocks of a layer, in order: conv, gru, mem, ffn. */
const SUB_BLOCKS = [0, 1, 2, 3] as const;
/** Each sub-block's norm weight, by sub-block. */
const NORMS = ["conv.norm", "gru.norm", "mem.norm", "ffn.norm"] as const;
/** One buffer per sub-block. */
type PerSubBlock = [GPUBuffer, GPUBuffer, GPUBuffer, GPUBuffer];

interface LayerActivations {
  /** Residual stream at the input of each sub-block. */
  x: PerSubBlock;
  /** Normed input of each sub-block and its per-row 1/rms. */
  n: PerSubBlock;
  rstd: PerSubBlock;
  k: GPUBuffer;
  u: GPUBuffer;
  s: GPUBuffer;
  q: GPUBuffer;
  scores: GPUBuffer;
  p: GPUBuffer;
  a: GPUBuffer;
  c: GPUBuffer;
  m: GPUBuffer;
}

/** Scratch gradients of one backward pass and the sums of squares for clipping. */
interface Scratch {
  dh: GPUBuffer;
  dn: GPUBuffer;
  ds: GPUBuffer;
  dk: GPUBuffer;
  du: GPUBuffer;
  dq: GPUBuffer;
  dp: GPUBuffer;
  dscores: GPUBuffer;
  da: GPUBuffer;
  dc: GPUBuffer;
  dm: GPUBuffer;
  normParts: GPUBuffer;
  normSq: GPUBuffer;
  /** Each tensor's (first float, count) in canonical order, for the one-dispatch norm. */
  segments: GPUBuffer;
}

/** What training adds to a model: gradients and AdamW moments (laid out like the parameters). */
interface Training {
  grads: GPUBuffer;
  m: GPUBuffer;
  v: GPUBuffer;
  scratch: Scratch;
}

/** A range of `buffer` in floats, as a binding. */
function rangeOf(buffer: GPUBuffer, range: FloatRange): BufferRange {
  return { buffer, offset: range.offset * 4, size: range.length * 4 };
}

/** A model resident on the GPU, sized for batches of `batch` windows of `time` bytes. */
export class GpuModel {
  readonly gpu: GpuContext;
  readonly config: ModelConfig;
  readonly batch: number;
  readonly time: number;
  readonly rows: number;
  /** Where each tensor sits in the parameter, gradient and moment buffers. */
  readonly layout: ParamLayout;
  readonly #params: GPUBuffer;
  #training: Training | null = null;
  readonly #layers: LayerActivations[] = [];
  readonly #tokens: GPUBuffer;
  readonly #targets: GPUBuffer;
  readonly #final: GPUBuffer; // residual after the last layer
  readonly #y: GPUBuffer;
  readonly #yRstd: GPUBuffer;
  readonly #logits: GPUBuffer;
  readonly #dlogits: GPUBuffer;
  readonly #losses: GPUBuffer;
  readonly #lossSum: GPUBuffer;

  private constructor(gpu: GpuContext, checkpoint: Checkpoint, batch: number, time: number) {
    this.gpu = gpu;
    this.config = { ...checkpoint.config };
    this.batch = batch;
    this.time = time;
    this.rows = batch * time;
    this.layout = paramLayout(this.config);
    const { maxBufferSize, maxStorageBufferBindingSize: maxBinding } = gpu.device.limits;
    const bytes = this.layout.floats * 4;
    if (bytes > maxBufferSize) {
      throw new RangeError(`Parameters of ${bytes} bytes exceed the GPU's ${maxBufferSize}`);
    }
    const flat = new Float32Array(this.layout.floats);
    for (const t of this.layout.tensors) {
      if (t.length * 4 > maxBinding) {
        throw new RangeError(`Tensor ${t.name} exceeds the GPU's binding size ${maxBinding}`);
      }
      flat.set(getTensor(checkpoint, t.name), t.offset);
    }
    this.#params = createStorage(gpu, flat, "params");
    const d = this.config.dModel, f = FFN_MULT * d, N = this.rows;
    const act = (n: number, label: string) => createStorage(gpu, n * 4, label);
    const perSubBlock = (n: number, label: string): PerSubBlock => [
      act(n, `${label}.0`),
      act(n, `${label}.1`),
      act(n, `${label}.2`),
      act(n, `${label}.3`),
    ];
    for (let l = 0; l < this.config.nLayers; l++) {
      this.#layers.push({
        x: perSubBlock(N * d, `x${l}`),
        n: perSubBlock(N * d, `n${l}`),
        rstd: perSubBlock(N, `rstd${l}`),
        k: act(N * d, "k"),
        u: act(N * d, "u"),
        s: act(N * d, "s"),
        q: act(N * SLOT_KEY, "q"),
        scores: act(N * SLOTS, "scores"),
        p: act(N * SLOTS, "p"),
        a: act(N * f, "a"),
        c: act(N * f, "c"),
        m: act(N * f, "m"),
      });
    }
    this.#tokens = act(N, "tokens");
    this.#targets = act(N, "targets");
    this.#final = act(N * d, "final");
    this.#y = act(N * d, "y");
    this.#yRstd = act(N, "yRstd");
    this.#logits = act(N * VOCAB, "logits");
    this.#dlogits = act(N * VOCAB, "dlogits");
    this.#losses = act(N, "losses");
    this.#lossSum = act(1, "lossSum");
  }

  /** Uploads `checkpoint` to the GPU, with activation buffers for `batch`×`time` tokens. */
  static create(gpu: GpuContext, checkpoint: Checkpoint, batch: number, time: number): GpuModel {
    if (!Number.isInteger(batch) || batch < 1 || !Number.isInteger(time) || time < 2) {
      throw new RangeError("batch must be ≥ 1 and time ≥ 2");
    }
    return new GpuModel(gpu, checkpoint, batch, time);
  }

  /** Parameter tensor `name`, as a binding. */
  #p(name: string): BufferRange {
    return rangeOf(this.#params, this.layout.place(name));
  }

  #ensureTraining(): Training {
    if (this.#training) return this.#training;
    const d = this.config.dModel, f = FFN_MULT * d, N = this.rows;
    const bytes = this.layout.floats * 4;
    const act = (n: number) => createStorage(this.gpu, n * 4);
    const scratch: Scratch = {
      dh: act(N * d),
      dn: act(N * d),
      ds: act(N * d),
      dk: act(N * d),
      du: act(N * d),
      dq: act(N * SLOT_KEY),
      dp: act(N * SLOTS),
      dscores: act(N * SLOTS),
      da: act(N * f),
      dc: act(N * f),
      dm: act(N * f),
      normParts: act(this.layout.tensors.length),
      normSq: act(1),
      segments: createStorage(
        this.gpu,
        Uint32Array.from(this.layout.tensors.flatMap((t) => [t.offset, t.length])),
        "segments",
      ),
    };
    this.#training = {
      grads: createStorage(this.gpu, bytes, "grads"),
      m: createStorage(this.gpu, bytes, "adamw m"),
      v: createStorage(this.gpu, bytes, "adamw v"),
      scratch,
    };
    return this.#training;
  }

  /**
   * Uploads a batch: `tokens` are `batch` windows of `time` bytes; every position but the last
   * of each window predicts the next byte.
   */
  setBatch(tokens: Uint32Array): void {
    if (tokens.length !== this.rows) {
      throw new RangeError(`batch needs ${this.rows} tokens, got ${tokens.length}`);
    }
    const targets = new Int32Array(this.rows);
    targets.set(tokens.subarray(1));
    for (let b = 1; b <= this.batch; b++) targets[b * this.time - 1] = -1;
    writeStorage(this.gpu, this.#tokens, tokens);
    writeStorage(this.gpu, this.#targets, targets);
  }

  /** Number of predicted positions in one batch. */
  get predictions(): number {
    return this.batch * (this.time - 1);
  }

  /** Records the forward pass and the per-row losses (and dlogits, scaled for the mean). */
  recordForward(b: CommandBatch): void {
    const { dModel: d } = this.config, N = this.rows, T = this.time, B = this.batch;
    const f = FFN_MULT * d;
    recordEmbeddingForward(
      b,
      this.#layers[0]?.x[0] ?? this.#final,
      this.#tokens,
      this.#p("embed"),
      N,
      d,
    );
    for (const [l, L] of this.#layers.entries()) {
      const P = (n: string) => this.#p(`layers.${l}.${n}`);
      const next = this.#layers[l + 1]?.x[0] ?? this.#final;
      const outs: PerSubBlock = [L.x[1], L.x[2], L.x[3], next];
      for (const j of SUB_BLOCKS) {
        recordRmsnormForward(b, L.n[j], L.rstd[j], L.x[j], P(NORMS[j]), N, d);
        recordCopy(b, outs[j], L.x[j], N * d);
        if (j === 0) {
          const weights = CONV_KERNELS.map((k) => P(`conv.w${k}`));
          recordConvForward(b, outs[0], L.n[0], weights, P("conv.gain"), B, T, d, true);
        } else if (j === 1) {
          recordMatmulForward(b, L.k, L.n[1], P("gru.wz"), N, d, d);
          recordMatmulForward(b, L.u, L.n[1], P("gru.wh"), N, d, d);
          recordMinGruScanForward(b, L.s, L.k, L.u, B, T, d);
          recordMatmulForward(b, outs[1], L.s, P("gru.wo"), N, d, d, true);
        } else if (j === 2) {
          recordMatmulForward(b, L.q, L.n[2], P("mem.wq"), N, d, SLOT_KEY);
          recordMatmulForward(b, L.scores, L.q, P("mem.keys"), N, SLOT_KEY, SLOTS);
          recordSoftmaxForward(b, L.p, L.scores, N, SLOTS, SCALE);
          recordMatmulForward(b, outs[2], L.p, P("mem.values"), N, SLOTS, d, true);
        } else {
          recordMatmulForward(b, L.a, L.n[3], P("ffn.w1"), N, d, f);
          recordMatmulForward(b, L.c, L.n[3], P("ffn.w3"), N, d, f);
          recordSwigluForward(b, L.m, L.a, L.c, N * f);
          recordMatmulForward(b, outs[3], L.m, P("ffn.w2"), N, f, d, true);
        }
      }
    }
    recordRmsnormForward(b, this.#y, this.#yRstd, this.#final, this.#p("final_norm"), N, d);
    recordMatmulForward(b, this.#logits, this.#y, this.#p("embed"), N, d, VOCAB);
    recordCrossEntropy(
      b,
      this.#losses,
      this.#dlogits,
      this.#logits,
      this.#targets,
      N,
      VOCAB,
      1 / this.predictions,
    );
    recordSum(b, this.#lossSum, this.#losses, N);
  }

  /** Records the backward pass into the gradient buffers (each written exactly once). */
  recordBackward(b: CommandBatch): void {
    const { grads, scratch: S } = this.#ensureTraining();
    const G = (n: string) => rangeOf(grads, this.layout.place(n));
    const { dModel: d } = this.config, N = this.rows, T = this.time, B = this.batch;
    const f = FFN_MULT * d;
    // Head (tied): logits = y·Eᵀ.
    recordMatmulBackwardWeight(b, G("embed"), this.#dlogits, this.#y, N, d, VOCAB);
    recordMatmulBackwardInput(b, S.dn, this.#dlogits, this.#p("embed"), N, d, VOCAB);
    recordRmsnormBackward(
      b,
      S.dh,
      G("final_norm"),
      S.dn,
      this.#final,
      this.#p("final_norm"),
      this.#yRstd,
      N,
      d,
      false,
    );
    for (const [l, L] of [...this.#layers.entries()].reverse()) {
      const P = (n: string) => this.#p(`layers.${l}.${n}`);
      const GL = (n: string) => G(`layers.${l}.${n}`);
      // (d) SwiGLU
      recordMatmulBackwardWeight(b, GL("ffn.w2"), S.dh, L.m, N, f, d);
      recordMatmulBackwardInput(b, S.dm, S.dh, P("ffn.w2"), N, f, d);
      recordSwigluBackward(b, S.da, S.dc, S.dm, L.a, L.c, N * f);
      recordMatmulBackwardWeight(b, GL("ffn.w1"), S.da, L.n[3], N, d, f);
      recordMatmulBackwardWeight(b, GL("ffn.w3"), S.dc, L.n[3], N, d, f);
      recordMatmulBackwardInput(b, S.dn, S.da, P("ffn.w1"), N, d, f);
      recordMatmulBackwardInput(b, S.dn, S.dc, P("ffn.w3"), N, d, f, true);
      this.#normBackward(b, G, L, l, 3);
      // (c) slot memory
      recordMatmulBackwardWeight(b, GL("mem.values"), S.dh, L.p, N, SLOTS, d);
      recordMatmulBackwardInput(b, S.dp, S.dh, P("mem.values"), N, SLOTS, d);
      recordSoftmaxBackward(b, S.dscores, S.dp, L.p, N, SLOTS, SCALE);
      recordMatmulBackwardWeight(b, GL("mem.keys"), S.dscores, L.q, N, SLOT_KEY, SLOTS);
      recordMatmulBackwardInput(b, S.dq, S.dscores, P("mem.keys"), N, SLOT_KEY, SLOTS);
      recordMatmulBackwardWeight(b, GL("mem.wq"), S.dq, L.n[2], N, d, SLOT_KEY);
      recordMatmulBackwardInput(b, S.dn, S.dq, P("mem.wq"), N, d, SLOT_KEY);
      this.#normBackward(b, G, L, l, 2);
      // (b) minGRU
      recordMatmulBackwardWeight(b, GL("gru.wo"), S.dh, L.s, N, d, d);
      recordMatmulBackwardInput(b, S.ds, S.dh, P("gru.wo"), N, d, d);
      recordMinGruScanBackward(b, S.dk, S.du, S.ds, L.k, L.u, L.s, B, T, d);
      recordMatmulBackwardWeight(b, GL("gru.wz"), S.dk, L.n[1], N, d, d);
      recordMatmulBackwardWeight(b, GL("gru.wh"), S.du, L.n[1], N, d, d);
      recordMatmulBackwardInput(b, S.dn, S.dk, P("gru.wz"), N, d, d);
      recordMatmulBackwardInput(b, S.dn, S.du, P("gru.wh"), N, d, d, true);
      this.#normBackward(b, G, L, l, 1);
      // (a) convolution
      recordConvBackward(
        b,
        S.dn,
        CONV_KERNELS.map((k) => GL(`conv.w${k}`)),
        GL("conv.gain"),
        S.dh,
        L.n[0],
        CONV_KERNELS.map((k) => P(`conv.w${k}`)),
        P("conv.gain"),
        B,
        T,
        d,
      );
      this.#normBackward(b, G, L, l, 0);
    }
    recordEmbeddingBackward(b, G("embed"), S.dh, this.#tokens, N, VOCAB, d, true);
  }

  /** dh += rmsnorm′(dn): the residual path's gradient plus the sub-block's. */
  #normBackward(
    b: CommandBatch,
    G: (name: string) => BufferRange,
    L: LayerActivations,
    layer: number,
    j: 0 | 1 | 2 | 3,
  ): void {
    const S = this.#ensureTraining().scratch;
    const name = `layers.${layer}.${NORMS[j]}`;
    recordRmsnormBackward(
      b,
      S.dh,
      G(name),
      S.dn,
      L.x[j],
      this.#p(name),
      L.rstd[j],
      this.rows,
      this.config.dModel,
      true,
    );
  }

  /**
   * Records global-norm clipping and the AdamW update of every parameter: the norm² as the
   * fixed-order sum of the tensors' fixed-order sums of squares (canonical order; one dispatch
   * for all tensors when the gradient buffer fits one binding), then one AdamW dispatch per
   * decay class (each a contiguous range of the buffers, split only where it would exceed the
   * GPU's binding size).
   */
  recordUpdate(b: CommandBatch, step: number, lr: number, opt: OptimizerOptions): void {
    const { grads, m, v, scratch: S } = this.#ensureTraining();
    const maxBinding = this.gpu.device.limits.maxStorageBufferBindingSize;
    const tensors = this.layout.tensors;
    if (grads.size <= maxBinding && tensors.length <= MAX_WORKGROUPS_PER_DIM) {
      recordSegmentedSumSquares(b, S.normParts, grads, S.segments, tensors.length);
    } else {
      for (const t of tensors) {
        recordSumSquares(b, S.normParts, rangeOf(grads, t), t.length, t.index);
      }
    }
    recordSum(b, S.normSq, S.normParts, tensors.length);
    const classes = [[this.layout.decayed, opt.weightDecay], [this.layout.undecayed, 0]] as const;
    for (const [range, weightDecay] of classes) {
      for (const piece of splitRange(range, maxBinding)) {
        recordAdamw(
          b,
          rangeOf(this.#params, piece),
          rangeOf(grads, piece),
          rangeOf(m, piece),
          rangeOf(v, piece),
          S.normSq,
          piece.length,
          {
            lr,
            beta1: opt.beta1,
            beta2: opt.beta2,
            eps: opt.eps,
            weightDecay,
            step,
            maxGradNorm: opt.maxGradNorm,
          },
        );
      }
    }
  }

  /** Records and submits one full training step on the current batch (one submit). */
  trainStep(step: number, lr: number, opt: OptimizerOptions = DEFAULT_OPTIMIZER): void {
    const b = new CommandBatch(this.gpu);
    this.recordForward(b);
    this.recordBackward(b);
    this.recordUpdate(b, step, lr, opt);
    b.submit();
  }

  /** Mean loss (nats) of the last recorded forward pass; waits for the GPU. */
  async readMeanLoss(): Promise<number> {
    const [sum] = await readF32(this.gpu, this.#lossSum, 1);
    return sum! / this.predictions; // a read of one value has one value
  }

  /** Per-row losses of the last forward pass (0 for rows without a target). */
  readRowLosses(): Promise<Float32Array> {
    return readF32(this.gpu, this.#losses, this.rows);
  }

  /** Every tensor of a buffer laid out like the parameters, by name (copies). */
  async #readTensors(buffer: GPUBuffer): Promise<Map<string, Float32Array>> {
    const flat = await readF32(this.gpu, buffer, this.layout.floats);
    return new Map(
      this.layout.tensors.map((t) => [t.name, flat.slice(t.offset, t.offset + t.length)]),
    );
  }

  /** Gradients of the last backward pass, by tensor name (for tests). */
  readGradients(): Promise<Map<string, Float32Array>> {
    return this.#readTensors(this.#ensureTraining().grads);
  }

  /** Downloads the current parameters as a checkpoint. */
  async toCheckpoint(): Promise<Checkpoint> {
    const { checkpoint } = allocateCheckpoint(this.config);
    for (const [name, values] of await this.#readTensors(this.#params)) {
      getTensor(checkpoint, name).set(values);
    }
    return checkpoint;
  }

  /** Optimizer moments (m, v) by tensor name, for saving beside the checkpoint. */
  async readMoments(): Promise<{ m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    const { m, v } = this.#ensureTraining();
    return { m: await this.#readTensors(m), v: await this.#readTensors(v) };
  }

  /**
   * Restores optimizer moments saved by {@link readMoments}. Throws a RangeError, writing
   * nothing, when a tensor is missing or has the wrong length.
   */
  writeMoments(m: Map<string, Float32Array>, v: Map<string, Float32Array>): void {
    const training = this.#ensureTraining();
    const flatM = new Float32Array(this.layout.floats),
      flatV = new Float32Array(this.layout.floats);
    for (const t of this.layout.tensors) {
      const mm = m.get(t.name), vv = v.get(t.name);
      if (!mm || !vv || mm.length !== t.length || vv.length !== t.length) {
        throw new RangeError(`optimizer state for ${t.name} does not match the model`);
      }
      flatM.set(mm, t.offset);
      flatV.set(vv, t.offset);
    }
    writeStorage(this.gpu, training.m, flatM);
    writeStorage(this.gpu, training.v, flatV);
  }

  /** Frees every GPU buffer of this model. */
  destroy(): void {
    const all: GPUBuffer[] = [
      this.#params,
      ...(this.#training ? [this.#training.grads, this.#training.m, this.#training.v] : []),
      this.#tokens,
      this.#targets,
      this.#final,
      this.#y,
      this.#yRstd,
      this.#logits,
      this.#dlogits,
      this.#losses,
      this.#lossSum,
      ...Object.values(this.#training?.scratch ?? {}),
    ];
    for (const L of this.#layers) {
      all.push(...L.x, ...L.n, ...L.rstd, L.k, L.u, L.s, L.q, L.scores, L.p, L.a, L.c, L.m);
    }
    for (const buf of all) buf.destroy();
  }
}

/**
 * ResonanceNet V5 on WebGPU: parameters, gradients and AdamW moments live in GPU buffers; one
 * training step (forward, backward, clipping, update) is recorded into one command batch and
 * submitted once. The loss stays on the GPU and is read back only when asked.
 *
 * The op order and formulas follow PROTOCOL.md §3 and the CPU reference (`gpu/ref/model.ts`),
 * which the tests compare this against.
 *
 * @module
 */
import { type Checkpoint, getTensor } from "../../core/checkpoint/checkpoint.ts";
import {
  CONV_KERNELS,
  FFN_MULT,
  type ModelConfig,
  SLOT_KEY,
  SLOTS,
  tensorSpecs,
  VOCAB,
} from "../../core/checkpoint/model_config.ts";
import { allocateCheckpoint } from "../../core/checkpoint/checkpoint.ts";
import { CommandBatch, createStorage, type GpuContext, readF32, writeStorage } from "../device.ts";
import {
  recordMatmulBackwardInput,
  recordMatmulBackwardWeight,
  recordMatmulForward,
} from "../kernels/matmul.ts";
import { recordRmsnormBackward, recordRmsnormForward } from "../kernels/rmsnorm.ts";
import { recordEmbeddingBackward, recordEmbeddingForward } from "../kernels/embedding.ts";
import { recordCrossEntropy, recordSum } from "../kernels/cross_entropy.ts";
import { recordAdamw, recordSumSquares } from "../kernels/adamw.ts";
import { recordCopy } from "../kernels/elementwise.ts";
import { recordConvBackward, recordConvForward } from "../kernels/conv.ts";
import { recordMinGruScanBackward, recordMinGruScanForward } from "../kernels/mingru.ts";
import { recordSoftmaxBackward, recordSoftmaxForward } from "../kernels/softmax.ts";
import { recordSwigluBackward, recordSwigluForward } from "../kernels/swiglu.ts";
import { decaysWeight } from "../ref/model.ts";

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

/** A model resident on the GPU, sized for batches of `batch` windows of `time` bytes. */
export class GpuModel {
  readonly gpu: GpuContext;
  readonly config: ModelConfig;
  readonly batch: number;
  readonly time: number;
  readonly rows: number;
  readonly names: string[];
  readonly params = new Map<string, GPUBuffer>();
  readonly sizes = new Map<string, number>();
  #grads: Map<string, GPUBuffer> | null = null;
  #m: Map<string, GPUBuffer> | null = null;
  #v: Map<string, GPUBuffer> | null = null;
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
  #scratch: {
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
  } | null = null;

  private constructor(gpu: GpuContext, checkpoint: Checkpoint, batch: number, time: number) {
    this.gpu = gpu;
    this.config = { ...checkpoint.config };
    this.batch = batch;
    this.time = time;
    this.rows = batch * time;
    this.names = tensorSpecs(this.config).map((s) => s.name);
    for (const name of this.names) {
      const t = getTensor(checkpoint, name);
      this.params.set(name, createStorage(gpu, t, name));
      this.sizes.set(name, t.length);
    }
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

  #p(name: string): GPUBuffer {
    return this.params.get(name)!;
  }

  #ensureTraining(): void {
    if (this.#grads) return;
    const d = this.config.dModel, f = FFN_MULT * d, N = this.rows;
    const mk = (prefix: string) =>
      new Map(
        this.names.map((n) => [n, createStorage(this.gpu, this.sizes.get(n)! * 4, prefix + n)]),
      );
    this.#grads = mk("grad:");
    this.#m = mk("m:");
    this.#v = mk("v:");
    const act = (n: number) => createStorage(this.gpu, n * 4);
    this.#scratch = {
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
      normParts: act(this.names.length),
      normSq: act(1),
    };
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
    this.#ensureTraining();
    const G = (n: string) => this.#grads!.get(n)!;
    const S = this.#scratch!;
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
      this.#normBackward(b, L, l, 3);
      // (c) slot memory
      recordMatmulBackwardWeight(b, GL("mem.values"), S.dh, L.p, N, SLOTS, d);
      recordMatmulBackwardInput(b, S.dp, S.dh, P("mem.values"), N, SLOTS, d);
      recordSoftmaxBackward(b, S.dscores, S.dp, L.p, N, SLOTS, SCALE);
      recordMatmulBackwardWeight(b, GL("mem.keys"), S.dscores, L.q, N, SLOT_KEY, SLOTS);
      recordMatmulBackwardInput(b, S.dq, S.dscores, P("mem.keys"), N, SLOT_KEY, SLOTS);
      recordMatmulBackwardWeight(b, GL("mem.wq"), S.dq, L.n[2], N, d, SLOT_KEY);
      recordMatmulBackwardInput(b, S.dn, S.dq, P("mem.wq"), N, d, SLOT_KEY);
      this.#normBackward(b, L, l, 2);
      // (b) minGRU
      recordMatmulBackwardWeight(b, GL("gru.wo"), S.dh, L.s, N, d, d);
      recordMatmulBackwardInput(b, S.ds, S.dh, P("gru.wo"), N, d, d);
      recordMinGruScanBackward(b, S.dk, S.du, S.ds, L.k, L.u, L.s, B, T, d);
      recordMatmulBackwardWeight(b, GL("gru.wz"), S.dk, L.n[1], N, d, d);
      recordMatmulBackwardWeight(b, GL("gru.wh"), S.du, L.n[1], N, d, d);
      recordMatmulBackwardInput(b, S.dn, S.dk, P("gru.wz"), N, d, d);
      recordMatmulBackwardInput(b, S.dn, S.du, P("gru.wh"), N, d, d, true);
      this.#normBackward(b, L, l, 1);
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
      this.#normBackward(b, L, l, 0);
    }
    recordEmbeddingBackward(b, G("embed"), S.dh, this.#tokens, N, VOCAB, d, true);
  }

  /** dh += rmsnorm′(dn): the residual path's gradient plus the sub-block's. */
  #normBackward(b: CommandBatch, L: LayerActivations, layer: number, j: 0 | 1 | 2 | 3): void {
    const S = this.#scratch!;
    const name = `layers.${layer}.${NORMS[j]}`;
    recordRmsnormBackward(
      b,
      S.dh,
      this.#grads!.get(name)!,
      S.dn,
      L.x[j],
      this.#p(name),
      L.rstd[j],
      this.rows,
      this.config.dModel,
      true,
    );
  }

  /** Records global-norm clipping and the AdamW update of every parameter. */
  recordUpdate(b: CommandBatch, step: number, lr: number, opt: OptimizerOptions): void {
    this.#ensureTraining();
    const S = this.#scratch!;
    this.names.forEach((name, i) => {
      recordSumSquares(b, S.normParts, this.#grads!.get(name)!, this.sizes.get(name)!, i);
    });
    recordSum(b, S.normSq, S.normParts, this.names.length);
    for (const name of this.names) {
      recordAdamw(
        b,
        this.#p(name),
        this.#grads!.get(name)!,
        this.#m!.get(name)!,
        this.#v!.get(name)!,
        S.normSq,
        this.sizes.get(name)!,
        {
          lr,
          beta1: opt.beta1,
          beta2: opt.beta2,
          eps: opt.eps,
          weightDecay: decaysWeight(name) ? opt.weightDecay : 0,
          step,
          maxGradNorm: opt.maxGradNorm,
        },
      );
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

  /** Gradients of the last backward pass, by tensor name (for tests). */
  async readGradients(): Promise<Map<string, Float32Array>> {
    this.#ensureTraining();
    const out = new Map<string, Float32Array>();
    for (const name of this.names) {
      out.set(name, await readF32(this.gpu, this.#grads!.get(name)!, this.sizes.get(name)!));
    }
    return out;
  }

  /** Downloads the current parameters as a checkpoint. */
  async toCheckpoint(): Promise<Checkpoint> {
    const { checkpoint } = allocateCheckpoint(this.config);
    for (const name of this.names) {
      checkpoint.tensors.get(name)!.set(
        await readF32(this.gpu, this.#p(name), this.sizes.get(name)!),
      );
    }
    return checkpoint;
  }

  /** Optimizer moments (m, v) by tensor name, for saving beside the checkpoint. */
  async readMoments(): Promise<{ m: Map<string, Float32Array>; v: Map<string, Float32Array> }> {
    this.#ensureTraining();
    const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
    for (const name of this.names) {
      const n = this.sizes.get(name)!;
      m.set(name, await readF32(this.gpu, this.#m!.get(name)!, n));
      v.set(name, await readF32(this.gpu, this.#v!.get(name)!, n));
    }
    return { m, v };
  }

  /** Restores optimizer moments saved by {@link readMoments}. */
  writeMoments(m: Map<string, Float32Array>, v: Map<string, Float32Array>): void {
    this.#ensureTraining();
    for (const name of this.names) {
      const n = this.sizes.get(name)!;
      const mm = m.get(name), vv = v.get(name);
      if (!mm || !vv || mm.length !== n || vv.length !== n) {
        throw new RangeError(`optimizer state for ${name} does not match the model`);
      }
      writeStorage(this.gpu, this.#m!.get(name)!, mm);
      writeStorage(this.gpu, this.#v!.get(name)!, vv);
    }
  }

  /** Frees every GPU buffer of this model. */
  destroy(): void {
    const all: GPUBuffer[] = [
      ...this.params.values(),
      ...(this.#grads?.values() ?? []),
      ...(this.#m?.values() ?? []),
      ...(this.#v?.values() ?? []),
      this.#tokens,
      this.#targets,
      this.#final,
      this.#y,
      this.#yRstd,
      this.#logits,
      this.#dlogits,
      this.#losses,
      this.#lossSum,
      ...Object.values(this.#scratch ?? {}),
    ];
    for (const L of this.#layers) {
      all.push(...L.x, ...L.n, ...L.rstd, L.k, L.u, L.s, L.q, L.scores, L.p, L.a, L.c, L.m);
    }
    for (const buf of all) buf.destroy();
  }
}

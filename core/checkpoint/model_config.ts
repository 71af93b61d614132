/**
 * ResonanceNet V5 model configuration: the fixed constants, the tensors of a configuration in
 * canonical order (PROTOCOL.md §3.2), and the closed-form parameter count.
 *
 * @module
 */

/** Width and depth of a ResonanceNet V5 model. */
export interface ModelConfig {
  /** Model width d (even, 1..4096). */
  readonly dModel: number;
  /** Number of layers L (1..48). */
  readonly nLayers: number;
}

/** One tensor of the canonical layout. */
export interface TensorSpec {
  /** Canonical name, e.g. `layers.0.gru.wz`. */
  readonly name: string;
  /** Shape, row-major, `[out, in]` for matrices. */
  readonly shape: readonly number[];
}

/** Byte vocabulary. */
export const VOCAB = 256;
/** Slots of the slot memory. */
export const SLOTS = 64;
/** Key (query) width of the slot memory. */
export const SLOT_KEY = 32;
/** SwiGLU hidden width multiplier (hidden = FFN_MULT·d). */
export const FFN_MULT = 4;
/** Kernel lengths of the five causal depthwise convolution branches. */
export const CONV_KERNELS: readonly number[] = [3, 7, 15, 31, 63];
/** Largest allowed model width. */
export const MAX_D_MODEL = 4096;
/** Largest allowed number of layers. */
export const MAX_LAYERS = 48;

/** Whether `config` is inside the protocol bounds (d even in 2..4096, L in 1..48, integers). */
export function isValidModelConfig(config: ModelConfig): boolean {
  const { dModel, nLayers } = config;
  return Number.isInteger(dModel) && Number.isInteger(nLayers) && dModel >= 1 &&
    dModel <= MAX_D_MODEL && dModel % 2 === 0 && nLayers >= 1 && nLayers <= MAX_LAYERS;
}

/** Throws RangeError naming the bad value when `config` is outside the protocol bounds. */
export function assertModelConfig(config: ModelConfig): void {
  if (!isValidModelConfig(config)) {
    throw new RangeError(
      `Model config must have an even dModel in 2..${MAX_D_MODEL} and nLayers in 1..${MAX_LAYERS}, got dModel ${config.dModel}, nLayers ${config.nLayers}`,
    );
  }
}

/** Per-layer tensor names (without the `layers.i.` prefix) and shapes, in canonical order. */
export function layerTensorSpecs(dModel: number): TensorSpec[] {
  const d = dModel;
  const f = FFN_MULT * d;
  return [
    { name: "conv.norm", shape: [d] },
    ...CONV_KERNELS.map((k) => ({ name: `conv.w${k}`, shape: [k, d] })),
    { name: "conv.gain", shape: [CONV_KERNELS.length, d] },
    { name: "gru.norm", shape: [d] },
    { name: "gru.wz", shape: [d, d] },
    { name: "gru.wh", shape: [d, d] },
    { name: "gru.wo", shape: [d, d] },
    { name: "mem.norm", shape: [d] },
    { name: "mem.wq", shape: [SLOT_KEY, d] },
    { name: "mem.keys", shape: [SLOTS, SLOT_KEY] },
    { name: "mem.values", shape: [d, SLOTS] },
    { name: "ffn.norm", shape: [d] },
    { name: "ffn.w1", shape: [f, d] },
    { name: "ffn.w3", shape: [f, d] },
    { name: "ffn.w2", shape: [d, f] },
  ];
}

/**
 * All tensors of `config` in canonical order: `embed`, then every layer's tensors prefixed
 * `layers.i.`, then `final_norm`.
 *
 * @example
 * ```ts
 * import { tensorSpecs } from "./model_config.ts";
 * tensorSpecs({ dModel: 16, nLayers: 1 })[0]; // { name: "embed", shape: [256, 16] }
 * ```
 */
export function tensorSpecs(config: ModelConfig): TensorSpec[] {
  assertModelConfig(config);
  const out: TensorSpec[] = [{ name: "embed", shape: [VOCAB, config.dModel] }];
  const layer = layerTensorSpecs(config.dModel);
  for (let i = 0; i < config.nLayers; i++) {
    for (const s of layer) out.push({ name: `layers.${i}.${s.name}`, shape: s.shape });
  }
  out.push({ name: "final_norm", shape: [config.dModel] });
  return out;
}

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const s of shape) n *= s;
  return n;
}

/**
 * Parameter count, closed form (PROTOCOL.md §3.2):
 * `P(d, L) = 257·d + L·(15·d² + 224·d + 2048)`.
 *
 * @example
 * ```ts
 * import { paramCount } from "./model_config.ts";
 * paramCount({ dModel: 16, nLayers: 1 }); // 13_584
 * ```
 */
export function paramCount(config: ModelConfig): number {
  assertModelConfig(config);
  const d = config.dModel;
  return 257 * d + config.nLayers * (15 * d * d + 224 * d + 2048);
}

/** Whether two configs are equal. */
export function sameConfig(a: ModelConfig, b: ModelConfig): boolean {
  return a.dModel === b.dModel && a.nLayers === b.nLayers;
}

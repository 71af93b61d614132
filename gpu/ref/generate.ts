/**
 * Recurrent generation on the CPU with O(1) state (PROTOCOL.md §3.1): per layer a ring buffer
 * of the last 62 normed conv inputs (the longest kernel is 63) and the minGRU state; the slot
 * memory and the feed-forward have no state. Each step gives the same logits as the parallel
 * forward over the whole prefix (from zero state), up to f32 rounding. Plus temperature /
 * top-k sampling from a seeded counter-based PRNG.
 *
 * @module
 */
import { type Checkpoint, getTensor } from "../../core/checkpoint/checkpoint.ts";
import { counterRandom32, fmix32 } from "../../core/checkpoint/genesis_init.ts";
import {
  CONV_KERNELS,
  FFN_MULT,
  type ModelConfig,
  SLOT_KEY,
  SLOTS,
  VOCAB,
} from "../../core/checkpoint/model_config.ts";
import { CONV_MAX_KERNEL, convEffectiveKernel } from "./conv.ts";
import { addInPlace } from "./elementwise.ts";
import { embeddingForward } from "./embedding.ts";
import { matmulForward } from "./matmul.ts";
import { minGruStep } from "./mingru.ts";
import { rmsnormForward } from "./rmsnorm.ts";
import { softmaxForward } from "./softmax.ts";
import { swigluForward } from "./swiglu.ts";
import { SLOT_SCALE } from "./model.ts";

/** Past conv inputs kept per layer: the longest kernel minus the current position. */
export const CONV_HISTORY = CONV_MAX_KERNEL - 1;

/** Recurrent state of one sequence. Fixed size for a config, whatever the sequence length. */
export interface GenerationState {
  /** The model shape this state belongs to. */
  readonly config: ModelConfig;
  /** Per layer `[62, d]`: normed conv inputs, row `(pos − 1 − j) mod 62` is lag j + 1. */
  readonly convHistory: Float32Array[];
  /** Per layer `[d]`: minGRU state s_{t−1}. */
  readonly gru: Float32Array[];
  /** Tokens consumed so far. */
  position: number;
}

/**
 * Zero state (the start of a window).
 *
 * @example
 * ```ts
 * import { createState, stateBytes } from "./generate.ts";
 * stateBytes(createState({ dModel: 16, nLayers: 1 })); // 4032
 * ```
 */
export function createState(config: ModelConfig): GenerationState {
  const d = config.dModel;
  return {
    config: { ...config },
    convHistory: Array.from({ length: config.nLayers }, () => new Float32Array(CONV_HISTORY * d)),
    gru: Array.from({ length: config.nLayers }, () => new Float32Array(d)),
    position: 0,
  };
}

/** Bytes of float state held: L·(62 + 1)·d·4, independent of the tokens consumed. */
export function stateBytes(state: GenerationState): number {
  let n = 0;
  for (const h of state.convHistory) n += h.byteLength;
  for (const s of state.gru) n += s.byteLength;
  return n;
}

function rowsPlus(x: Float32Array, delta: Float32Array): Float32Array {
  const out = x.slice();
  addInPlace(out, delta);
  return out;
}

/**
 * Feeds `byte` and returns the logits `[256]` for the next byte, updating `state`.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { createState, stepLogits } from "./generate.ts";
 * const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
 * stepLogits(ckpt, createState(ckpt.config), 104).length; // 256
 * ```
 */
export function stepLogits(
  checkpoint: Checkpoint,
  state: GenerationState,
  byte: number,
): Float32Array {
  const { dModel: d, nLayers } = checkpoint.config;
  if (state.config.dModel !== d || state.config.nLayers !== nLayers) {
    throw new RangeError("Generation state does not match the checkpoint config");
  }
  if (!Number.isInteger(byte) || byte < 0 || byte >= VOCAB) {
    throw new RangeError(`byte must be in 0..255, got ${byte}`);
  }
  const f = FFN_MULT * d;
  const t = (name: string) => getTensor(checkpoint, name);
  let h = embeddingForward(new Uint32Array([byte]), t("embed"), d);
  for (let l = 0; l < nLayers; l++) {
    const p = `layers.${l}.`;
    // (a) conv over the current normed input and the last 62 ones.
    const { y: n1 } = rmsnormForward(h, t(p + "conv.norm"), 1, d);
    const weights = CONV_KERNELS.map((k) => t(`${p}conv.w${k}`));
    const weff = convEffectiveKernel(weights, t(p + "conv.gain"), d);
    const hist = state.convHistory[l]!;
    const lags = Math.min(CONV_MAX_KERNEL - 1, state.position);
    const conv = new Float32Array(d);
    for (let c = 0; c < d; c++) {
      let acc = weff[c]! * n1[c]!;
      for (let j = 1; j <= lags; j++) {
        const row = (state.position - j) % CONV_HISTORY;
        acc += weff[j * d + c]! * hist[row * d + c]!;
      }
      conv[c] = acc;
    }
    hist.set(n1, (state.position % CONV_HISTORY) * d);
    h = rowsPlus(h, conv);
    // (b) minGRU, one step.
    const { y: n2 } = rmsnormForward(h, t(p + "gru.norm"), 1, d);
    const k = matmulForward(n2, t(p + "gru.wz"), 1, d, d);
    const u = matmulForward(n2, t(p + "gru.wh"), 1, d, d);
    const s = minGruStep(k, u, state.gru[l]!, d);
    state.gru[l]!.set(s);
    h = rowsPlus(h, matmulForward(s, t(p + "gru.wo"), 1, d, d));
    // (c) slot memory.
    const { y: n3 } = rmsnormForward(h, t(p + "mem.norm"), 1, d);
    const q = matmulForward(n3, t(p + "mem.wq"), 1, d, SLOT_KEY);
    const scores = matmulForward(q, t(p + "mem.keys"), 1, SLOT_KEY, SLOTS);
    const pr = softmaxForward(scores, 1, SLOTS, SLOT_SCALE);
    h = rowsPlus(h, matmulForward(pr, t(p + "mem.values"), 1, SLOTS, d));
    // (d) SwiGLU.
    const { y: n4 } = rmsnormForward(h, t(p + "ffn.norm"), 1, d);
    const a = matmulForward(n4, t(p + "ffn.w1"), 1, d, f);
    const b = matmulForward(n4, t(p + "ffn.w3"), 1, d, f);
    h = rowsPlus(h, matmulForward(swigluForward(a, b), t(p + "ffn.w2"), 1, f, d));
  }
  state.position++;
  const { y } = rmsnormForward(h, t("final_norm"), 1, d);
  return matmulForward(y, t("embed"), 1, d, VOCAB);
}

/** Sampling settings. */
export interface SampleOptions {
  /** Softmax temperature; 0 picks the arg-max (lowest index on ties). */
  temperature: number;
  /** Keep only the k highest logits (0 or ≥ 256: all). */
  topK: number;
}

/**
 * A seeded uniform generator in [0, 1): `counterRandom32(fmix32(seed), i) / 2³²` for
 * i = 0, 1, 2, … (the genesis counter PRNG; reproducible, not for secrets).
 */
export function seededUniform(seed: number): () => number {
  const key = fmix32(seed >>> 0);
  let i = 0;
  return () => counterRandom32(key, i++ >>> 0) / 4294967296;
}

/**
 * Picks the next byte from `logits`: top-k filter, softmax at `temperature` (in doubles),
 * inverse-CDF draw with `uniform()`.
 *
 * @example
 * ```ts
 * import { sampleByte, seededUniform } from "./generate.ts";
 * const logits = new Float32Array(256);
 * logits[65] = 10;
 * sampleByte(logits, { temperature: 0, topK: 0 }, seededUniform(1)); // 65
 * ```
 */
export function sampleByte(
  logits: Float32Array,
  options: SampleOptions,
  uniform: () => number,
): number {
  if (logits.length !== VOCAB) throw new RangeError(`logits must have 256 elements`);
  const { temperature, topK } = options;
  if (!(temperature >= 0)) throw new RangeError(`temperature must be >= 0, got ${temperature}`);
  const order = Array.from({ length: VOCAB }, (_, i) => i)
    .sort((a, b) => logits[b]! - logits[a]! || a - b);
  if (temperature === 0) return order[0]!;
  const kept = topK > 0 && topK < VOCAB ? order.slice(0, topK) : order;
  const max = logits[kept[0]!]!;
  const weights = kept.map((i) => Math.exp((logits[i]! - max) / temperature));
  const total = weights.reduce((s, w) => s + w, 0);
  let r = uniform() * total;
  for (let j = 0; j < kept.length; j++) {
    r -= weights[j]!;
    if (r < 0) return kept[j]!;
  }
  return kept[kept.length - 1]!;
}

/**
 * Generates `count` bytes after `prompt` (at least one byte), from zero state.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { generateBytes } from "./generate.ts";
 * const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
 * generateBytes(ckpt, new Uint8Array([72]), 4, { temperature: 1, topK: 40, seed: 7 }).length; // 4
 * ```
 */
export function generateBytes(
  checkpoint: Checkpoint,
  prompt: Uint8Array,
  count: number,
  options: SampleOptions & { seed: number },
): Uint8Array {
  if (prompt.length < 1) throw new RangeError("prompt must have at least one byte");
  const state = createState(checkpoint.config);
  const uniform = seededUniform(options.seed);
  let logits: Float32Array = new Float32Array(VOCAB);
  for (const b of prompt) logits = stepLogits(checkpoint, state, b);
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = sampleByte(logits, options, uniform);
    if (i + 1 < count) logits = stepLogits(checkpoint, state, out[i]!);
  }
  return out;
}

/**
 * Deterministic genesis weights (PROTOCOL.md §3.6): a counter-based 32-bit integer hash of
 * (seed, tensor index, element index) mapped to a uniform value in [−a, a), with only integer
 * operations, one exact scaling and correctly rounded IEEE operations (`Math.sqrt`, `/`, `*`,
 * `Math.fround`), so every platform derives the same bytes. No transcendental functions.
 *
 * @module
 */
import { allocateCheckpoint, type Checkpoint } from "./checkpoint.ts";
import { CONV_KERNELS, type ModelConfig, SLOTS, tensorSpecs } from "./model_config.ts";

/** The murmur3 32-bit finaliser: a bijective avalanche mix of a u32. */
export function fmix32(h: number): number {
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h = (h ^ (h >>> 13)) >>> 0;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** Per-tensor key: `fmix32(seed ⊕ (t + 1)·0x9e3779b9 mod 2³²)`. */
export function tensorKey(seed: number, tensorIndex: number): number {
  return fmix32((seed ^ Math.imul(tensorIndex + 1, 0x9e3779b9)) >>> 0);
}

/** `r = fmix32(fmix32(key ⊕ i) + key mod 2³²)`: the u32 for element `i` of a tensor. */
export function counterRandom32(key: number, elementIndex: number): number {
  return fmix32((fmix32((key ^ elementIndex) >>> 0) + key) >>> 0);
}

/**
 * Fills `out[i] = fround((2·u − 1)·a)` with `u = (r >>> 8)·2⁻²⁴` and r =
 * {@link counterRandom32}(key, i): uniform in [−a, a).
 */
export function fillUniform(out: Float32Array, key: number, a: number): void {
  for (let i = 0; i < out.length; i++) {
    const u = (counterRandom32(key, i) >>> 8) / 16777216;
    out[i] = (2 * u - 1) * a;
  }
}

/**
 * How genesis initialises the tensor `name` (without a `layers.i.` prefix) of a model with
 * width `dModel` and `nLayers` layers: uniform in [−scale, scale), or the constant `scale`.
 *
 * - norms: constant 1;
 * - `embed`, `gru.wz`, `gru.wh`, `mem.wq`, `ffn.w1`, `ffn.w3`: 1/√d (fan-in d);
 * - `conv.wK`: 1/√K; `mem.keys`: 1 (so the scores keys·q/√32 start with a spread of about
 *   1/3 instead of a uniform softmax that would starve the memory of gradient);
 * - residual writers get a further 1/√(4L) (4L residual additions, as GPT-2 scales its
 *   output projections): `gru.wo` 1/√(4L·d), `mem.values` 1/√(4L·64), `ffn.w2` 1/√(4L·4d),
 *   and `conv.gain` the constant 1/√(5·4L) (five branches of unit-scale conv outputs).
 */
export function genesisInit(
  name: string,
  dModel: number,
  nLayers: number,
): { kind: "uniform" | "constant"; scale: number } {
  const d = dModel, r = 4 * nLayers;
  const uniform = (fanIn: number) => ({ kind: "uniform" as const, scale: 1 / Math.sqrt(fanIn) });
  const base = name.replace(/^layers\.\d+\./, "");
  if (base.endsWith("norm")) return { kind: "constant", scale: 1 };
  if (base === "conv.gain") return { kind: "constant", scale: 1 / Math.sqrt(5 * r) };
  const conv = /^conv\.w(\d+)$/.exec(base);
  if (conv && CONV_KERNELS.includes(Number(conv[1]))) return uniform(Number(conv[1]));
  switch (base) {
    case "embed":
    case "gru.wz":
    case "gru.wh":
    case "mem.wq":
    case "ffn.w1":
    case "ffn.w3":
      return uniform(d);
    case "mem.keys":
      return uniform(1);
    case "gru.wo":
      return uniform(r * d);
    case "mem.values":
      return uniform(r * SLOTS);
    case "ffn.w2":
      return uniform(r * 4 * d);
  }
  throw new RangeError(`Unknown tensor name ${name}`);
}

/**
 * The genesis checkpoint of `config` for `seed` (a u32 network constant): tensor number t
 * (canonical order, from 0) is filled by {@link fillUniform} with key
 * {@link tensorKey}(seed, t) and the scale of {@link genesisInit}, or with its constant.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "./genesis_init.ts";
 * const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
 * ckpt.tensors.get("final_norm")![0]; // 1
 * ```
 */
export function genesisCheckpoint(config: ModelConfig, seed: number): Checkpoint {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`Genesis seed must be a u32, got ${seed}`);
  }
  const { checkpoint } = allocateCheckpoint(config);
  tensorSpecs(config).forEach((spec, t) => {
    const out = checkpoint.tensors.get(spec.name)!;
    const init = genesisInit(spec.name, config.dModel, config.nLayers);
    if (init.kind === "constant") out.fill(init.scale);
    else fillUniform(out, tensorKey(seed, t), init.scale);
  });
  return checkpoint;
}

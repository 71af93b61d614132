/**
 * Where every parameter tensor of a model sits in one flat allocation: the one place that fixes
 * their order and sizes (like llm.c's `fill_in_parameter_sizes`). `GpuModel` keeps parameters,
 * gradients and both AdamW moments in one GPU buffer each, laid out by this, and binds a tensor
 * as a range of that buffer.
 *
 * Order: the tensors AdamW decays (matrices, embedding), then the rest (norm weights, conv
 * gains), each group in canonical order (`tensorSpecs`), so each group is one contiguous range
 * and one AdamW dispatch updates it. Each tensor starts at a multiple of the binding alignment
 * (WebGPU's `minStorageBufferOffsetAlignment`, at most 256 bytes), so any tensor can be bound on
 * its own; the gaps stay zero in every buffer, and AdamW keeps zeros zero.
 *
 * @module
 */
import { type ModelConfig, shapeSize, tensorSpecs } from "../../core/checkpoint/model_config.ts";
import { decaysWeight } from "../ref/model.ts";

/** WebGPU's largest allowed `minStorageBufferOffsetAlignment`: every adapter accepts it. */
export const BINDING_ALIGNMENT_BYTES = 256;

/** One tensor's place in the flat allocation, in floats. */
export interface TensorPlace {
  /** Canonical tensor name, e.g. "layers.0.gru.wz". */
  readonly name: string;
  /** Position in canonical order (`tensorSpecs`). */
  readonly index: number;
  /** First float. */
  readonly offset: number;
  /** Number of floats. */
  readonly length: number;
  /** Whether AdamW applies weight decay to it. */
  readonly decays: boolean;
}

/** A contiguous run of floats in the flat allocation. */
export interface FloatRange {
  readonly offset: number;
  readonly length: number;
}

/** The layout of a model's parameters in one allocation. */
export interface ParamLayout {
  /** Every tensor, in canonical order. */
  readonly tensors: readonly TensorPlace[];
  /** Floats in the allocation, gaps included. */
  readonly floats: number;
  /** The range covering every decayed tensor, and the one covering the rest. */
  readonly decayed: FloatRange;
  readonly undecayed: FloatRange;
  /** The place of tensor `name`; throws a RangeError for a name the model does not have. */
  place(name: string): TensorPlace;
}

/**
 * Lays out the parameters of `config`, each tensor aligned to `alignBytes`.
 *
 * @example
 * ```ts
 * import { paramLayout } from "./param_layout.ts";
 *
 * const layout = paramLayout({ dModel: 16, nLayers: 1 });
 * const embed = layout.place("embed");
 * console.log(embed.offset, embed.length); // 0 4096
 * console.log(layout.place("final_norm").decays); // false
 * ```
 */
export function paramLayout(
  config: ModelConfig,
  alignBytes = BINDING_ALIGNMENT_BYTES,
): ParamLayout {
  if (!Number.isInteger(alignBytes) || alignBytes < 4 || alignBytes % 4 !== 0) {
    throw new RangeError(`Alignment must be a positive multiple of 4 bytes, got ${alignBytes}`);
  }
  const align = alignBytes / 4;
  const specs = tensorSpecs(config).map((s, index) => ({
    name: s.name,
    index,
    length: shapeSize(s.shape),
    decays: decaysWeight(s.name),
  }));
  const byName = new Map<string, TensorPlace>();
  let floats = 0;
  const group = (decays: boolean): FloatRange => {
    const start = floats;
    for (const s of specs.filter((t) => t.decays === decays)) {
      floats = Math.ceil(floats / align) * align;
      byName.set(s.name, { ...s, offset: floats });
      floats += s.length;
    }
    return { offset: start, length: floats - start };
  };
  const decayed = group(true);
  floats = Math.ceil(floats / align) * align;
  const undecayed = group(false);
  const tensors = specs.map((s) => byName.get(s.name) as TensorPlace); // both groups set all
  return {
    tensors,
    floats,
    decayed,
    undecayed,
    place(name: string): TensorPlace {
      const t = byName.get(name);
      if (!t) throw new RangeError(`The model has no tensor ${name}`);
      return t;
    },
  };
}

/**
 * Splits `range` into consecutive pieces of at most `maxBytes` each, every piece starting at a
 * multiple of `alignBytes` from the range's start, so a kernel can bind each piece within
 * `maxStorageBufferBindingSize`.
 *
 * @example
 * ```ts
 * import { splitRange } from "./param_layout.ts";
 *
 * console.log(splitRange({ offset: 64, length: 200 }, 512, 256));
 * // [ { offset: 64, length: 128 }, { offset: 192, length: 72 } ]
 * ```
 */
export function splitRange(
  range: FloatRange,
  maxBytes: number,
  alignBytes = BINDING_ALIGNMENT_BYTES,
): FloatRange[] {
  const step = Math.floor(maxBytes / alignBytes) * alignBytes / 4;
  if (step < 1) {
    throw new RangeError(`Binding size ${maxBytes} is below the alignment ${alignBytes}`);
  }
  const pieces: FloatRange[] = [];
  for (let done = 0; done < range.length; done += step) {
    pieces.push({ offset: range.offset + done, length: Math.min(step, range.length - done) });
  }
  return pieces;
}

/**
 * The in-memory checkpoint: a model configuration and one f32 tensor per canonical name.
 *
 * A checkpoint made by {@link allocateCheckpoint} (and every decoded one) keeps all parameters
 * in ONE contiguous `Float32Array` (`flat`) in canonical order; the map's values are
 * `subarray` views into it, so uploading or hashing the whole model is one copy. Code that
 * builds a checkpoint by hand may use separate arrays: consumers must only rely on `tensors`.
 *
 * @module
 */
import { type ModelConfig, paramCount, shapeSize, tensorSpecs } from "./model_config.ts";

/** A model checkpoint. `tensors` holds every tensor of `tensorSpecs(config)`, by name. */
export interface Checkpoint {
  /** Width and depth. */
  readonly config: ModelConfig;
  /** Canonical name → row-major f32 data (insertion order = canonical order). */
  readonly tensors: Map<string, Float32Array>;
}

/**
 * A zero-filled checkpoint of `config` whose tensors are views into one contiguous array.
 *
 * @example
 * ```ts
 * import { allocateCheckpoint } from "./checkpoint.ts";
 * const { checkpoint, flat } = allocateCheckpoint({ dModel: 16, nLayers: 1 });
 * flat.length; // 13_584
 * checkpoint.tensors.get("embed")!.length; // 4096
 * ```
 */
export function allocateCheckpoint(
  config: ModelConfig,
): { checkpoint: Checkpoint; flat: Float32Array } {
  const flat = new Float32Array(paramCount(config));
  const tensors = new Map<string, Float32Array>();
  let off = 0;
  for (const spec of tensorSpecs(config)) {
    const n = shapeSize(spec.shape);
    tensors.set(spec.name, flat.subarray(off, off + n));
    off += n;
  }
  return { checkpoint: { config: { ...config }, tensors }, flat };
}

/** The tensor `name` of `checkpoint`; throws RangeError when it is missing. */
export function getTensor(checkpoint: Checkpoint, name: string): Float32Array {
  const t = checkpoint.tensors.get(name);
  if (!t) throw new RangeError(`Checkpoint has no tensor ${name}`);
  return t;
}

/** A deep copy (contiguous, canonical order). */
export function cloneCheckpoint(checkpoint: Checkpoint): Checkpoint {
  const { checkpoint: out } = allocateCheckpoint(checkpoint.config);
  for (const [name, t] of out.tensors) t.set(getTensor(checkpoint, name));
  return out;
}

/**
 * Throws RangeError unless `checkpoint` holds exactly the tensors of its config with the right
 * lengths.
 */
export function assertCheckpointShapes(checkpoint: Checkpoint): void {
  const specs = tensorSpecs(checkpoint.config);
  if (checkpoint.tensors.size !== specs.length) {
    throw new RangeError(
      `Checkpoint must have ${specs.length} tensors, got ${checkpoint.tensors.size}`,
    );
  }
  for (const spec of specs) {
    const t = getTensor(checkpoint, spec.name);
    const n = shapeSize(spec.shape);
    if (t.length !== n) {
      throw new RangeError(`Tensor ${spec.name} must have ${n} elements, got ${t.length}`);
    }
  }
}

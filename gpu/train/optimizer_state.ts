/**
 * Optimizer state saved beside a checkpoint (`model.rnet` → `model.rnet.opt`) so training
 * resumes where it stopped: AdamW moments, the step count and the data sampler's RNG state.
 * Not part of consensus. Written atomically (temp file, fsync, rename).
 *
 * Layout: "RNOP" ‖ u32 version 1 ‖ u32 dModel ‖ u32 nLayers ‖ u32 step ‖ u32 rngState ‖
 * then for every tensor in canonical order its m values then its v values (f32 LE).
 *
 * @module
 */
import { type ModelConfig, shapeSize, tensorSpecs } from "../../core/checkpoint/model_config.ts";
export { writeFileAtomic } from "../../core/util/atomic_write.ts";

/** AdamW state of a whole model. */
export interface OptimizerState {
  config: ModelConfig;
  /** Steps taken so far (AdamW's t). */
  step: number;
  /** The window sampler's RNG state after the last step. */
  rngState: number;
  m: Map<string, Float32Array>;
  v: Map<string, Float32Array>;
}

const MAGIC = [0x52, 0x4e, 0x4f, 0x50]; // "RNOP"
const HEADER = 24;

/** The conventional optimizer-state path for a checkpoint path. */
export function optimizerStatePath(checkpointPath: string): string {
  return `${checkpointPath}.opt`;
}

/**
 * Serialises `state`; throws a RangeError when a tensor's moments are missing or have the wrong
 * length for `state.config`.
 */
export function encodeOptimizerState(state: OptimizerState): Uint8Array {
  const specs = tensorSpecs(state.config);
  const total = specs.reduce((n, s) => n + shapeSize(s.shape), 0);
  const out = new Uint8Array(HEADER + total * 8);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, 1, true);
  view.setUint32(8, state.config.dModel, true);
  view.setUint32(12, state.config.nLayers, true);
  view.setUint32(16, state.step, true);
  view.setUint32(20, state.rngState >>> 0, true);
  const f32 = new Float32Array(out.buffer, HEADER, total * 2);
  let off = 0;
  for (const s of specs) {
    const n = shapeSize(s.shape), m = state.m.get(s.name), v = state.v.get(s.name);
    if (!m || !v || m.length !== n || v.length !== n) {
      throw new RangeError(`optimizer state for ${s.name} does not match the model`);
    }
    f32.set(m, off);
    f32.set(v, off + m.length);
    off += m.length * 2;
  }
  return out;
}

/** Parses optimizer state; throws a clear Error when it is not one or belongs to another model. */
export function decodeOptimizerState(bytes: Uint8Array, expected?: ModelConfig): OptimizerState {
  if (bytes.length < HEADER || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error("not an rnt optimizer state file");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(4, true) !== 1) throw new Error("unsupported optimizer state version");
  const config = { dModel: view.getUint32(8, true), nLayers: view.getUint32(12, true) };
  if (expected && (expected.dModel !== config.dModel || expected.nLayers !== config.nLayers)) {
    throw new Error(
      `optimizer state is for d=${config.dModel}, L=${config.nLayers}, not d=${expected.dModel}, L=${expected.nLayers}`,
    );
  }
  const specs = tensorSpecs(config);
  const total = specs.reduce((n, s) => n + shapeSize(s.shape), 0);
  if (bytes.length !== HEADER + total * 8) throw new Error("optimizer state has the wrong size");
  const f32 = new Float32Array(bytes.slice(HEADER).buffer);
  const m = new Map<string, Float32Array>(), v = new Map<string, Float32Array>();
  let off = 0;
  for (const s of specs) {
    const n = shapeSize(s.shape);
    m.set(s.name, f32.subarray(off, off + n));
    v.set(s.name, f32.subarray(off + n, off + 2 * n));
    off += 2 * n;
  }
  return { config, step: view.getUint32(16, true), rngState: view.getUint32(20, true), m, v };
}

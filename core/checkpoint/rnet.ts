/**
 * The `.rnet` checkpoint format (PROTOCOL.md §3.4), the consensus byte encoding of a model:
 *
 * ```
 * "RNET" | u32 version (1) | u32 dModel | u32 nLayers | u32 tensorCount
 * per tensor, canonical order: u8 nameLen | name (ASCII) | u8 ndims | u32 dims[ndims] | f32 data
 * ```
 *
 * All integers and floats little-endian; no padding; nothing after the last tensor. The
 * encoding of a config is unique, so its total length is a function of the config alone,
 * which the decoder checks before it allocates anything.
 *
 * @module
 */
import { DecodeError } from "../errors.ts";
import { allocateCheckpoint, assertCheckpointShapes, type Checkpoint } from "./checkpoint.ts";
import {
  isValidModelConfig,
  type ModelConfig,
  sameConfig,
  shapeSize,
  tensorSpecs,
} from "./model_config.ts";

/** The four magic bytes "RNET". */
export const RNET_MAGIC: Uint8Array = new TextEncoder().encode("RNET");
/** The only format version. */
export const RNET_VERSION = 1;
/** Bytes before the first tensor. */
export const RNET_HEADER_BYTES = 20;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const ASCII = new TextEncoder();

/**
 * Exact length in bytes of the `.rnet` encoding of any checkpoint of `config`.
 *
 * @example
 * ```ts
 * import { encodedCheckpointSize } from "./rnet.ts";
 * encodedCheckpointSize({ dModel: 16, nLayers: 1 }); // 54_872
 * ```
 */
export function encodedCheckpointSize(config: ModelConfig): number {
  let n = RNET_HEADER_BYTES;
  for (const s of tensorSpecs(config)) {
    n += 1 + s.name.length + 1 + 4 * s.shape.length + 4 * shapeSize(s.shape);
  }
  return n;
}

/**
 * Encodes `checkpoint` as `.rnet` bytes. Throws RangeError when a tensor is missing, has the
 * wrong length, or holds NaN/±Inf (such a checkpoint could never be valid).
 *
 * @example
 * ```ts
 * import { allocateCheckpoint } from "./checkpoint.ts";
 * import { encodeCheckpoint } from "./rnet.ts";
 * const bytes = encodeCheckpoint(allocateCheckpoint({ dModel: 16, nLayers: 1 }).checkpoint);
 * bytes.length; // 54_872
 * ```
 */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  assertCheckpointShapes(checkpoint);
  const { config } = checkpoint;
  const out = new Uint8Array(encodedCheckpointSize(config));
  const view = new DataView(out.buffer);
  out.set(RNET_MAGIC, 0);
  view.setUint32(4, RNET_VERSION, true);
  view.setUint32(8, config.dModel, true);
  view.setUint32(12, config.nLayers, true);
  const specs = tensorSpecs(config);
  view.setUint32(16, specs.length, true);
  let p = RNET_HEADER_BYTES;
  for (const spec of specs) {
    const t = checkpoint.tensors.get(spec.name)!;
    const bad = firstNonFinite(t);
    if (bad >= 0) throw new RangeError(`Tensor ${spec.name}[${bad}] is not finite: ${t[bad]}`);
    out[p++] = spec.name.length;
    out.set(ASCII.encode(spec.name), p);
    p += spec.name.length;
    out[p++] = spec.shape.length;
    for (const dim of spec.shape) {
      view.setUint32(p, dim, true);
      p += 4;
    }
    if (LITTLE_ENDIAN) {
      out.set(new Uint8Array(t.buffer, t.byteOffset, t.byteLength), p);
      p += t.byteLength;
    } else {
      for (let i = 0; i < t.length; i++, p += 4) view.setFloat32(p, t[i]!, true);
    }
  }
  return out;
}

/**
 * Decodes `.rnet` bytes. With `expectedConfig` the header must announce exactly that config.
 * Throws DecodeError on a wrong magic or version, a config outside the bounds or not the
 * expected one, a wrong tensor count, truncation or trailing bytes (both detected from the
 * header before any allocation), a tensor name or shape that differs from the canonical
 * layout, and any NaN or ±Inf. The result's tensors are views into one contiguous array.
 *
 * @example
 * ```ts
 * import { allocateCheckpoint } from "./checkpoint.ts";
 * import { decodeCheckpoint, encodeCheckpoint } from "./rnet.ts";
 * const config = { dModel: 16, nLayers: 1 };
 * const ckpt = decodeCheckpoint(encodeCheckpoint(allocateCheckpoint(config).checkpoint), config);
 * ckpt.config.dModel; // 16
 * ```
 */
export function decodeCheckpoint(bytes: Uint8Array, expectedConfig?: ModelConfig): Checkpoint {
  if (bytes.length < RNET_HEADER_BYTES) {
    throw new DecodeError(
      `Checkpoint is truncated: ${bytes.length} bytes, the header alone is ${RNET_HEADER_BYTES}`,
    );
  }
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== RNET_MAGIC[i]) throw new DecodeError("Checkpoint magic is not RNET");
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== RNET_VERSION) {
    throw new DecodeError(`Checkpoint version must be ${RNET_VERSION}, got ${version}`);
  }
  const config = { dModel: view.getUint32(8, true), nLayers: view.getUint32(12, true) };
  if (!isValidModelConfig(config)) {
    throw new DecodeError(
      `Checkpoint config is out of bounds: dModel ${config.dModel}, nLayers ${config.nLayers}`,
    );
  }
  if (expectedConfig && !sameConfig(config, expectedConfig)) {
    throw new DecodeError(
      `Checkpoint config must be dModel ${expectedConfig.dModel}, nLayers ${expectedConfig.nLayers}, got dModel ${config.dModel}, nLayers ${config.nLayers}`,
    );
  }
  const specs = tensorSpecs(config);
  const count = view.getUint32(16, true);
  if (count !== specs.length) {
    throw new DecodeError(`Checkpoint must have ${specs.length} tensors, got ${count}`);
  }
  const expectedBytes = encodedCheckpointSize(config);
  if (bytes.length < expectedBytes) {
    throw new DecodeError(
      `Checkpoint is truncated: ${bytes.length} bytes, its config needs ${expectedBytes}`,
    );
  }
  if (bytes.length > expectedBytes) {
    throw new DecodeError(
      `Checkpoint has ${bytes.length - expectedBytes} trailing bytes after ${expectedBytes}`,
    );
  }
  const { checkpoint } = allocateCheckpoint(config);
  let p = RNET_HEADER_BYTES;
  for (const spec of specs) {
    // The total length is already exact, so every read below is in bounds as long as the
    // name and shape match the canonical ones, which is checked before the data is read.
    const nameLen = bytes[p++]!;
    const name = String.fromCharCode(...bytes.subarray(p, p + nameLen));
    p += nameLen;
    if (name !== spec.name) {
      throw new DecodeError(`Checkpoint tensor must be ${spec.name}, got ${JSON.stringify(name)}`);
    }
    const ndims = bytes[p++]!;
    if (ndims !== spec.shape.length) {
      throw new DecodeError(`Tensor ${name} must have ${spec.shape.length} dims, got ${ndims}`);
    }
    for (let i = 0; i < ndims; i++, p += 4) {
      const dim = view.getUint32(p, true);
      if (dim !== spec.shape[i]) {
        throw new DecodeError(`Tensor ${name} dim ${i} must be ${spec.shape[i]}, got ${dim}`);
      }
    }
    const t = checkpoint.tensors.get(name)!;
    if (LITTLE_ENDIAN) {
      new Uint8Array(t.buffer, t.byteOffset, t.byteLength).set(
        bytes.subarray(p, p + t.byteLength),
      );
      p += t.byteLength;
    } else {
      for (let i = 0; i < t.length; i++, p += 4) t[i] = view.getFloat32(p, true);
    }
    const bad = firstNonFinite(t);
    if (bad >= 0) throw new DecodeError(`Tensor ${name}[${bad}] is not finite: ${t[bad]}`);
  }
  return checkpoint;
}

/** Index of the first NaN or ±Inf (exponent bits all ones), or −1. */
function firstNonFinite(t: Float32Array): number {
  const bits = new Uint32Array(t.buffer, t.byteOffset, t.length);
  for (let i = 0; i < bits.length; i++) {
    if ((bits[i]! & 0x7f800000) === 0x7f800000) return i;
  }
  return -1;
}

/**
 * Function-preserving and trainable model growth (DESIGN.md §6, PROTOCOL.md §3.7).
 *
 * Widening d → D = d + Δ appends residual dimensions, minGRU hidden units (hidden = d) and
 * 4Δ SwiGLU hidden units at the end of each axis; deepening appends layers after the last one.
 * For every new unit the side that WRITES into existing computation is zero and the side that
 * READS from it is random, so the grown model computes the same function and still gets
 * gradient everywhere (all-zero new weights would be a saddle the new dimensions never leave):
 *
 * - residual writers, new rows and columns zero: `embed` new columns, `gru.wo`, `mem.values`,
 *   `ffn.w2` (their new inputs s and m are non-zero, and the new residual dimensions must stay
 *   exactly zero because every RMSNorm averages over them);
 * - readers, all new entries uniform with the genesis scale of the grown config: `gru.wz`,
 *   `gru.wh`, `mem.wq`, `ffn.w1`, `ffn.w3` (new columns multiply the new, zero, normed
 *   inputs; new rows are new hidden units that nothing reads yet);
 * - depthwise conv of a new channel reads and writes only that channel (its input is zero):
 *   weights uniform, gain the genesis constant;
 * - RMSNorm gains of old dimensions × √(d/D) (the mean of x² is now over D dims, of which
 *   the new ones are zero), new dimensions √(d/D);
 * - `mem.keys` [64, 32] does not depend on d and is copied;
 * - a new layer gets the genesis init of the grown config except its output projections
 *   `conv.gain`, `gru.wo`, `mem.values`, `ffn.w2`, which are zero, and norms 1.
 *
 * The random values come from the genesis counter PRNG keyed by (seed, tensor index in the
 * grown config), element index = flat index in the grown tensor.
 *
 * Preservation is exact: RMSNorm adds its ε to Σx² rather than to the mean (PROTOCOL.md §3.1),
 * so zero-valued new dimensions scale every row's rms by exactly √(d/D), which the rescaled
 * gains undo. (With ε added to the mean, the loss drifted by ≈4e-6 at genesis scale.)
 *
 * @module
 */
import {
  allocateCheckpoint,
  type Checkpoint,
  getTensor,
} from "../../core/checkpoint/checkpoint.ts";
import { counterRandom32, genesisInit, tensorKey } from "../../core/checkpoint/genesis_init.ts";
import {
  assertModelConfig,
  type ModelConfig,
  tensorSpecs,
} from "../../core/checkpoint/model_config.ts";

/** Options for {@link growCheckpoint}. */
export interface GrowOptions {
  /**
   * Multiplies the random scale of every new reader entry (default 1). 0 gives all-zero new
   * weights, which preserves the function but cannot train: only for tests.
   */
  readScale?: number;
}

const WRITERS = new Set(["conv.gain", "gru.wo", "mem.values", "ffn.w2"]);

function uniformAt(key: number, i: number, a: number): number {
  return (2 * ((counterRandom32(key, i) >>> 8) / 16777216) - 1) * a;
}

/**
 * Grows `checkpoint` to `next` (dModel and nLayers each ≥ the current ones) as described in the
 * module doc. Returns a new contiguous checkpoint; the input is not modified.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { growCheckpoint } from "./grow.ts";
 * const grown = growCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1),
 *   { dModel: 18, nLayers: 2 }, 7);
 * grown.tensors.get("layers.1.gru.wo")!.every((x) => x === 0); // true
 * ```
 */
export function growCheckpoint(
  checkpoint: Checkpoint,
  next: ModelConfig,
  seed: number,
  options: GrowOptions = {},
): Checkpoint {
  assertModelConfig(next);
  const d = checkpoint.config.dModel, D = next.dModel, L = checkpoint.config.nLayers;
  if (D < d || next.nLayers < L) {
    throw new RangeError(
      `Growth cannot shrink: dModel ${d} → ${D}, nLayers ${L} → ${next.nLayers}`,
    );
  }
  const readScale = options.readScale ?? 1;
  const normScale = Math.sqrt(d / D);
  const { checkpoint: out } = allocateCheckpoint(next);
  tensorSpecs(next).forEach((spec, t) => {
    const dst = out.tensors.get(spec.name)!;
    const key = tensorKey(seed >>> 0, t);
    const layer = /^layers\.(\d+)\.(.*)$/.exec(spec.name);
    const base = layer ? layer[2]! : spec.name;
    const init = genesisInit(spec.name, D, next.nLayers);
    if (layer && Number(layer[1]) >= L) {
      // A new layer: genesis init, zero output projections.
      if (WRITERS.has(base)) return;
      if (init.kind === "constant") dst.fill(init.scale);
      else for (let i = 0; i < dst.length; i++) dst[i] = uniformAt(key, i, init.scale * readScale);
      return;
    }
    const src = getTensor(checkpoint, spec.name);
    if (base.endsWith("norm")) {
      for (let i = 0; i < D; i++) dst[i] = i < d ? src[i]! * normScale : normScale;
      return;
    }
    // 2-D: copy the old block into the top-left corner, then fill the new entries.
    const [rows, cols] = spec.shape as [number, number];
    const oc = oldCols(base, d, cols);
    const oldRows = src.length / oc;
    const zeroNew = base === "embed" || base === "gru.wo" || base === "mem.values" ||
      base === "ffn.w2";
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        const i = r * cols + c;
        if (r < oldRows && c < oc) dst[i] = src[r * oc + c]!;
        else if (zeroNew) dst[i] = 0;
        else if (init.kind === "constant") dst[i] = init.scale;
        else dst[i] = uniformAt(key, i, init.scale * readScale);
      }
    }
  });
  return out;
}

/** Column count of a 2-D tensor before growth (width d), given its grown column count. */
function oldCols(base: string, d: number, cols: number): number {
  switch (base) {
    case "mem.keys":
      return cols; // [64, 32]
    case "mem.values":
      return cols; // [d, 64]
    case "ffn.w2":
      return 4 * d; // [d, 4d]
    default:
      return d; // [·, d]
  }
}

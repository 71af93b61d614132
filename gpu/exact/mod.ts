/**
 * The exact consensus evaluator (PROTOCOL.md §3.10): an integer-only loss that every conforming
 * implementation computes to the same integer.
 *
 * @example
 * ```ts
 * import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
 * import { consensusLossMicroNats, selectExactEvaluator } from "./mod.ts";
 * const ev = selectExactEvaluator();
 * const bytes = new TextEncoder().encode("a".repeat(128));
 * const sums = await ev.evaluateWindows(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1), bytes, 64);
 * consensusLossMicroNats(sums, 64); // the u32 a header carries
 * ```
 *
 * @module
 */
export {
  consensusEvaluator,
  consensusLossMicroNats,
  cpuExactEvaluator,
  type ExactEvaluator,
  type ExactPath,
  selectExactEvaluator,
  totalOf,
  WasmExactEvaluator,
  type WasmExactOptions,
  windowCount,
} from "./evaluator.ts";
export { exactLossMicroNats, exactLossNats } from "../../core/consensus/exact_loss.ts";
export { quantizeCheckpoint, type QuantizedModel } from "./quantize.ts";
export {
  packedDotAvailable,
  WebGpuExactEvaluator,
  type WebGpuExactOptions,
} from "./webgpu/webgpu_evaluator.ts";

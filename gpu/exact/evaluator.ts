/**
 * Exact consensus evaluators (PROTOCOL.md §3.10): one interface, several paths that return the
 * same integers. A path differs only in how it runs the integer matrix products.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import type { Evaluator } from "../../core/consensus/evaluator.ts";
import { exactLossMicroNats, totalOf } from "../../core/consensus/exact_loss.ts";
import { forwardWindowSums, type IntGemm, plainGemm } from "./forward.ts";
import { quantizeCheckpoint } from "./quantize.ts";
import type { GpuContext } from "../device.ts";
import { WebGpuExactEvaluator } from "./webgpu/webgpu_evaluator.ts";
import { WasmExactEvaluator } from "./wasm_evaluator.ts";
import { wasmForwardAvailable } from "./wasm_forward.ts";
import { windowCount } from "./windows.ts";

export { WasmExactEvaluator, type WasmExactOptions } from "./wasm_evaluator.ts";
export { windowCount } from "./windows.ts";

/** Computes the exact per-window loss sums of a checkpoint. */
export interface ExactEvaluator {
  /** Which path, for logs: "cpu reference", "wasm simd", "webgpu (…)". */
  readonly name: string;
  /**
   * The integer loss sum (nats·2^20, each < 2^40) of every one of the ⌊len/W⌋ windows of
   * `bytes`, in window order. Throws `signal.reason` once `signal` is aborted.
   */
  evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    signal?: AbortSignal,
  ): Promise<number[]>;
}

/** Windows per engine call: enough rows to amortise a call, bounded memory. */
const ROWS_PER_CALL = 2048;

/** An evaluator that runs the shared integer forward pass with `engine`'s matrix products. */
export class GemmExactEvaluator implements ExactEvaluator {
  readonly name: string;
  constructor(readonly engine: IntGemm) {
    this.name = engine.name;
  }
  evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    try {
      signal?.throwIfAborted();
      const windows = windowCount(bytes, windowLen);
      const qm = quantizeCheckpoint(checkpoint);
      const per = Math.max(1, Math.floor(ROWS_PER_CALL / windowLen));
      const sums: number[] = [];
      for (let w0 = 0; w0 < windows; w0 += per) {
        signal?.throwIfAborted();
        const batch = Math.min(per, windows - w0);
        const tokens = bytes.subarray(w0 * windowLen, (w0 + batch) * windowLen);
        sums.push(...forwardWindowSums(qm, this.engine, tokens, batch, windowLen));
      }
      return Promise.resolve(sums);
    } catch (e) {
      return Promise.reject(e);
    }
  }
}

/** The plain-TypeScript reference path. */
export function cpuExactEvaluator(): ExactEvaluator {
  return new GemmExactEvaluator(plainGemm);
}

export { totalOf };

/** The header value (u32 micro-nats) of per-window sums of windows of `windowLen` bytes. */
export function consensusLossMicroNats(sums: readonly number[], windowLen: number): number {
  return exactLossMicroNats(totalOf(sums), sums.length * (windowLen - 1));
}

/** Which path {@link selectExactEvaluator} may pick. */
export type ExactPath = "auto" | "cpu" | "wasm" | "webgpu";

/**
 * The fastest exact path present: WebGPU when `gpu` (from `requestGpu()`) is a hardware
 * adapter's context, else WebAssembly SIMD when the runtime validates the kernel, else the plain
 * CPU reference (or the path asked for). A software adapter (llvmpipe and the like) runs the
 * integer kernels on the CPU slower than WebAssembly does (bench/README.md), so "auto" skips it. Every path returns the same integers; the `name` says which
 * one ran, for logs and `--json` output, e.g. "exact webgpu (llvmpipe …, plain integer,
 * textures)".
 */
export function selectExactEvaluator(
  path: ExactPath = "auto",
  gpu: GpuContext | null = null,
): ExactEvaluator {
  if (path === "cpu") return cpuExactEvaluator();
  if (path === "webgpu" || (path === "auto" && gpu && !gpu.isFallback)) {
    if (!gpu) throw new Error("WebGPU is not available in this runtime (no adapter)");
    return new WebGpuExactEvaluator(gpu);
  }
  if (path === "wasm" || wasmForwardAvailable()) {
    if (!wasmForwardAvailable()) {
      throw new Error("WebAssembly SIMD is not available in this runtime");
    }
    return new WasmExactEvaluator();
  }
  return cpuExactEvaluator();
}

/**
 * The consensus {@linkcode Evaluator} over an exact path: forwards `signal` (the node's
 * shutdown) so a long evaluation stops at the next window batch; the checkpoint root is for
 * caching wrappers and ignored here.
 */
export function consensusEvaluator(exact: ExactEvaluator, signal?: AbortSignal): Evaluator {
  return {
    name: exact.name,
    evaluateWindows: (checkpoint, bytes, windowLen) =>
      exact.evaluateWindows(checkpoint, bytes, windowLen, signal),
  };
}

/**
 * The WebAssembly exact evaluator: the whole forward pass in `forward.wat` (activations resident
 * in WebAssembly memory), windows split into contiguous runs across Web Workers. Each window is
 * evaluated from zero state on its own, so the per-window integers do not depend on the split
 * (tested against the CPU reference with 0, 1 and several workers).
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import type { ExactEvaluator } from "./evaluator.ts";
import type { ExactJob } from "./exact_worker.ts";
import { quantizeCheckpoint } from "./quantize.ts";
import { wasmWindowSums } from "./wasm_forward.ts";
import { windowCount } from "./windows.ts";

/** Options of {@link WasmExactEvaluator}. */
export interface WasmExactOptions {
  /**
   * Web Workers to split the windows across; 0 runs in the calling thread. Default: the
   * runtime's hardware concurrency when it is at least 2, else 0.
   */
  readonly workers?: number;
}

function defaultWorkers(): number {
  const n = globalThis.navigator?.hardwareConcurrency ?? 1;
  return n >= 2 ? n : 0;
}

/** Runs one contiguous run of windows in a fresh worker. */
function inWorker(job: ExactJob, signal?: AbortSignal): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./exact_worker.ts", import.meta.url), { type: "module" });
    const done = () => {
      worker.terminate();
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      done();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (e: MessageEvent<{ sums?: number[]; error?: string }>) => {
      done();
      if (e.data.sums) resolve(e.data.sums);
      else reject(new Error(`Exact evaluation worker failed: ${e.data.error}`));
    };
    worker.onerror = (e) => {
      e.preventDefault();
      done();
      reject(new Error(`Exact evaluation worker failed: ${e.message}`));
    };
    worker.postMessage(job);
  });
}

/** The WebAssembly SIMD path; see the module doc. */
export class WasmExactEvaluator implements ExactEvaluator {
  readonly name = "wasm simd";
  readonly #workers: number | undefined;
  constructor(opts: WasmExactOptions = {}) {
    this.#workers = opts.workers;
  }

  /** Per-window integer loss sums, in window order (see `ExactEvaluator`). */
  async evaluateWindows(
    checkpoint: Checkpoint,
    bytes: Uint8Array,
    windowLen: number,
    signal?: AbortSignal,
  ): Promise<number[]> {
    signal?.throwIfAborted();
    const windows = windowCount(bytes, windowLen);
    const qm = quantizeCheckpoint(checkpoint);
    const workers = Math.min(this.#workers ?? defaultWorkers(), windows);
    if (workers <= 0) return wasmWindowSums(qm, bytes, windows, windowLen, signal);
    return (await Promise.all(
      splitWindows(windows, workers).map(([w0, n]) =>
        inWorker(
          {
            qm,
            bytes: bytes.slice(w0 * windowLen, (w0 + n) * windowLen),
            windows: n,
            windowLen,
          } satisfies ExactJob,
          signal,
        )
      ),
    )).flat();
  }
}

/** `parts` contiguous runs [first window, count] covering `windows`, sizes differing by ≤ 1. */
export function splitWindows(windows: number, parts: number): [number, number][] {
  const runs: [number, number][] = [];
  let at = 0;
  for (let p = 0; p < parts; p++) {
    const n = Math.floor(windows / parts) + (p < windows % parts ? 1 : 0);
    if (n > 0) runs.push([at, n]);
    at += n;
  }
  return runs;
}

/**
 * The worker of the WebAssembly exact evaluator: runs the whole-forward module on a contiguous
 * run of windows, so several cores evaluate one checkpoint at once. Receives an
 * {@link ExactJob}, answers `{ sums: number[] }` or `{ error: string }`, once.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import type { QuantizedModel } from "./quantize.ts";
import { wasmWindowSums } from "./wasm_forward.ts";

/** What the evaluator sends: the quantised model and `windows` windows of `windowLen` bytes. */
export interface ExactJob {
  readonly qm: QuantizedModel;
  readonly bytes: Uint8Array;
  readonly windows: number;
  readonly windowLen: number;
}

self.onmessage = (event: MessageEvent<ExactJob>) => {
  const { qm, bytes, windows, windowLen } = event.data;
  try {
    self.postMessage({ sums: wasmWindowSums(qm, bytes, windows, windowLen) });
  } catch (e) {
    self.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
};

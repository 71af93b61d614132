/**
 * The consensus validation loss on WebGPU (PROTOCOL.md §3.3), and the evaluator the node uses:
 * WebGPU when the runtime has an adapter, the CPU reference otherwise (slow, and it says so).
 *
 * Determinism: every window's per-position losses come back to the CPU and are summed in f64 in
 * a fixed order, so repeated runs on one device are bit-identical.
 *
 * Abort: with an `AbortSignal` the evaluation checks it before every GPU submit (a group of
 * windows) and, once aborted, throws the signal's reason (an `AbortError` DOMException by
 * default) instead of returning: a partial sum is never a loss, so an evaluation cut short by a
 * shutdown can never be taken as a block's result.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { CommandBatch, type GpuContext, requestGpu } from "../device.ts";
import { evaluateLossCpu } from "../ref/model.ts";
import { GpuModel } from "./gpu_model.ts";

/** Largest number of tokens evaluated per GPU submit. */
const TOKENS_PER_SUBMIT = 1 << 15;

/**
 * Validation loss of `checkpoint` over `bytes` in windows of `windowLen`, on the GPU. Throws
 * `signal.reason` when `signal` is (or becomes) aborted before the last submit.
 */
export async function evaluateLossGpu(
  gpu: GpuContext,
  checkpoint: Checkpoint,
  bytes: Uint8Array,
  windowLen: number,
  signal?: AbortSignal,
): Promise<number> {
  signal?.throwIfAborted();
  const windows = Math.floor(bytes.length / windowLen);
  if (windows < 1 || windowLen < 2) {
    throw new RangeError(
      `validation data of ${bytes.length} bytes has no ${windowLen}-byte window`,
    );
  }
  const perSubmit = Math.max(1, Math.min(windows, Math.floor(TOKENS_PER_SUBMIT / windowLen)));
  const model = GpuModel.create(gpu, checkpoint, perSubmit, windowLen);
  try {
    let sum = 0;
    for (let first = 0; first < windows; first += perSubmit) {
      signal?.throwIfAborted();
      const count = Math.min(perSubmit, windows - first);
      const tokens = new Uint32Array(perSubmit * windowLen); // padding windows are zeros
      tokens.set(bytes.subarray(first * windowLen, (first + count) * windowLen));
      model.setBatch(tokens);
      const b = new CommandBatch(gpu);
      model.recordForward(b);
      b.submit();
      const losses = await model.readRowLosses();
      for (let w = 0; w < count; w++) {
        // The window's last row has no target.
        for (const loss of losses.subarray(w * windowLen, (w + 1) * windowLen - 1)) sum += loss;
      }
    }
    signal?.throwIfAborted();
    return sum / (windows * (windowLen - 1));
  } finally {
    model.destroy();
  }
}

/**
 * A float (f32) loss evaluator: the mean next-byte cross-entropy in nats of a checkpoint over
 * `validation` cut into windows of `windowLen` bytes (PROTOCOL §3.3). Not consensus: training
 * reports and `rnt model eval`'s `f32_loss` use it; blocks are checked with the exact
 * evaluators (gpu/exact, PROTOCOL §3.10), whose integers do not depend on the device.
 */
export interface Evaluator {
  /** Short description for logs, e.g. "webgpu (llvmpipe …)" or "cpu reference". */
  readonly name: string;
  /** The mean loss in nats. */
  evaluate(checkpoint: Checkpoint, validation: Uint8Array, windowLen: number): Promise<number>;
}

/** Options of {@linkcode GpuEvaluator}. */
export interface GpuEvaluatorOptions {
  /** Aborts every evaluation in flight or started later (e.g. the node's shutdown). */
  readonly signal?: AbortSignal;
}

/** Evaluates on WebGPU; every evaluation throws instead of returning once `signal` aborts. */
export class GpuEvaluator implements Evaluator {
  readonly name: string;
  readonly #gpu: GpuContext;
  readonly #signal: AbortSignal | undefined;
  constructor(gpu: GpuContext, options: GpuEvaluatorOptions = {}) {
    this.#gpu = gpu;
    this.#signal = options.signal;
    this.name = `webgpu (${gpu.adapterName})`;
  }
  evaluate(checkpoint: Checkpoint, validation: Uint8Array, windowLen: number): Promise<number> {
    return evaluateLossGpu(this.#gpu, checkpoint, validation, windowLen, this.#signal);
  }
}

/** Evaluates with the plain-TypeScript CPU reference (slow; used without a WebGPU adapter). */
export class CpuEvaluator implements Evaluator {
  readonly name = "cpu reference";
  evaluate(checkpoint: Checkpoint, validation: Uint8Array, windowLen: number): Promise<number> {
    return Promise.resolve(evaluateLossCpu(checkpoint, validation, windowLen));
  }
}

/**
 * The best evaluator this runtime offers. Without an adapter it warns (through `warn`) that the
 * CPU reference is used and is slow.
 */
export async function createEvaluator(
  warn: (message: string) => void = console.warn,
): Promise<Evaluator> {
  const gpu = await requestGpu();
  if (gpu) return new GpuEvaluator(gpu);
  warn("no WebGPU adapter found: evaluating with the CPU reference (slow)");
  return new CpuEvaluator();
}

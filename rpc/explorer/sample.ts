/**
 * "Generate a sample from the tip" on the explorer's model page: the tip block's checkpoint
 * continues a prompt with the CPU reference's O(1)-state generation (`gpu/ref/generate.ts`, the
 * same as `rnt model generate`), in a worker (`sample_worker.ts`) so the node's thread is never
 * blocked. One sample at a time, at most {@linkcode MAX_SAMPLE_BYTES} bytes, and a sample that
 * takes longer than {@linkcode SAMPLE_TIMEOUT_MS} is stopped.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import type { Node } from "../../node/node.ts";
import type { SampleJob } from "./sample_worker.ts";

/** Most bytes one sample may generate. */
export const MAX_SAMPLE_BYTES = 400;
/** Longest prompt, in bytes. */
export const MAX_PROMPT_BYTES = 1_000;
/** Longest a sample may take before its worker is stopped. */
export const SAMPLE_TIMEOUT_MS = 120_000;
/** What to generate. */
export interface SampleRequest {
  /** Text to continue (at least one byte). */
  readonly prompt: string;
  /** Bytes to generate, 1 … {@linkcode MAX_SAMPLE_BYTES}. */
  readonly length: number;
  /** Sampling seed. */
  readonly seed: number;
}

/** A generated sample. */
export interface Sample {
  /** The block whose checkpoint generated it. */
  readonly blockHash: string;
  /** Its height. */
  readonly height: number;
  /** The prompt and the generated continuation (UTF-8, invalid bytes replaced). */
  readonly prompt: string;
  readonly text: string;
  /** Wall time of the generation, seconds. */
  readonly seconds: number;
}

/** Why a sample could not be made, for the page. */
export class SampleError extends Error {}

/** Makes samples from the tip's checkpoint, one at a time, each in a fresh worker. */
export class TipSampler {
  readonly #node: Node;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #running = new Set<() => void>();
  #closed = false;

  constructor(node: Node) {
    this.#node = node;
  }

  /** Generates a sample; SampleError for a bad request, a pruned tip checkpoint or a timeout. */
  generate(request: SampleRequest): Promise<Sample> {
    const run = this.#queue.then(() => this.#generate(request));
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Stops a running sample (its request gets a SampleError) and refuses new ones. */
  close(): void {
    this.#closed = true;
    for (const stop of this.#running) stop();
  }

  async #generate(request: SampleRequest): Promise<Sample> {
    if (this.#closed) throw new SampleError("Sampling stopped: the explorer is stopping");
    const prompt = new TextEncoder().encode(request.prompt);
    if (prompt.length < 1) throw new SampleError("The prompt must not be empty");
    if (prompt.length > MAX_PROMPT_BYTES) {
      throw new SampleError(`The prompt may have at most ${MAX_PROMPT_BYTES} bytes`);
    }
    if (
      !Number.isInteger(request.length) || request.length < 1 ||
      request.length > MAX_SAMPLE_BYTES
    ) {
      throw new SampleError(`The length must be 1 to ${MAX_SAMPLE_BYTES} bytes`);
    }
    const tip = this.#node.chainstate.tip();
    const checkpoint = await this.#node.chainstate.getCheckpoint(tip.hash);
    if (!checkpoint) throw new SampleError("The tip's checkpoint is not stored here (pruned)");
    if (this.#closed) throw new SampleError("Sampling stopped: the explorer is stopping");
    const started = performance.now();
    const text = await this.#inWorker({
      checkpoint,
      prompt,
      length: request.length,
      seed: request.seed,
    });
    return {
      blockHash: toHex(tip.hash),
      height: tip.height,
      prompt: request.prompt,
      text: new TextDecoder().decode(text),
      seconds: (performance.now() - started) / 1000,
    };
  }

  #inWorker(job: SampleJob): Promise<Uint8Array> {
    const worker = new Worker(new URL("./sample_worker.ts", import.meta.url), { type: "module" });
    return new Promise<Uint8Array>((resolve, reject) => {
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        this.#running.delete(stop);
        worker.terminate();
        settle();
      };
      const stop = () =>
        finish(() => reject(new SampleError("Sampling stopped: the explorer is stopping")));
      const timer = setTimeout(
        () =>
          finish(() => reject(new SampleError(`Sampling took over ${SAMPLE_TIMEOUT_MS / 1000} s`))),
        SAMPLE_TIMEOUT_MS,
      );
      this.#running.add(stop);
      worker.onmessage = (e: MessageEvent<{ text?: Uint8Array; error?: string }>) => {
        const { text, error } = e.data;
        finish(() => text ? resolve(text) : reject(new SampleError(`Sampling failed: ${error}`)));
      };
      worker.onerror = (e) => {
        e.preventDefault();
        finish(() => reject(new SampleError(`Sampling failed: ${e.message}`)));
      };
      worker.postMessage(job);
    });
  }
}

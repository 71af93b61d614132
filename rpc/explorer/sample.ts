/**
 * "Generate a sample from the tip" on the explorer's model page: the tip block's checkpoint,
 * decoded once per tip and kept, continues a prompt with the CPU reference's O(1)-state
 * generation (`gpu/ref/generate.ts`, the same as `rnt model generate`). Generation runs on the
 * node's own thread, so its length is capped ({@linkcode MAX_SAMPLE_BYTES}) and one sample is
 * made at a time.
 *
 * @module
 */
import type { Checkpoint } from "../../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { generateBytes } from "../../gpu/ref/generate.ts";
import type { Node } from "../../node/node.ts";

/** Most bytes one sample may generate. */
export const MAX_SAMPLE_BYTES = 400;
/** Longest prompt, in bytes. */
export const MAX_PROMPT_BYTES = 1_000;

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

/** Makes samples from the tip's checkpoint, one at a time. */
export class TipSampler {
  readonly #node: Node;
  #cached: { hash: string; checkpoint: Checkpoint } | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  constructor(node: Node) {
    this.#node = node;
  }

  /** Generates a sample; SampleError for a bad request or a pruned tip checkpoint. */
  generate(request: SampleRequest): Promise<Sample> {
    const run = this.#queue.then(() => this.#generate(request));
    this.#queue = run.catch(() => {});
    return run;
  }

  async #generate(request: SampleRequest): Promise<Sample> {
    const prompt = new TextEncoder().encode(request.prompt);
    if (prompt.length < 1) throw new SampleError("The prompt must not be empty");
    if (prompt.length > MAX_PROMPT_BYTES) {
      throw new SampleError(`The prompt may have at most ${MAX_PROMPT_BYTES} bytes`);
    }
    if (
      !Number.isInteger(request.length) || request.length < 1 || request.length > MAX_SAMPLE_BYTES
    ) {
      throw new SampleError(`The length must be 1 to ${MAX_SAMPLE_BYTES} bytes`);
    }
    const tip = this.#node.chainstate.tip();
    const hash = toHex(tip.hash);
    if (this.#cached?.hash !== hash) {
      const bytes = await this.#node.chainstate.getCheckpoint(tip.hash);
      if (!bytes) throw new SampleError("The tip's checkpoint is not stored here (pruned)");
      this.#cached = { hash, checkpoint: decodeCheckpoint(bytes) };
    }
    const started = performance.now();
    const out = generateBytes(this.#cached.checkpoint, prompt, request.length, {
      temperature: 0.8,
      topK: 40,
      seed: request.seed >>> 0,
    });
    return {
      blockHash: hash,
      height: tip.height,
      prompt: request.prompt,
      text: new TextDecoder().decode(out),
      seconds: (performance.now() - started) / 1000,
    };
  }
}

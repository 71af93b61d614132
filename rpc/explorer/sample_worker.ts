/**
 * The worker that generates the explorer's samples, so the node's own thread keeps serving peers
 * and RPC while a large model writes (the CPU reference costs O(d_model² × layers) per byte).
 * Receives `{ checkpoint, prompt, length, seed }` (bytes, bytes, numbers), answers
 * `{ text: Uint8Array }` or `{ error: string }`, once.
 *
 * @module
 */
/// <reference no-default-lib="true" />
/// <reference lib="deno.worker" />
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { generateBytes } from "../../gpu/ref/generate.ts";

/** What the sampler sends. */
export interface SampleJob {
  readonly checkpoint: Uint8Array;
  readonly prompt: Uint8Array;
  readonly length: number;
  readonly seed: number;
}

self.onmessage = (event: MessageEvent<SampleJob>) => {
  const { checkpoint, prompt, length, seed } = event.data;
  try {
    const text = generateBytes(decodeCheckpoint(checkpoint), prompt, length, {
      temperature: 0.8,
      topK: 40,
      seed: seed >>> 0,
    });
    self.postMessage({ text });
  } catch (e) {
    self.postMessage({ error: (e as Error)?.message ?? String(e) });
  }
};

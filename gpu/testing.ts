/**
 * Test helpers for kernels: a registration wrapper that ignores GPU tests, with a printed
 * reason, when the runtime has no adapter; seeded random inputs; and the llm.c-style closeness
 * check |gpu − ref| ≤ atol + rtol·|ref|.
 *
 * @module
 */
import { mulberry32 } from "../core/util/mulberry32.ts";
import { type GpuContext, requestGpu } from "./device.ts";

const gpu = await requestGpu();
let warned = false;

/** Registers a test that needs WebGPU; without an adapter it is ignored and says why. */
export function gpuTest(name: string, fn: (gpu: GpuContext) => Promise<void> | void): void {
  if (!gpu && !warned) {
    warned = true;
    console.warn("WebGPU tests ignored: no WebGPU adapter in this runtime (navigator.gpu).");
  }
  Deno.test({ name, ignore: !gpu, fn: () => fn(gpu!) });
}

/** Small deterministic PRNG (mulberry32) for test inputs; not for consensus. */
export function seededRandom(seed: number): () => number {
  return mulberry32(seed);
}

/** A Float32Array of `n` uniform values in [-scale, scale). */
export function randomF32(n: number, seed: number, scale = 1): Float32Array {
  const rand = seededRandom(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = (rand() * 2 - 1) * scale;
  return out;
}

/**
 * Throws with the worst offending index when any |actual − expected| > atol + rtol·|expected|;
 * returns the largest relative error seen, for recording.
 */
export function assertClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol = 1e-5,
  rtol = 1e-4,
  what = "values",
): number {
  if (actual.length !== expected.length) {
    throw new Error(`${what}: length ${actual.length} != expected ${expected.length}`);
  }
  let worstRel = 0;
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!; // i < length, equal for both (checked above)
    const diff = Math.abs(a - e);
    if (!(diff <= atol + rtol * Math.abs(e))) {
      throw new Error(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${diff})`);
    }
    const rel = diff / Math.max(Math.abs(e), 1e-12);
    if (diff > atol && rel > worstRel) worstRel = rel;
  }
  return worstRel;
}

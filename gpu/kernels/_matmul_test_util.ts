/**
 * Test helpers (private) shared by the matmul kernel tests: the random inputs of a linear layer's
 * three products (forward, backward-input, backward-weight), their CPU references, and reading
 * the GPU results back.
 *
 * @module
 */
import { createStorage, type GpuContext, readF32 } from "../device.ts";
import { matmulBackward, matmulForward } from "../ref/matmul.ts";
import { randomF32 } from "../testing.ts";

/** A linear layer's shape: rows of x, input width, output width. */
export type Shape = [rows: number, inDim: number, outDim: number];

/** The three products y = x·wᵀ, dx = dy·w, dw = dyᵀ·x. */
export interface Products {
  y: Float32Array;
  dx: Float32Array;
  dw: Float32Array;
}

/** Random inputs, initial outputs (for accumulation) and their GPU buffers. */
export interface LinearCase {
  x: Float32Array;
  w: Float32Array;
  dy: Float32Array;
  /** Initial contents of y, dx, dw (added to when accumulating). */
  initial: Products;
  buffers: {
    x: GPUBuffer;
    w: GPUBuffer;
    dy: GPUBuffer;
    y: GPUBuffer;
    dx: GPUBuffer;
    dw: GPUBuffer;
  };
}

/** Random inputs for `shape` from `seed`, uploaded to fresh storage buffers. */
export function linearCase(
  gpu: GpuContext,
  [rows, inDim, outDim]: Shape,
  seed: number,
): LinearCase {
  const x = randomF32(rows * inDim, seed), w = randomF32(outDim * inDim, seed + 1);
  const dy = randomF32(rows * outDim, seed + 2);
  const initial = {
    y: randomF32(rows * outDim, seed + 3),
    dx: randomF32(rows * inDim, seed + 4),
    dw: randomF32(outDim * inDim, seed + 5),
  };
  const buffers = {
    x: createStorage(gpu, x),
    w: createStorage(gpu, w),
    dy: createStorage(gpu, dy),
    y: createStorage(gpu, initial.y),
    dx: createStorage(gpu, initial.dx),
    dw: createStorage(gpu, initial.dw),
  };
  return { x, w, dy, initial, buffers };
}

/** Reads the GPU's products back, frees the case's buffers, and returns them with the CPU's. */
export async function finishLinearCase(
  gpu: GpuContext,
  c: LinearCase,
  [rows, inDim, outDim]: Shape,
  acc: boolean,
): Promise<{ got: Products; want: Products }> {
  const got = {
    y: await readF32(gpu, c.buffers.y, rows * outDim),
    dx: await readF32(gpu, c.buffers.dx, rows * inDim),
    dw: await readF32(gpu, c.buffers.dw, outDim * inDim),
  };
  for (const buf of Object.values(c.buffers)) buf.destroy();
  const y = matmulForward(c.x, c.w, rows, inDim, outDim);
  const { dx, dw } = matmulBackward(c.dy, c.x, c.w, rows, inDim, outDim);
  if (acc) {
    y.forEach((v, i) => y[i] = v + c.initial.y[i]!);
    dx.forEach((v, i) => dx[i] = v + c.initial.dx[i]!);
    dw.forEach((v, i) => dw[i] = v + c.initial.dw[i]!);
  }
  return { got, want: { y, dx, dw } };
}

import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext } from "../device.ts";
import { assertClose, gpuTest } from "../testing.ts";
import {
  PACKED_BLOCK,
  PACKED_K,
  PACKED_MIN_WORK,
  recordMatmulBackwardInput,
  recordMatmulBackwardWeight,
  recordMatmulForward,
  TEXTURE_MIN_WORK,
} from "./matmul.ts";
import { textureLimits } from "./matmul_texture.ts";
import { finishLinearCase, linearCase, type Shape } from "./_matmul_test_util.ts";

// 1s, multiples of 4 that are not multiples of the 8×8 tile, odd sizes for the scalar fallback,
// and shapes where only one operand is vec4-aligned.
const SHAPES: Shape[] = [
  [1, 1, 1],
  [1, 4, 4],
  [5, 12, 20],
  [17, 36, 44],
  [3, 5, 7],
  [9, 8, 6],
  [10, 6, 8],
  [33, 64, 32],
  // Texture path (rows·inDim·outDim ≥ TEXTURE_MIN_WORK), three products in one batch: odd sizes,
  // several 128-row blocks on both sides, k = 1.
  [131, 67, 133],
  [200, 130, 260],
  [1024, 1, 1024],
  [261, 135, 250],
];

async function runAll(gpu: GpuContext, shape: Shape, seed: number, acc: boolean) {
  const [rows, inDim, outDim] = shape;
  const c = linearCase(gpu, shape, seed);
  const batch = new CommandBatch(gpu);
  recordMatmulForward(batch, c.buffers.y, c.buffers.x, c.buffers.w, rows, inDim, outDim, acc);
  recordMatmulBackwardInput(
    batch,
    c.buffers.dx,
    c.buffers.dy,
    c.buffers.w,
    rows,
    inDim,
    outDim,
    acc,
  );
  recordMatmulBackwardWeight(
    batch,
    c.buffers.dw,
    c.buffers.dy,
    c.buffers.x,
    rows,
    inDim,
    outDim,
    acc,
  );
  batch.submit();
  return await finishLinearCase(gpu, c, shape, acc);
}

for (const acc of [false, true]) {
  gpuTest(`matmul kernels match the CPU reference on edge shapes (acc=${acc})`, async (gpu) => {
    for (const [s, shape] of SHAPES.entries()) {
      const { got, want } = await runAll(gpu, shape, 10 * s + (acc ? 1000 : 0), acc);
      const tag = `${shape.join("x")}${acc ? " acc" : ""}`;
      assertClose(got.y, want.y, 1e-5, 1e-4, `y ${tag}`);
      assertClose(got.dx, want.dx, 1e-5, 1e-4, `dx ${tag}`);
      assertClose(got.dw, want.dw, 1e-5, 1e-4, `dw ${tag}`);
    }
  });
}

Deno.test("the edge shapes cover the small-product kernels and several texture blocks", () => {
  const large = SHAPES.filter(([r, i, o]) => r * i * o >= TEXTURE_MIN_WORK);
  assert.ok(large.length >= 2 && large.length < SHAPES.length);
  assert.ok(large.some(([r, i, o]) => Math.min(r, i, o) > PACKED_BLOCK));
  assert.ok(TEXTURE_MIN_WORK >= PACKED_MIN_WORK);
});

gpuTest("products beyond the texture limits take the packed path and match", async (gpu) => {
  // More rows than texture layers hold: all three products fall back to the packed path (rows is
  // K of the backward-weight product, beyond maxK too), across several k chunks there.
  const { maxK, maxRows } = textureLimits(gpu);
  const shape: Shape = [maxRows + 1, 5, 8];
  assert.ok(shape[0] > maxK && shape[0] * 5 * 8 >= PACKED_MIN_WORK && shape[0] > PACKED_K);
  const { got, want } = await runAll(gpu, shape, 321, true);
  assertClose(got.y, want.y, 1e-5, 1e-4, "y");
  assertClose(got.dx, want.dx, 1e-5, 1e-4, "dx");
  assertClose(got.dw, want.dw, 1e-5, 1e-4, "dw");
});

gpuTest("matmul kernels are bit-identical across runs", async (gpu) => {
  for (const shape of [[40, 64, 48], [150, 140, 136], [261, 135, 250]] as Shape[]) {
    const a = await runAll(gpu, shape, 77, false);
    const b = await runAll(gpu, shape, 77, false);
    assert.deepEqual(a.got.y, b.got.y);
    assert.deepEqual(a.got.dx, b.got.dx);
    assert.deepEqual(a.got.dw, b.got.dw);
    // Sanity: at this size the accumulation really is non-trivial.
    assertClose(a.got.dw, a.want.dw, 1e-5, 1e-4, "dw");
  }
});

gpuTest("recordMatmulForward() rejects negative or fractional sizes", (gpu) => {
  const buf = createStorage(gpu, 16);
  const batch = new CommandBatch(gpu);
  assert.throws(() => recordMatmulForward(batch, buf, buf, buf, -1, 4, 4), RangeError);
  assert.throws(() => recordMatmulForward(batch, buf, buf, buf, 1, 2.5, 4), RangeError);
  buf.destroy();
});

import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { matmulBackward, matmulForward } from "../ref/matmul.ts";
import {
  matmulTexture,
  recordMatmulTexture,
  TEXTURE_BLOCK,
  textureLimits,
} from "./matmul_texture.ts";
import { finishLinearCase, linearCase, type Shape } from "./_matmul_test_util.ts";

// 1s, sizes that are not multiples of 4 or of the 16×16 tile, and several 128-row blocks.
const SHAPES: Shape[] = [[1, 1, 1], [3, 5, 7], [17, 36, 44], [131, 67, 133], [200, 130, 260]];

/** The three products of a linear layer through the texture path, and their CPU references. */
async function runAll(gpu: GpuContext, shape: Shape, seed: number, acc: boolean) {
  const [rows, inDim, outDim] = shape;
  const c = linearCase(gpu, shape, seed);
  matmulTexture(
    gpu,
    c.buffers.y,
    { buf: c.buffers.x, n: rows, si: inDim, sk: 1 },
    {
      buf: c.buffers.w,
      n: outDim,
      si: inDim,
      sk: 1,
    },
    inDim,
    acc,
  );
  matmulTexture(
    gpu,
    c.buffers.dx,
    { buf: c.buffers.dy, n: rows, si: outDim, sk: 1 },
    {
      buf: c.buffers.w,
      n: inDim,
      si: 1,
      sk: inDim,
    },
    outDim,
    acc,
  );
  matmulTexture(
    gpu,
    c.buffers.dw,
    { buf: c.buffers.dy, n: outDim, si: 1, sk: outDim },
    {
      buf: c.buffers.x,
      n: inDim,
      si: 1,
      sk: inDim,
    },
    rows,
    acc,
  );
  return await finishLinearCase(gpu, c, shape, acc);
}

for (const acc of [false, true]) {
  gpuTest(
    `matmulTexture() matches the CPU reference for all three products (acc=${acc})`,
    async (gpu) => {
      for (const [s, shape] of SHAPES.entries()) {
        const { got, want } = await runAll(gpu, shape, 20 * s + (acc ? 500 : 0), acc);
        const tag = `${shape.join("x")}${acc ? " acc" : ""}`;
        assertClose(got.y, want.y, 1e-5, 1e-4, `y ${tag}`);
        assertClose(got.dx, want.dx, 1e-5, 1e-4, `dx ${tag}`);
        assertClose(got.dw, want.dw, 1e-5, 1e-4, `dw ${tag}`);
      }
    },
  );
}

gpuTest(
  "recordMatmulTexture() keeps each product's sizes and data within one batch",
  async (gpu) => {
    // Four products in one submit: two forwards of the same size (same cached panels, textures and
    // padded result), the second accumulating, then a backward-input and a backward-weight product
    // of other sizes. Each must see its own operands and parameters.
    const [rows, inDim, outDim] = [131, 67, 133];
    const x1 = randomF32(rows * inDim, 41), x2 = randomF32(rows * inDim, 42);
    const w = randomF32(outDim * inDim, 43), dy = randomF32(rows * outDim, 44);
    const [bx1, bx2, bw, bdy] = [x1, x2, w, dy].map((v) => createStorage(gpu, v)) as GPUBuffer[];
    const by1 = createStorage(gpu, rows * outDim * 4), by2 = createStorage(gpu, rows * outDim * 4);
    const bdx = createStorage(gpu, rows * inDim * 4), bdw = createStorage(gpu, outDim * inDim * 4);
    const fwd = (buf: GPUBuffer) => ({ buf, n: rows, si: inDim, sk: 1 });
    const wRows = { buf: bw!, n: outDim, si: inDim, sk: 1 };
    const batch = new CommandBatch(gpu);
    recordMatmulTexture(batch, by1, fwd(bx1!), wRows, inDim, false);
    recordMatmulTexture(batch, by2, fwd(bx1!), wRows, inDim, false);
    recordMatmulTexture(batch, by2, fwd(bx2!), wRows, inDim, true);
    recordMatmulTexture(
      batch,
      bdx,
      { buf: bdy!, n: rows, si: outDim, sk: 1 },
      {
        buf: bw!,
        n: inDim,
        si: 1,
        sk: inDim,
      },
      outDim,
      false,
    );
    recordMatmulTexture(
      batch,
      bdw,
      { buf: bdy!, n: outDim, si: 1, sk: outDim },
      {
        buf: bx1!,
        n: inDim,
        si: 1,
        sk: inDim,
      },
      rows,
      false,
    );
    batch.submit();
    const y1 = matmulForward(x1, w, rows, inDim, outDim);
    const y2 = matmulForward(x2, w, rows, inDim, outDim).map((v, i) => v + y1[i]!);
    const { dx, dw } = matmulBackward(dy, x1, w, rows, inDim, outDim);
    assertClose(await readF32(gpu, by1, rows * outDim), y1, 1e-5, 1e-4, "y1");
    assertClose(await readF32(gpu, by2, rows * outDim), y2, 1e-5, 1e-4, "y1 + y2");
    assertClose(await readF32(gpu, bdx, rows * inDim), dx, 1e-5, 1e-4, "dx");
    assertClose(await readF32(gpu, bdw, outDim * inDim), dw, 1e-5, 1e-4, "dw");
    for (const buf of [bx1, bx2, bw, bdy, by1, by2, bdx, bdw]) buf!.destroy();
  },
);

gpuTest("matmulTexture() is bit-identical across runs", async (gpu) => {
  const a = await runAll(gpu, [150, 140, 136], 9, false);
  const b = await runAll(gpu, [150, 140, 136], 9, false);
  assert.deepEqual(a.got, b.got);
  assert.ok(150 > TEXTURE_BLOCK, "spans two blocks");
});

gpuTest(
  "matmulTexture() with K = 0 writes zeros, or leaves c alone when accumulating",
  async (gpu) => {
    const c0 = randomF32(6, 3);
    for (const acc of [false, true]) {
      const c = createStorage(gpu, c0), a = createStorage(gpu, 4), b = createStorage(gpu, 4);
      matmulTexture(gpu, c, { buf: a, n: 2, si: 0, sk: 1 }, { buf: b, n: 3, si: 0, sk: 1 }, 0, acc);
      assert.deepEqual(await readF32(gpu, c, 6), acc ? c0 : new Float32Array(6));
      for (const buf of [a, b, c]) buf.destroy();
    }
  },
);

gpuTest("matmulTexture() rejects sizes beyond the texture limits", (gpu) => {
  const buf = createStorage(gpu, 16);
  const op = { buf, n: 1, si: 1, sk: 1 };
  const { maxK, maxRows } = textureLimits(gpu);
  assert.throws(() => matmulTexture(gpu, buf, op, op, maxK + 1, false), RangeError);
  assert.throws(() => matmulTexture(gpu, buf, { ...op, n: maxRows + 1 }, op, 1, false), RangeError);
  assert.throws(() => matmulTexture(gpu, buf, op, op, -1, false), RangeError);
  buf.destroy();
});

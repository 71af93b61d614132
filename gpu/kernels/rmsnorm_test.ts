import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { rmsnormBackward, rmsnormForward } from "../ref/rmsnorm.ts";
import { recordRmsnormBackward, recordRmsnormForward } from "./rmsnorm.ts";

async function run(gpu: GpuContext, rows: number, dim: number, seed: number, accDx: boolean) {
  const x = randomF32(rows * dim, seed, 2), gain = randomF32(dim, seed + 1);
  const dy = randomF32(rows * dim, seed + 2), dx0 = randomF32(rows * dim, seed + 3);
  const bx = createStorage(gpu, x), bg = createStorage(gpu, gain), bdy = createStorage(gpu, dy);
  const by = createStorage(gpu, rows * dim * 4), brs = createStorage(gpu, rows * 4);
  const bdx = createStorage(gpu, dx0), bdg = createStorage(gpu, dim * 4);
  const b = new CommandBatch(gpu);
  recordRmsnormForward(b, by, brs, bx, bg, rows, dim);
  recordRmsnormBackward(b, bdx, bdg, bdy, bx, bg, brs, rows, dim, accDx);
  b.submit();
  const got = {
    y: await readF32(gpu, by, rows * dim),
    rstd: await readF32(gpu, brs, rows),
    dx: await readF32(gpu, bdx, rows * dim),
    dgain: await readF32(gpu, bdg, dim),
  };
  for (const buf of [bx, bg, bdy, by, brs, bdx, bdg]) buf.destroy();
  const { y, rstd } = rmsnormForward(x, gain, rows, dim);
  const { dx, dgain } = rmsnormBackward(dy, x, gain, rstd, rows, dim);
  if (accDx) dx.forEach((v, i) => dx[i] = v + dx0[i]!);
  return { got, want: { y, rstd, dx, dgain } };
}

for (const accDx of [false, true]) {
  gpuTest(`rmsnorm kernels match the CPU reference (accDx=${accDx})`, async (gpu) => {
    for (const [rows, dim] of [[1, 1], [3, 5], [70, 33]] as const) {
      const { got, want } = await run(gpu, rows, dim, rows * dim, accDx);
      const tag = `${rows}x${dim}`;
      assertClose(got.y, want.y, 1e-5, 1e-4, `y ${tag}`);
      assertClose(got.rstd, want.rstd, 1e-5, 1e-4, `rstd ${tag}`);
      assertClose(got.dx, want.dx, 1e-5, 1e-4, `dx ${tag}`);
      assertClose(got.dgain, want.dgain, 1e-5, 1e-4, `dgain ${tag}`);
    }
  });
}

gpuTest("rmsnorm kernels are bit-identical across runs", async (gpu) => {
  const a = await run(gpu, 65, 48, 9, false), b = await run(gpu, 65, 48, 9, false);
  for (const k of ["y", "rstd", "dx", "dgain"] as const) assert.deepEqual(a.got[k], b.got[k]);
});

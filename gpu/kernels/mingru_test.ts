import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { minGruScanBackward, minGruScanForward } from "../ref/mingru.ts";
import { recordMinGruScanBackward, recordMinGruScanForward } from "./mingru.ts";

async function runScan(
  gpu: GpuContext,
  k: Float32Array,
  u: Float32Array,
  ds: Float32Array,
  batch: number,
  time: number,
  dim: number,
) {
  const n = batch * time * dim;
  const [bk, bu, bds] = [k, u, ds].map((x) => createStorage(gpu, x));
  const [bs, bdk, bdu] = [0, 1, 2].map(() => createStorage(gpu, n * 4));
  const cb = new CommandBatch(gpu);
  recordMinGruScanForward(cb, bs!, bk!, bu!, batch, time, dim);
  recordMinGruScanBackward(cb, bdk!, bdu!, bds!, bk!, bu!, bs!, batch, time, dim);
  cb.submit();
  const out = {
    s: await readF32(gpu, bs!, n),
    dk: await readF32(gpu, bdk!, n),
    du: await readF32(gpu, bdu!, n),
  };
  for (const b of [bk, bu, bds, bs, bdk, bdu]) b!.destroy();
  return out;
}

// Measured on llvmpipe (2×512×16, mostly closed gates, vs the f64 reference): worst |err|
// s 2.0e-6 (relative 9e-7), dk 5.1e-7, du 6.8e-7.
gpuTest("recordMinGruScanForward/Backward() match the CPU reference on edge sizes", async (gpu) => {
  const shapes: [number, number, number][] = [[1, 1, 1], [1, 5, 3], [3, 17, 65], [2, 64, 16]];
  for (const [batch, time, dim] of shapes) {
    const n = batch * time * dim;
    const k = randomF32(n, n, 6);
    const u = randomF32(n, n + 1, 3); // both sides of g's kink at 0
    const ds = randomF32(n, n + 2);
    const got = await runScan(gpu, k, u, ds, batch, time, dim);
    const s = minGruScanForward(k, u, batch, time, dim);
    const ref = minGruScanBackward(ds, k, u, s, batch, time, dim);
    const what = `${batch}x${time}x${dim}`;
    assertClose(got.s, s, 1e-6, 2e-5, `s ${what}`);
    assertClose(got.dk, ref.dk, 1e-5, 1e-4, `dk ${what}`);
    assertClose(got.du, ref.du, 1e-5, 1e-4, `du ${what}`);
  }
});

gpuTest("recordMinGruScanForward() keeps accuracy over a 512-step window", async (gpu) => {
  const batch = 2, time = 512, dim = 8, n = batch * time * dim;
  const k = randomF32(n, 11, 8).map((v) => v - 4); // mostly closed gates: long memory
  const u = randomF32(n, 12, 3);
  const ds = randomF32(n, 13);
  const got = await runScan(gpu, k, u, ds, batch, time, dim);
  const s = minGruScanForward(k, u, batch, time, dim);
  const ref = minGruScanBackward(ds, k, u, s, batch, time, dim);
  // Measured worst relative error of s ≈ 1e-6 (f32 log/exp round trip on llvmpipe).
  assertClose(got.s, s, 1e-6, 5e-5, "s");
  assertClose(got.dk, ref.dk, 1e-5, 1e-4, "dk");
  assertClose(got.du, ref.du, 1e-5, 1e-4, "du");
});

gpuTest("recordMinGruScan*() are bit-identical across runs", async (gpu) => {
  const batch = 3, time = 40, dim = 33, n = batch * time * dim;
  const k = randomF32(n, 21, 5), u = randomF32(n, 22, 3), ds = randomF32(n, 23);
  const first = await runScan(gpu, k, u, ds, batch, time, dim);
  const second = await runScan(gpu, k, u, ds, batch, time, dim);
  assert.deepEqual(second, first);
});

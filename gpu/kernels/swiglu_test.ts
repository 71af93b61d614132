import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { swigluBackward, swigluForward } from "../ref/swiglu.ts";
import { recordSwigluBackward, recordSwigluForward } from "./swiglu.ts";

async function runSwiglu(gpu: GpuContext, a: Float32Array, c: Float32Array, dm: Float32Array) {
  const n = a.length;
  const [ba, bc, bdm] = [a, c, dm].map((x) => createStorage(gpu, x));
  const [bm, bda, bdc] = [0, 1, 2].map(() => createStorage(gpu, n * 4));
  const batch = new CommandBatch(gpu);
  recordSwigluForward(batch, bm!, ba!, bc!, n);
  recordSwigluBackward(batch, bda!, bdc!, bdm!, ba!, bc!, n);
  batch.submit();
  const out = {
    m: await readF32(gpu, bm!, n),
    da: await readF32(gpu, bda!, n),
    dc: await readF32(gpu, bdc!, n),
  };
  for (const buf of [ba, bc, bdm, bm, bda, bdc]) buf!.destroy();
  return out;
}

gpuTest(
  "recordSwigluForward/Backward() match the CPU reference on edge and odd sizes",
  async (gpu) => {
    for (const n of [1, 63, 65, 1000]) {
      const a = randomF32(n, n, 8); // saturates σ at both ends
      const c = randomF32(n, n + 1, 2);
      const dm = randomF32(n, n + 2);
      const got = await runSwiglu(gpu, a, c, dm);
      const ref = swigluBackward(dm, a, c);
      // Measured on llvmpipe (n 1000, |a| ≤ 8): worst |err| m 1.3e-6, da 5.4e-7, dc 6.2e-7.
      assertClose(got.m, swigluForward(a, c), 1e-6, 1e-5, `m (n ${n})`);
      assertClose(got.da, ref.da, 1e-6, 1e-5, `da (n ${n})`);
      assertClose(got.dc, ref.db, 1e-6, 1e-5, `dc (n ${n})`);
    }
  },
);

gpuTest("recordSwigluForward() covers more than 65535 workgroups via a 2-D grid", async (gpu) => {
  const n = 65536 * 64 + 5;
  const a = randomF32(n, 3, 4);
  const c = randomF32(n, 4);
  const got = await runSwiglu(gpu, a, c, c);
  const ref = swigluForward(a, c);
  assertClose(got.m, ref, 1e-6, 1e-5, "m");
});

gpuTest("recordSwigluBackward() is bit-identical across runs", async (gpu) => {
  const n = 777;
  const a = randomF32(n, 5, 4), c = randomF32(n, 6), dm = randomF32(n, 7);
  const first = await runSwiglu(gpu, a, c, dm);
  const second = await runSwiglu(gpu, a, c, dm);
  assert.deepEqual(second, first);
});

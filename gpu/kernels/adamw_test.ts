import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { adamwUpdate } from "../ref/adamw.ts";
import {
  type AdamwStepOptions,
  recordAdamw,
  recordSegmentedSumSquares,
  recordSumSquares,
} from "./adamw.ts";

const base = { lr: 1e-2, beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 };

/** Runs `steps` steps on GPU and CPU with the norm computed by recordSumSquares. */
async function run(gpu: GpuContext, n: number, steps: number, maxGradNorm: number) {
  const p = randomF32(n, 1), m = new Float32Array(n), v = new Float32Array(n);
  const bp = createStorage(gpu, p), bm = createStorage(gpu, m), bv = createStorage(gpu, v);
  const bg = createStorage(gpu, n * 4), bn = createStorage(gpu, 12);
  for (let t = 1; t <= steps; t++) {
    const grad = randomF32(n, 100 + t, 0.5);
    const b = new CommandBatch(gpu);
    const upload = createStorage(gpu, grad);
    b.copy(upload, bg, n * 4);
    recordSumSquares(b, bn, bg, n, 2);
    recordSumSquares(b, bn, bg, n, 0);
    const opts: AdamwStepOptions = { ...base, step: t, maxGradNorm };
    recordAdamw(b, bp, bg, bm, bv, bn, n, opts);
    b.submit();
    let normSq = 0;
    for (const g of grad) normSq += g * g;
    const scale = maxGradNorm > 0 && normSq > maxGradNorm ** 2
      ? maxGradNorm / Math.sqrt(normSq)
      : 1;
    adamwUpdate(p, grad, m, v, t, base, scale);
    const ns = await readF32(gpu, bn, 3);
    upload.destroy();
    assertClose([ns[0]!, ns[2]!], [normSq, normSq], 1e-5, 1e-5, "normSq");
    assert.equal(ns[1], 0);
  }
  const got = {
    p: await readF32(gpu, bp, n),
    m: await readF32(gpu, bm, n),
    v: await readF32(gpu, bv, n),
  };
  for (const buf of [bp, bm, bv, bg, bn]) buf.destroy();
  return { got, want: { p, m, v } };
}

for (const maxGradNorm of [0, 1]) {
  gpuTest(`recordAdamw() matches the CPU reference (maxGradNorm=${maxGradNorm})`, async (gpu) => {
    for (const n of [1, 67, 1000]) {
      const { got, want } = await run(gpu, n, 3, maxGradNorm);
      assertClose(got.p, want.p, 1e-6, 1e-5, `param n=${n}`);
      assertClose(got.m, want.m, 1e-7, 1e-5, `m n=${n}`);
      assertClose(got.v, want.v, 1e-8, 1e-5, `v n=${n}`);
    }
  });
}

gpuTest("recordAdamw() clipping changes the update when the norm is large", async (gpu) => {
  const clipped = await run(gpu, 1000, 1, 1), free = await run(gpu, 1000, 1, 0);
  // With n = 1000 and |g| ~ 0.29 the norm is ~9, so clipping to 1 must change the moments.
  assert.ok(Math.abs(clipped.got.m[0]! - free.got.m[0]!) > 1e-4);
});

gpuTest("adamw kernels are bit-identical across runs", async (gpu) => {
  const a = await run(gpu, 500, 2, 1), b = await run(gpu, 500, 2, 1);
  assert.deepEqual(a.got.p, b.got.p);
});

gpuTest("recordAdamw() rejects step 0", (gpu) => {
  const buf = createStorage(gpu, 4);
  assert.throws(
    () =>
      recordAdamw(new CommandBatch(gpu), buf, buf, buf, buf, buf, 1, {
        ...base,
        step: 0,
        maxGradNorm: 1,
      }),
    RangeError,
  );
  buf.destroy();
});

gpuTest(
  "recordSegmentedSumSquares() gives each range the same bits as recordSumSquares()",
  async (gpu) => {
    // Ranges of one buffer at 256-byte-aligned starts: empty, short, several sweeps of 256 threads.
    const ranges = [[0, 3], [64, 0], [128, 1000], [1152, 257], [1472, 5000]] as const;
    const values = randomF32(6500, 9, 3);
    const input = createStorage(gpu, values);
    const segments = createStorage(gpu, Uint32Array.from(ranges.flat()));
    const together = createStorage(gpu, ranges.length * 4);
    const apart = createStorage(gpu, ranges.length * 4);
    const b = new CommandBatch(gpu);
    recordSegmentedSumSquares(b, together, input, segments, ranges.length);
    for (const [i, [first, n]] of ranges.entries()) {
      recordSumSquares(
        b,
        apart,
        { buffer: input, offset: first * 4, size: Math.max(n, 1) * 4 },
        n,
        i,
      );
    }
    b.submit();
    const got = await readF32(gpu, together, ranges.length);
    assert.deepEqual(got, await readF32(gpu, apart, ranges.length));
    let want = 0;
    for (const v of values.subarray(128, 1128)) want += v * v;
    assertClose([got[2]!], [want], 1e-3, 1e-5, "Σ v² of [128, 1128)");
    for (const buf of [input, segments, together, apart]) buf.destroy();
  },
);

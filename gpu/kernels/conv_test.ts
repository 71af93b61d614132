import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32 } from "../testing.ts";
import { CONV_KERNELS, convBackward, convForward } from "../ref/conv.ts";
import { recordConvBackward, recordConvForward } from "./conv.ts";

interface ConvCase {
  batch: number;
  time: number;
  dim: number;
  x: Float32Array;
  dy: Float32Array;
  weights: Float32Array[];
  gains: Float32Array;
  /** Initial contents of y and dx, to test accumulation. */
  init: Float32Array;
}

function makeCase(batch: number, time: number, dim: number, seed: number): ConvCase {
  const n = batch * time * dim;
  return {
    batch,
    time,
    dim,
    x: randomF32(n, seed),
    dy: randomF32(n, seed + 1),
    weights: CONV_KERNELS.map((k, b) => randomF32(k * dim, seed + 2 + b, 0.3)),
    gains: randomF32(5 * dim, seed + 7),
    init: randomF32(n, seed + 8),
  };
}

async function runConv(gpu: GpuContext, cs: ConvCase, acc: boolean) {
  const { batch, time, dim } = cs;
  const n = batch * time * dim;
  const bx = createStorage(gpu, cs.x), bdy = createStorage(gpu, cs.dy);
  const bw = cs.weights.map((w) => createStorage(gpu, w));
  const bg = createStorage(gpu, cs.gains);
  const by = createStorage(gpu, cs.init), bdx = createStorage(gpu, cs.init);
  const bdw = CONV_KERNELS.map((k) => createStorage(gpu, k * dim * 4));
  const bdg = createStorage(gpu, 5 * dim * 4);
  const cb = new CommandBatch(gpu);
  recordConvForward(cb, by, bx, bw, bg, batch, time, dim, acc);
  recordConvBackward(cb, bdx, bdw, bdg, bdy, bx, bw, bg, batch, time, dim, acc);
  cb.submit();
  const out = {
    y: await readF32(gpu, by, n),
    dx: await readF32(gpu, bdx, n),
    dweights: [] as Float32Array[],
    dgains: await readF32(gpu, bdg, 5 * dim),
  };
  for (let b = 0; b < 5; b++) {
    out.dweights.push(await readF32(gpu, bdw[b]!, CONV_KERNELS[b]! * dim));
  }
  for (const buf of [bx, bdy, bg, by, bdx, bdg, ...bw, ...bdw]) buf.destroy();
  return out;
}

function checkAgainstReference(
  cs: ConvCase,
  got: Awaited<ReturnType<typeof runConv>>,
  acc: boolean,
) {
  const { batch, time, dim } = cs;
  const what = `${batch}x${time}x${dim}${acc ? " acc" : ""}`;
  const y = convForward(cs.x, cs.weights, cs.gains, batch, time, dim);
  const ref = convBackward(cs.dy, cs.x, cs.weights, cs.gains, batch, time, dim);
  if (acc) {
    for (let i = 0; i < y.length; i++) {
      y[i] = y[i]! + cs.init[i]!;
      ref.dx[i] = ref.dx[i]! + cs.init[i]!;
    }
  }
  assertClose(got.y, y, 1e-5, 1e-4, `y ${what}`);
  assertClose(got.dx, ref.dx, 1e-5, 1e-4, `dx ${what}`);
  // dweights and dgains sum over batch·time products: atol scales with the row count.
  const atol = 1e-6 * batch * time;
  ref.dweights.forEach((d, b) => assertClose(got.dweights[b]!, d, atol, 1e-4, `dw${b} ${what}`));
  assertClose(got.dgains, ref.dgains, atol, 1e-4, `dgains ${what}`);
}

// Measured on llvmpipe (2×129×16 vs the f64 reference): worst |err| y 7.6e-7, dx 9.1e-7,
// dweights 9.6e-6, dgains 4.8e-6.
gpuTest("recordConvForward/Backward() match the CPU reference on edge sizes", async (gpu) => {
  // time 1, time < every kernel, non-multiples of the 64-step tile, time > 63, odd channels.
  const shapes: [number, number, number][] = [
    [1, 1, 1],
    [2, 5, 3],
    [1, 13, 65],
    [3, 70, 7],
    [2, 129, 16],
  ];
  for (const [i, [batch, time, dim]] of shapes.entries()) {
    const cs = makeCase(batch, time, dim, 100 * i);
    checkAgainstReference(cs, await runConv(gpu, cs, false), false);
  }
});

gpuTest("recordConvForward/Backward() accumulate into y and dx when asked", async (gpu) => {
  const cs = makeCase(2, 37, 5, 7);
  checkAgainstReference(cs, await runConv(gpu, cs, true), true);
});

gpuTest("recordConvForward/Backward() are bit-identical across runs", async (gpu) => {
  const cs = makeCase(3, 80, 24, 9);
  const first = await runConv(gpu, cs, false);
  const second = await runConv(gpu, cs, false);
  assert.deepEqual(second, first);
});

gpuTest("recordConvForward() rejects the wrong number of branch buffers", (gpu) => {
  const buf = createStorage(gpu, 4);
  const cb = new CommandBatch(gpu);
  assert.throws(() => recordConvForward(cb, buf, buf, [buf], buf, 1, 1, 1), RangeError);
  buf.destroy();
});

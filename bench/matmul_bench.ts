/**
 * Matmul throughput on the current WebGPU adapter, for the three products of a linear layer:
 * as `recordMatmul*` record them (the texture path at these sizes: operands in `rgba32float`
 * texture arrays, 16×16 tiles), through the packed uniform-buffer path (`recordMatmulPacked`, the
 * fallback beyond the texture limits), and through the storage-buffer register-blocked kernels
 * (what small products use; the forward one is the baseline), plus, at 256, a plain-JS triple
 * loop. One group per square size; each timed iteration records `reps` dispatches, submits once and waits for the
 * queue. GFLOP/s per case (2·n³·reps / time) is printed when the run ends, per second of wall
 * time and per second of this process's CPU time (user + system, all threads: llvmpipe's workers
 * run in-process). On a shared machine the wall figure swings with the other jobs' load; the
 * CPU-time figure (GFLOP per core-second) is steadier.
 *
 * Run: deno bench --allow-read --allow-env --allow-ffi bench/matmul_bench.ts
 * (`RNT_MATMUL_SIZES=512,1024` runs only those sizes.)
 *
 * @module
 */
import process from "node:process";
import { CommandBatch, createStorage, readStorage, requestGpu } from "../gpu/device.ts";
import { randomF32 } from "../gpu/testing.ts";
import { grid1d } from "../gpu/kernels/elementwise.ts";
import { matmulForward } from "../gpu/ref/matmul.ts";
import {
  FORWARD_TILE_M,
  FORWARD_TILE_N,
  matmulBackwardInputWgsl,
  matmulBackwardWeightWgsl,
  matmulForwardWgsl,
  recordMatmulBackwardInput,
  recordMatmulBackwardWeight,
  recordMatmulForward,
  recordMatmulPacked,
  TILE_M,
  TILE_N,
} from "../gpu/kernels/matmul.ts";

const gpu = await requestGpu();
/** Square sizes to run: `RNT_MATMUL_SIZES=512,1024` trims the run (default 256,512,1024). */
const SIZES = (Deno.env.get("RNT_MATMUL_SIZES") ?? "256,512,1024").split(",").map(Number);
/** Dispatches per timed iteration, so the ~11 ms queue wait does not dominate small sizes. */
const REPS: Record<number, number> = { 256: 4, 512: 2, 1024: 1 };
const FORWARD_WGSL = matmulForwardWgsl();
const BACKWARD_INPUT_WGSL = matmulBackwardInputWgsl();
const BACKWARD_WEIGHT_WGSL = matmulBackwardWeightWgsl();
const totals = new Map<string, { ms: number; cpuMs: number; flops: number }>();

function timed(name: string, flops: number, fn: () => Promise<void> | void) {
  return async (b: Deno.BenchContext) => {
    b.start();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await fn();
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    b.end();
    const t = totals.get(name) ?? { ms: 0, cpuMs: 0, flops: 0 };
    totals.set(name, {
      ms: t.ms + ms,
      cpuMs: t.cpuMs + (cpu.user + cpu.system) / 1000,
      flops: t.flops + flops,
    });
  };
}

if (gpu) {
  const adapter = gpu.adapterName;
  for (const n of SIZES) {
    const reps = REPS[n]!;
    const flops = 2 * n ** 3 * reps;
    const x = createStorage(gpu, randomF32(n * n, 1)), w = createStorage(gpu, randomF32(n * n, 2));
    const y = createStorage(gpu, n * n * 4);
    /** The storage-buffer register-blocked kernel, dispatched directly. */
    const storage = (wgsl: string, tm: number, tn: number) => (c: CommandBatch) =>
      c.dispatch(wgsl, [y, x, w], grid1d(Math.ceil(n / tm) * Math.ceil(n / tn)), [n, n, n, 0]);
    /** The packed path for one product's operand views (rows, k strides). */
    const packed = (a: [number, number], b: [number, number]) => (c: CommandBatch) =>
      recordMatmulPacked(c, y, {
        a: { buf: x, n, si: a[0], sk: a[1] },
        b: { buf: w, n, si: b[0], sk: b[1] },
        K: n,
      }, false);
    const kernels: [string, (batch: CommandBatch) => void, boolean][] = [
      ["forward storage 16x8", storage(FORWARD_WGSL, FORWARD_TILE_M, FORWARD_TILE_N), true],
      ["forward packed", packed([n, 1], [n, 1]), false],
      ["forward recorded", (c) => recordMatmulForward(c, y, x, w, n, n, n), false],
      ["bwd-input storage 16x16", storage(BACKWARD_INPUT_WGSL, TILE_M, TILE_N), false],
      ["bwd-input packed", packed([n, 1], [1, n]), false],
      ["bwd-input recorded", (c) => recordMatmulBackwardInput(c, y, x, w, n, n, n), false],
      ["bwd-weight storage 16x16", storage(BACKWARD_WEIGHT_WGSL, TILE_M, TILE_N), false],
      ["bwd-weight packed", packed([1, n], [1, n]), false],
      ["bwd-weight recorded", (c) => recordMatmulBackwardWeight(c, y, x, w, n, n, n), false],
    ];
    for (const [label, record, baseline] of kernels) {
      const run = async () => {
        const batch = new CommandBatch(gpu);
        for (let r = 0; r < reps; r++) record(batch);
        batch.submit();
        await readStorage(gpu, y, 4);
      };
      await run(); // compile outside the timed part
      const name = `${label} ${n}³`;
      Deno.bench({
        name,
        group: `matmul ${n} (${adapter})`,
        baseline,
        n: n >= 1024 ? 2 : 4,
        warmup: 0,
        fn: timed(name, flops, run),
      });
    }
    if (n === 256) {
      const xs = randomF32(n * n, 1), ws = randomF32(n * n, 2);
      const name = `plain JS ${n}³`;
      Deno.bench({
        name,
        group: `matmul ${n} (${adapter})`,
        n: 2,
        warmup: 1,
        fn: timed(name, 2 * n ** 3, () => void matmulForward(xs, ws, n, n, n)),
      });
    }
  }
  globalThis.addEventListener("unload", () => {
    console.log(`\nGFLOP/s on ${adapter} (timed iterations only): per wall s, per CPU s`);
    for (const [name, { ms, cpuMs, flops }] of totals) {
      const wall = (flops / ms / 1e6).toFixed(2).padStart(7);
      console.log(`  ${name.padEnd(28)} ${wall} ${(flops / cpuMs / 1e6).toFixed(2).padStart(7)}`);
    }
  });
} else {
  console.warn("matmul bench skipped: no WebGPU adapter in this runtime");
}

/**
 * Speed of the exact consensus evaluator against today's f32 evaluation, in one run:
 * with a WebGPU adapter, the exact WebGPU path (each product variant) against f32 WebGPU
 * (`evaluateLossGpu`) on the regtest trained checkpoint (fixture block 29, 4 KiB, W = 64) and on
 * testnet genesis (128, 2) on `testBytes` of the testnet set (W = 256), interleaved, best of
 * `reps` after a compile run; then on testnet genesis the f32 CPU reference, exact CPU
 * reference and exact WASM SIMD (skipped when `cpu` = 0); then mainnet genesis (384, 6) on
 * `mainBytes` with W = 512 on exact WebGPU (or WASM without an adapter), in seconds (skipped
 * when `mainBytes` = 0).
 * Run: `deno run -A bench/exact_gpu_bench.ts [testBytes=4096] [mainBytes=65536] [cpu=1] [reps=2]`.
 *
 * @module
 */
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { requestGpu } from "../gpu/device.ts";
import { evaluateLossGpu } from "../gpu/model/evaluate.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import {
  cpuExactEvaluator,
  type ExactEvaluator,
  WasmExactEvaluator,
  WebGpuExactEvaluator,
} from "../gpu/exact/mod.ts";
import { packedDotAvailable } from "../gpu/exact/webgpu/webgpu_evaluator.ts";
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { readChainFixture } from "../tests/chain_fixture.ts";

const testBytes = Number(Deno.args[0] ?? 4096), mainBytes = Number(Deno.args[1] ?? 65536);
const withCpu = Number(Deno.args[2] ?? 1) !== 0, reps = Number(Deno.args[3] ?? 2);
async function data(net: string, n: number): Promise<Uint8Array> {
  const all = await Deno.readFile(new URL(`../core/data/validation-${net}.txt`, import.meta.url));
  if (all.length < n) throw new RangeError(`${net} set has only ${all.length} bytes`);
  return all.subarray(0, n);
}
async function time(label: string, f: () => Promise<unknown> | unknown): Promise<number> {
  const t0 = performance.now();
  await f();
  const s = (performance.now() - t0) / 1000;
  console.log(`${label.padEnd(34)} ${s.toFixed(2)} s`);
  return s;
}

const tn = genesisCheckpoint({ dModel: 128, nLayers: 2 }, 1);
const tb = await data("testnet", testBytes);
const gpu = await requestGpu();

/** f32 WebGPU against every exact WebGPU variant, interleaved, best of `reps` each. */
async function gpuRatios(label: string, ckpt: Checkpoint, bytes: Uint8Array, w: number) {
  if (!gpu) return;
  console.log(`${label}, ${bytes.length} B, W = ${w} (best of ${reps}, after a compile run)`);
  const exact: ExactEvaluator[] = [
    new WebGpuExactEvaluator(gpu, { packed: false, textures: true }),
    new WebGpuExactEvaluator(gpu, { packed: false, textures: false }),
    ...(packedDotAvailable() ? [new WebGpuExactEvaluator(gpu, { packed: true })] : []),
  ];
  const runs: [string, () => Promise<unknown>][] = [
    ["f32 webgpu (evaluateLossGpu)", () => evaluateLossGpu(gpu, ckpt, bytes, w)],
    ...exact.map((e): [string, () => Promise<unknown>] => [
      e.name.replace(`${gpu.adapterName}, `, ""),
      () => e.evaluateWindows(ckpt, bytes, w),
    ]),
  ];
  for (const [, f] of runs) await f(); // compile pipelines
  const best = runs.map(() => Infinity);
  for (let r = 0; r < reps; r++) {
    for (const [i, [, f]] of runs.entries()) {
      const t0 = performance.now();
      await f();
      best[i] = Math.min(best[i]!, (performance.now() - t0) / 1000);
    }
  }
  for (const [i, [name]] of runs.entries()) {
    const ratio = i === 0 ? "" : `  ${(best[0]! / best[i]!).toFixed(2)}× f32 webgpu speed`;
    console.log(`  ${name.padEnd(44)} ${best[i]!.toFixed(2)} s${ratio}`);
  }
}

if (gpu) {
  console.log(`adapter: ${gpu.adapterName}`);
  const blocks = await readChainFixture();
  await gpuRatios(
    "regtest trained (fixture block 29)",
    decodeCheckpoint(blocks[29]!.checkpoint),
    await data("regtest", 4096),
    64,
  );
  await gpuRatios("testnet genesis (128, 2)", tn, tb, 256);
}
if (!withCpu && mainBytes > 0) await mainnet();
if (!withCpu) Deno.exit(0);
console.log(`testnet genesis (128, 2), ${testBytes} B, W = 256`);
const cpuF32 = await time("f32 cpu reference", () => evaluateLossCpu(tn, tb, 256));
const cpuExact = await time(
  "exact cpu reference",
  () => cpuExactEvaluator().evaluateWindows(tn, tb, 256),
);
const wasm = await time(
  "exact wasm simd",
  () => new WasmExactEvaluator().evaluateWindows(tn, tb, 256),
);
console.log(
  `ratios: exact wasm vs f32 cpu ${(cpuF32 / wasm).toFixed(2)}× faster, vs exact cpu ` +
    `${(cpuExact / wasm).toFixed(2)}×` +
    "",
);
if (mainBytes > 0) await mainnet();

async function mainnet(): Promise<void> {
  const mn = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1);
  const mb = await data("mainnet", mainBytes);
  const ev = gpu ? new WebGpuExactEvaluator(gpu) : new WasmExactEvaluator();
  await time(
    `mainnet (384, 6) ${mainBytes} B ${gpu ? "exact webgpu" : "exact wasm"} (with compile)`,
    () => ev.evaluateWindows(mn, mb, 512),
  );
}

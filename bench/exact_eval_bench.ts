/**
 * Speed of the exact consensus evaluator against today's f32 evaluation, in one run:
 * testnet genesis (128, 2) on `testBytes` of the testnet set with W = 256 — f32 WebGPU (when an
 * adapter exists), f32 CPU reference, exact CPU reference, exact WASM SIMD — then mainnet genesis
 * (384, 6) on `mainBytes` with W = 512 on the exact WASM path (seconds).
 * Run: `deno run -A bench/exact_eval_bench.ts [testBytes=4096] [mainBytes=65536]`.
 *
 * @module
 */
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { requestGpu } from "../gpu/device.ts";
import { evaluateLossGpu } from "../gpu/model/evaluate.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import { cpuExactEvaluator, WasmExactEvaluator } from "../gpu/exact/mod.ts";

const testBytes = Number(Deno.args[0] ?? 4096), mainBytes = Number(Deno.args[1] ?? 65536);
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
console.log(`testnet genesis (128, 2), ${testBytes} B, W = 256`);
const gpu = await requestGpu();
let gpuS = NaN;
if (gpu) {
  await evaluateLossGpu(gpu, tn, tb, 256); // compile pipelines
  gpuS = await time(
    `f32 webgpu (${gpu.adapterName.slice(0, 20)})`,
    () => evaluateLossGpu(gpu, tn, tb, 256),
  );
}
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
    (gpu ? `, vs f32 webgpu ${(gpuS / wasm).toFixed(2)}×` : ""),
);
const mn = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1);
const mb = await data("mainnet", mainBytes);
await time(
  `mainnet (384, 6) ${mainBytes} B exact wasm`,
  () => new WasmExactEvaluator().evaluateWindows(mn, mb, 512),
);

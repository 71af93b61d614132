/**
 * Speed of the exact consensus evaluator against the f32 evaluators and PyTorch, in one run:
 *
 * 1. testnet genesis (128, 2) on `testBytes` of the testnet set, W = 256: f32 WebGPU (when an
 *    adapter exists), f32 CPU reference, exact CPU reference, exact WebAssembly in this thread
 *    and split across workers (one per core);
 * 2. mainnet genesis (384, 6) on `mainBytes` of the mainnet set, W = 512: exact WebAssembly
 *    across workers (the default path; target ≤ 5 min for 64 KiB), exact WebAssembly in one
 *    thread, and PyTorch float32 on one thread (`bench/torch_ref.py eval-time`, when
 *    `/usr/bin/python3` has torch) on the same checkpoint and windows. PyTorch runs with
 *    `--threads 1` and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = 1: Debian's torch does its
 *    products in the pthread OpenBLAS, whose own thread pool ignores `set_num_threads`.
 *
 * Every run prints wall seconds and the process's CPU seconds (the machine is shared), and the
 * ratios are of figures from this run. Run:
 * `deno run -A bench/exact_eval_bench.ts [testBytes=4096] [mainBytes=65536]`.
 *
 * @module
 */
import process from "node:process";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { torchEvalTime } from "./_torch_eval_time.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { requestGpu } from "../gpu/device.ts";
import { evaluateLossGpu } from "../gpu/model/evaluate.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import { consensusLossMicroNats, cpuExactEvaluator, WasmExactEvaluator } from "../gpu/exact/mod.ts";

const testBytes = Number(Deno.args[0] ?? 4096), mainBytes = Number(Deno.args[1] ?? 65536);
async function data(net: string, n: number): Promise<Uint8Array> {
  const all = await Deno.readFile(new URL(`../core/data/validation-${net}.txt`, import.meta.url));
  if (all.length < n) throw new RangeError(`${net} set has only ${all.length} bytes`);
  return all.subarray(0, n);
}
function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}
let lastCpu = 0;
async function time<T>(label: string, f: () => Promise<T> | T): Promise<[number, T]> {
  const t0 = performance.now(), c0 = cpuSeconds();
  const r = await f();
  const s = (performance.now() - t0) / 1000, c = cpuSeconds() - c0;
  lastCpu = c;
  console.log(
    `${label.padEnd(44)} ${s.toFixed(2).padStart(8)} s wall ${c.toFixed(2).padStart(8)} s cpu`,
  );
  return [s, r];
}
const workers = navigator.hardwareConcurrency;

const tn = genesisCheckpoint({ dModel: 128, nLayers: 2 }, 1);
const tb = await data("testnet", testBytes);
console.log(`testnet genesis (128, 2), ${testBytes} B, W = 256`);
const gpu = await requestGpu();
let gpuS = NaN;
if (gpu) {
  await evaluateLossGpu(gpu, tn, tb, 256); // compile pipelines
  [gpuS] = await time(
    `f32 webgpu (${gpu.adapterName.slice(0, 20)})`,
    () => evaluateLossGpu(gpu, tn, tb, 256),
  );
}
const [cpuF32] = await time("f32 cpu reference", () => evaluateLossCpu(tn, tb, 256));
const [cpuExact, refSums] = await time(
  "exact cpu reference",
  () => cpuExactEvaluator().evaluateWindows(tn, tb, 256),
);
const [wasm1, oneSums] = await time(
  "exact wasm simd, 1 thread",
  () => new WasmExactEvaluator({ workers: 0 }).evaluateWindows(tn, tb, 256),
);
const [wasmN, nSums] = await time(
  `exact wasm simd, ${workers} workers`,
  () => new WasmExactEvaluator({ workers }).evaluateWindows(tn, tb, 256),
);
if (
  JSON.stringify(refSums) !== JSON.stringify(oneSums) ||
  JSON.stringify(refSums) !== JSON.stringify(nSums)
) {
  throw new Error("the exact paths disagree");
}
console.log(
  `ratios (speed-ups): exact wasm 1 thread vs f32 cpu ${
    (cpuF32 / wasm1).toFixed(2)
  }×, vs exact cpu ` +
    `${(cpuExact / wasm1).toFixed(2)}×; ${workers} workers vs 1 thread ${
      (wasm1 / wasmN).toFixed(2)
    }×` +
    (gpu ? `; f32 webgpu vs exact wasm ${workers} workers ${(wasmN / gpuS).toFixed(2)}×` : ""),
);

const mn = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1);
const mb = await data("mainnet", mainBytes);
console.log(`\nmainnet genesis (384, 6), ${mainBytes} B, W = 512`);
const [mainN, mainSums] = await time(
  `exact wasm simd, ${workers} workers`,
  () => new WasmExactEvaluator({ workers }).evaluateWindows(mn, mb, 512),
);
const [main1, main1Sums] = await time(
  "exact wasm simd, 1 thread",
  () => new WasmExactEvaluator({ workers: 0 }).evaluateWindows(mn, mb, 512),
);
const main1Cpu = lastCpu;
if (JSON.stringify(mainSums) !== JSON.stringify(main1Sums)) throw new Error("split changed sums");
console.log(`consensus loss ${consensusLossMicroNats(mainSums, 512)} µnats`);

const rnet = await Deno.makeTempFile({ suffix: ".rnet" });
try {
  await Deno.writeFile(rnet, encodeCheckpoint(mn));
  const t0 = performance.now();
  const r = await torchEvalTime(rnet, "mainnet", mainBytes);
  if ("error" in r) {
    console.log(`pytorch f32: not measured (${r.error})`);
  } else {
    console.log(
      `${"pytorch f32, 1 thread (forward only)".padEnd(44)} ${
        r.seconds.toFixed(2).padStart(8)
      } s wall ` +
        `${r.cpu_seconds.toFixed(2).padStart(8)} s cpu  (loss ${r.loss.toFixed(6)}, process ` +
        `${((performance.now() - t0) / 1000).toFixed(1)} s)`,
    );
    console.log(
      `ratios (speed-ups over pytorch 1 thread): exact wasm 1 thread ${
        (r.seconds / main1).toFixed(2)
      }× (wall), ${(r.cpu_seconds / main1Cpu).toFixed(2)}× (cpu); ` +
        `${workers} workers ${(r.seconds / mainN).toFixed(2)}× (wall)`,
    );
  }
} finally {
  await Deno.remove(rnet);
}

/**
 * Every exact path gives the same integers (assert.equal on integers): CPU reference vs the
 * whole-forward WebAssembly path in this thread, in one worker and split over three workers, vs
 * WebGPU (when an adapter exists: plain-integer products from textures and from storage buffers,
 * and dot4I8Packed products where WGSL has them), on genesis checkpoints of the three networks,
 * trained fixture checkpoints, a grown checkpoint, random and adversarial weights, and a weight
 * nudged across rounding boundaries. Also: the exact loss tracks the f32 loss within 1e-3
 * relative.
 */
import assert from "node:assert/strict";
import { type Checkpoint, cloneCheckpoint } from "../../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { decodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { readChainFixture } from "../../tests/chain_fixture.ts";
import { growCheckpoint } from "../model/grow.ts";
import { evaluateLossCpu } from "../ref/model.ts";
import {
  consensusLossMicroNats,
  cpuExactEvaluator,
  type ExactEvaluator,
  selectExactEvaluator,
  totalOf,
  WasmExactEvaluator,
} from "./evaluator.ts";
import { exactLossNats } from "../../core/consensus/exact_loss.ts";
import { groupExponent } from "./quantize.ts";
import { CommandBatch, requestGpu } from "../device.ts";
import { LOSS_WGSL } from "./webgpu/kernels.ts";
import { packedDotAvailable, WebGpuExactEvaluator } from "./webgpu/webgpu_evaluator.ts";

const gpu = await requestGpu();
if (!gpu) console.warn("Exact WebGPU path not compared: no WebGPU adapter in this runtime.");
/**
 * Every WebGPU variant: plain-integer products from textures and (forced) from storage
 * buffers, and dot4I8Packed products where WGSL has them.
 */
const gpuPaths: ExactEvaluator[] = gpu
  ? [
    new WebGpuExactEvaluator(gpu, { packed: false, textures: true }),
    new WebGpuExactEvaluator(gpu, { packed: false, textures: false }),
    ...(packedDotAvailable() ? [new WebGpuExactEvaluator(gpu, { packed: true })] : []),
  ]
  : [];
/** The reference first; then WebAssembly in this thread, in one worker and split over three. */
const paths: ExactEvaluator[] = [
  cpuExactEvaluator(),
  new WasmExactEvaluator({ workers: 0 }),
  new WasmExactEvaluator({ workers: 1 }),
  new WasmExactEvaluator({ workers: 3 }),
  ...gpuPaths,
];

async function validation(net: string, bytes: number): Promise<Uint8Array> {
  const all = await Deno.readFile(
    new URL(`../../core/data/validation-${net}.txt`, import.meta.url),
  );
  return all.subarray(0, bytes);
}

/** Evaluates on every path, asserts the integers are equal, returns them. */
async function agreeingSums(
  ckpt: Checkpoint,
  bytes: Uint8Array,
  w: number,
  on: readonly ExactEvaluator[] = paths,
): Promise<number[]> {
  const [first, ...rest] = await Promise.all(on.map((p) => p.evaluateWindows(ckpt, bytes, w)));
  for (const [i, other] of rest.entries()) {
    const name = on[i + 1]!.name;
    assert.equal(other.length, first!.length, `${name}: window count`);
    for (const [w, sum] of other.entries()) {
      assert.equal(sum, first![w], `${name} differs from ${on[0]!.name} at window ${w}`);
    }
  }
  for (const s of first!) assert.ok(Number.isSafeInteger(s) && s >= 0 && s < 2 ** 40);
  return first!;
}

function relativeToF32(ckpt: Checkpoint, bytes: Uint8Array, w: number, sums: number[]): number {
  const f = evaluateLossCpu(ckpt, bytes, w);
  const exact = exactLossNats(totalOf(sums), sums.length * (w - 1));
  return Math.abs(exact - f) / f;
}

Deno.test("exact paths agree and track f32 on regtest genesis (16, 1)", async () => {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const bytes = await validation("regtest", 4096);
  const sums = await agreeingSums(ckpt, bytes, 64);
  assert.equal(sums.length, 64);
  assert.ok(relativeToF32(ckpt, bytes, 64, sums) <= 1e-3);
  const micro = consensusLossMicroNats(sums, 64);
  assert.ok(Number.isInteger(micro) && micro > 5_000_000 && micro < 6_000_000);
});

Deno.test("exact paths agree and track f32 on testnet genesis (128, 2), two windows", async () => {
  const ckpt = genesisCheckpoint({ dModel: 128, nLayers: 2 }, 2);
  const bytes = await validation("testnet", 512);
  const sums = await agreeingSums(ckpt, bytes, 256);
  assert.ok(relativeToF32(ckpt, bytes, 256, sums) <= 1e-3);
});

Deno.test("exact paths agree and track f32 on mainnet genesis (384, 6), one short window", async () => {
  const ckpt = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 3);
  const bytes = await validation("mainnet", 32);
  const sums = await agreeingSums(ckpt, bytes, 32);
  assert.ok(relativeToF32(ckpt, bytes, 32, sums) <= 1e-3);
});

Deno.test("exact paths agree and track f32 on trained fixture checkpoints", async () => {
  const blocks = await readChainFixture();
  const bytes = await validation("regtest", 1024);
  for (const i of [0, 14, 29]) {
    const ckpt = decodeCheckpoint(blocks[i]!.checkpoint);
    const sums = await agreeingSums(ckpt, bytes, 64);
    assert.ok(relativeToF32(ckpt, bytes, 64, sums) <= 1e-3, `fixture checkpoint ${i}`);
  }
});

Deno.test("exact paths agree on a grown checkpoint (16, 1) → (20, 2)", async () => {
  const grown = growCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1), {
    dModel: 20,
    nLayers: 2,
  }, 7);
  const bytes = await validation("regtest", 512);
  const sums = await agreeingSums(grown, bytes, 64);
  assert.ok(relativeToF32(grown, bytes, 64, sums) <= 1e-3);
});

/** xorshift32 in [−1, 1). */
function randomFill(ckpt: Checkpoint, seed: number, scale: (name: string) => number): void {
  let s = seed >>> 0 || 1;
  for (const [name, t] of ckpt.tensors) {
    const a = scale(name);
    for (let i = 0; i < t.length; i++) {
      s ^= s << 13;
      s >>>= 0;
      s ^= s >>> 17;
      s ^= s << 5;
      s >>>= 0;
      t[i] = (s / 2 ** 31 - 1) * a;
    }
  }
}

Deno.test("exact paths agree on random weights of several scales", async () => {
  const bytes = await validation("regtest", 256);
  for (const [seed, a] of [[1, 0.1], [2, 1], [3, 10], [4, 1e4]] as const) {
    const ckpt = cloneCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 2 }, 1));
    randomFill(ckpt, seed, () => a);
    await agreeingSums(ckpt, bytes, 64);
  }
});

Deno.test("exact paths agree at saturation: huge, tiny and zero weights", async () => {
  const bytes = await validation("regtest", 256);
  const cases: [string, (name: string) => number][] = [
    ["huge", (n) => (n.includes("norm") || n.includes("gain") ? 1e6 : 1e30)],
    ["tiny", () => 1e-38],
    ["zero", () => 0],
    ["mixed", (n) => (n.startsWith("embed") ? 1e4 : n.includes("w2") ? 1e3 : 1)],
  ];
  for (const [label, scale] of cases) {
    const ckpt = cloneCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1));
    randomFill(ckpt, 9, scale);
    const sums = await agreeingSums(ckpt, bytes, 64);
    assert.equal(sums.length, 4, label);
  }
});

Deno.test("exact paths agree on weights placed exactly on quantisation ties", async () => {
  const bytes = await validation("regtest", 256);
  const ckpt = cloneCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1));
  for (const [name, t] of ckpt.tensors) {
    if (name.includes("norm") || name.includes("gain")) continue;
    // Row max 2^-3·(511 + ½)/256 style values: every element an odd multiple of half a step.
    for (let i = 0; i < t.length; i++) {
      t[i] = ((2 * (i % 300) + 1) / 2) * 2 ** -12 * (i % 2 ? 1 : -1);
    }
  }
  await agreeingSums(ckpt, bytes, 64);
});

Deno.test("exact paths agree on every step of a weight nudged across rounding boundaries", async () => {
  const bytes = await validation("regtest", 64);
  const ckpt = cloneCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1));
  const wz = ckpt.tensors.get("layers.0.gru.wz")!;
  // Start 100 steps below the boundary between two quantised values of element 5 of row 0.
  let max = 0;
  for (let i = 0; i < 16; i++) max = Math.max(max, Math.abs(wz[i]!));
  const step = 2 ** -groupExponent(max, 9);
  const start = (Math.floor(wz[5]! / step) + 0.5) * step - 100e-6;
  const seen = new Set<number>();
  let last: number | undefined;
  for (let step = 0; step < 200; step++) {
    wz[5] = Math.fround(start + step * 1e-6);
    // Every step on the reference and in-thread WebAssembly; the worker paths (which run the
    // same module, a worker start each) every 25th step and on every step that crossed.
    const sums = await agreeingSums(ckpt, bytes, 64, paths.slice(0, 2));
    if (step % 25 === 0 || (last !== undefined && sums[0] !== last)) {
      await agreeingSums(ckpt, bytes, 64);
    }
    last = sums[0]!;
    seen.add(sums[0]!);
  }
  assert.ok(seen.size > 1, "the nudge crossed at least one rounding boundary");
});

Deno.test("selectExactEvaluator picks WebGPU on a hardware adapter, else WASM, and says which", async () => {
  const wasm = selectExactEvaluator("auto", null);
  assert.equal(wasm.name, "wasm simd");
  assert.equal(selectExactEvaluator("cpu", gpu).name, "cpu reference");
  if (!gpu) {
    assert.throws(() => selectExactEvaluator("webgpu", null), /no adapter/);
    return;
  }
  // A software adapter (llvmpipe) runs the kernels on the CPU slower than WASM: auto skips it.
  const auto = selectExactEvaluator("auto", gpu).name;
  if (gpu.isFallback) assert.equal(auto, "wasm simd");
  else assert.match(auto, /^exact webgpu/);
  assert.match(selectExactEvaluator("auto", { ...gpu, isFallback: false }).name, /^exact webgpu/);
  const picked = selectExactEvaluator("webgpu", gpu);
  assert.match(picked.name, /^exact webgpu \(.+, (dot4I8Packed|plain integer(, textures)?)\)$/);
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const bytes = await validation("regtest", 256);
  assert.deepEqual(
    await picked.evaluateWindows(ckpt, bytes, 64),
    await cpuExactEvaluator().evaluateWindows(ckpt, bytes, 64),
  );
});

Deno.test({
  name: "the WebGPU path rejects unevaluable input with a clear error and honours abort",
  ignore: !gpu,
  fn: async () => {
    const ev = new WebGpuExactEvaluator(gpu!);
    const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
    const bytes = await validation("regtest", 256);
    await assert.rejects(
      ev.evaluateWindows(ckpt, bytes.subarray(0, 63), 64),
      /at least one window/,
    );
    await assert.rejects(ev.evaluateWindows(ckpt, bytes, 1), /integer >= 2/);
    await assert.rejects(ev.evaluateWindows(ckpt, new Uint8Array(2 * 9000), 9000), /at most 8192/);
    const bad = cloneCheckpoint(ckpt);
    bad.tensors.get("layers.0.gru.wz")![3] = NaN;
    await assert.rejects(ev.evaluateWindows(bad, bytes, 64), RangeError);
    const aborted = AbortSignal.abort(new Error("shutting down"));
    await assert.rejects(ev.evaluateWindows(ckpt, bytes, 64, aborted), /shutting down/);
    // The evaluator still works afterwards.
    assert.deepEqual(
      await ev.evaluateWindows(ckpt, bytes, 64),
      await cpuExactEvaluator().evaluateWindows(ckpt, bytes, 64),
    );
  },
});

Deno.test({
  name: "the WebGPU path refuses to return sums when the device rejects a kernel",
  ignore: !gpu,
  fn: async () => {
    // Inject a loss kernel that does not compile: without the error scope its buffer would stay
    // zero and zeros would come back as a result.
    const dispatch = CommandBatch.prototype.dispatch;
    CommandBatch.prototype.dispatch = function (wgsl, ...rest) {
      const broken = wgsl === LOSS_WGSL ? wgsl.replace("loss[r] = 0u;", "loss[r] = 1.5;") : wgsl;
      return dispatch.call(this, broken, ...rest);
    };
    try {
      const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
      await assert.rejects(
        new WebGpuExactEvaluator(gpu!).evaluateWindows(ckpt, new Uint8Array(128), 64),
        /WebGPU rejected the exact evaluation/,
      );
    } finally {
      CommandBatch.prototype.dispatch = dispatch;
    }
  },
});

/**
 * The exact WebAssembly forward pass against an earlier revision of itself and against PyTorch,
 * in one process, runs interleaved: mainnet genesis (384, 6) on the first `bytes` of the mainnet
 * set, W = 512, one thread each. Run:
 * `deno run -A bench/exact_wasm_ab.ts [rev=adcd465] [bytes=8192] [rounds=3]`.
 *
 * The revision's `gpu/exact/wasm_forward.ts`, `forward_wasm_bytes.ts` and `quantize.ts` are
 * copied (`git show`) into `bench/out/wasm_ab/<rev>/` with their other imports pointed back at this
 * tree (today's primitives and checkpoint code). Each run quantises the checkpoint (the revision's
 * `quantizeCheckpoint` for the old path, today's for the new) and evaluates every window (what
 * `WasmExactEvaluator` does with `workers: 0`); the two paths must give the same integers. PyTorch f32 (`bench/torch_ref.py eval-time`) runs with
 * `--threads 1` and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = 1 (see `exact_eval_bench.ts`). Wall
 * and process CPU seconds per run, then medians and their ratios.
 *
 * @module
 */
import process from "node:process";
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { torchEvalTime } from "./_torch_eval_time.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { quantizeCheckpoint, type QuantizedModel } from "../gpu/exact/quantize.ts";
import { wasmWindowSums } from "../gpu/exact/wasm_forward.ts";

const rev = Deno.args[0] ?? "adcd465";
const nBytes = Number(Deno.args[1] ?? 8192), rounds = Number(Deno.args[2] ?? 3);
const W = 512, windows = Math.floor(nBytes / W);

type Sums = (qm: QuantizedModel, b: Uint8Array, n: number, w: number) => number[];
type Quantize = (c: Checkpoint) => QuantizedModel;

/** The revision's quantisation and whole-forward driver, loaded from copies of its files. */
async function oldDriver(): Promise<[Quantize, Sums]> {
  const dir = new URL(`./out/wasm_ab/${rev}/`, import.meta.url);
  await Deno.mkdir(dir, { recursive: true });
  const show = async (path: string) => {
    const out = await new Deno.Command("git", { args: ["show", `${rev}:${path}`], stdout: "piped" })
      .output();
    if (!out.success) throw new Error(`Cannot read ${path} at ${rev}`);
    return new TextDecoder().decode(out.stdout);
  };
  const pointed = (text: string) =>
    text.replaceAll('"../../core/', '"../../../../core/')
      .replace(/"\.\/(forward|primitives)\.ts"/g, '"../../../../gpu/exact/$1.ts"');
  await Deno.writeTextFile(
    new URL("wasm_forward.ts", dir),
    pointed(await show("gpu/exact/wasm_forward.ts")),
  );
  await Deno.writeTextFile(
    new URL("quantize.ts", dir),
    pointed(await show("gpu/exact/quantize.ts")),
  );
  await Deno.writeTextFile(
    new URL("forward_wasm_bytes.ts", dir),
    await show("gpu/exact/forward_wasm_bytes.ts"),
  );
  const quantize = (await import(new URL("quantize.ts", dir).href)).quantizeCheckpoint;
  return [quantize, (await import(new URL("wasm_forward.ts", dir).href)).wasmWindowSums];
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

const all = await Deno.readFile(new URL("../core/data/validation-mainnet.txt", import.meta.url));
const bytes = all.subarray(0, windows * W);
const checkpoint = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1);
const rnet = await Deno.makeTempFile({ suffix: ".rnet" });
await Deno.writeFile(rnet, encodeCheckpoint(checkpoint));
const paths: [string, Quantize, Sums][] = [
  [`wasm ${rev}`, ...await oldDriver()],
  ["wasm now", quantizeCheckpoint, wasmWindowSums],
];
const runs = new Map<string, [number, number][]>();
const record = (label: string, wall: number, cpu: number) => {
  if (!runs.has(label)) runs.set(label, []);
  runs.get(label)!.push([wall, cpu]);
  console.log(`${label.padEnd(24)} ${wall.toFixed(2).padStart(8)} s wall ${cpu.toFixed(2)} s cpu`);
};
console.log(`mainnet genesis (384, 6), ${windows * W} B, W = ${W}, ${rounds} rounds`);
try {
  let first: string | undefined;
  for (let i = 0; i < rounds; i++) {
    for (const [label, quantize, sums] of paths) {
      const t0 = performance.now(), c0 = cpuSeconds();
      const got = JSON.stringify(sums(quantize(checkpoint), bytes, windows, W));
      record(label, (performance.now() - t0) / 1000, cpuSeconds() - c0);
      if (first === undefined) first = got;
      else if (got !== first) throw new Error(`${label} gives other sums`);
    }
    const r = await torchEvalTime(rnet, "mainnet", windows * W);
    if ("error" in r) {
      console.log(`pytorch f32: not measured (${r.error})`);
      continue;
    }
    record("pytorch f32, 1 thread", r.seconds, r.cpu_seconds);
  }
} finally {
  await Deno.remove(rnet);
}
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const med = new Map<string, [number, number]>(
  [...runs].map(([l, v]) => [l, [median(v.map((x) => x[0])), median(v.map((x) => x[1]))]]),
);
for (const [l, [w, c]] of med) {
  console.log(`median ${l.padEnd(24)} ${w.toFixed(2)} s wall ${c.toFixed(2)} s cpu`);
}
const now = med.get("wasm now")!,
  old = med.get(`wasm ${rev}`)!,
  pt = med.get("pytorch f32, 1 thread");
console.log(
  `speed-ups (medians): now vs ${rev} ${(old[0] / now[0]).toFixed(2)}× wall, ` +
    `${(old[1] / now[1]).toFixed(2)}× cpu` +
    (pt
      ? `; vs pytorch 1 thread: now ${(pt[0] / now[0]).toFixed(2)}× wall, ${
        (pt[1] / now[1]).toFixed(2)
      }× cpu; ${rev} ${(pt[0] / old[0]).toFixed(2)}× wall, ${(pt[1] / old[1]).toFixed(2)}× cpu`
      : ""),
);

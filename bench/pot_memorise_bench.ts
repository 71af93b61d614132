/**
 * Memorisation against the corpus-to-parameter ratio (issue 14 item 1, PROTOCOL §4.1 "Corpus
 * size against model size"): how far below its held-out loss does a model push its loss on the
 * corpus bytes it trained on, as the trained bytes per parameter grow, and what that buys a
 * memoriser under the sampled, paired rule (PROTOCOL §5.9).
 *
 * For each model config (`DxL:STEPS`), from the seeded initial weights of that config
 * (`genesisCheckpoint(config, 1)`, the regtest genesis for 16×1):
 *
 * 1. **Honest baseline**: `STEPS` AdamW steps on text outside the corpus (the repository's own
 *    English prose, `README.md` + `docs/PROTOCOL.md`, as in `pot_experiment.ts`; every bundled
 *    data file, `sample-train.txt` included, is part of the corpus).
 * 2. **Memorisers**: for each ratio r, `STEPS` steps (same batch, schedule and seed) on a slice of
 *    S = r·P corpus bytes (P = `paramCount`), taken from a training pool that leaves every 16th
 *    1 KiB block of the corpus out and spreads every slice over the whole corpus
 *    (`memorise_split.ts`), so slice and held-out text mix KJV and Austen alike. A ratio above
 *    the pool becomes the whole pool.
 * 3. **Losses** (exact consensus evaluator, PROTOCOL §3.10, nats per predicted byte, W = regtest's
 *    64-byte window): on 256 windows spread over the trained slice, and on 256 windows spread over
 *    the held-out blocks. The gap held-out − slice is what was memorised rather than learnt.
 * 4. **The consensus rule**: `SAMPLES` per-block samples of K = 64 windows drawn from the whole
 *    corpus by `sampleWindowStarts` (seeds keccak256("rnt/pot-memorise" ‖ i)), each child paired
 *    with the initial weights as its parent: mean progress `(Σp − Σc)/Σp`, how many samples pass
 *    regtest's μ = 1 %, the ratio to the honest miner's progress, and the per-window improvement
 *    on sampled windows inside the trained slice against those outside it (the part of the gain
 *    only memorisation buys).
 *
 * ```sh
 * deno task pot-memorise [CONFIGS=16x1:120,64x2:40] [RATIOS=1,5,25,100,600] [SAMPLES=16] [BATCH=16]
 * ```
 *
 * Default run: 11 trainings, of 120 steps (16×1) and 40 steps (64×2), timed in bench/README.md.
 * Figures are ratios against the honest baseline of the same run; results in bench/README.md.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { type ModelConfig, paramCount } from "../core/checkpoint/model_config.ts";
import { sampleBytes, sampleWindowStarts } from "../core/consensus/eval_sample.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { keccak256 } from "../core/crypto/keccak.ts";
import { requestGpu } from "../gpu/device.ts";
import { selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { train } from "../gpu/train/trainer.ts";
import { WindowSampler } from "../gpu/train/window_sampler.ts";
import { memoriseSplit, poolBytes, sliceOf, spreadWindowStarts } from "./memorise_split.ts";

const CONFIGS = (Deno.args[0] ?? "16x1:120,64x2:40").split(",").map((s) => {
  const m = /^(\d+)x(\d+):(\d+)$/.exec(s.trim());
  if (!m) throw new Error(`config must look like 16x1:300 (dModel x layers : steps), got ${s}`);
  return { config: { dModel: Number(m[1]), nLayers: Number(m[2]) }, steps: Number(m[3]) };
});
const RATIOS = (Deno.args[1] ?? "1,5,25,100,600").split(",").map(Number);
const SAMPLES = Number(Deno.args[2] ?? 16);
const BATCH = Number(Deno.args[3] ?? 16);
const params = REGTEST;
const W = params.validationWindowBytes;
const K = params.evalSampleWindows;
const MU = params.sampleMinImprovementPpm;
const BLOCK = 1024;
const HELD_EVERY = 16;
const EVAL_WINDOWS = 256;
const SEED = 1;

const started = performance.now();
const since = () => ((performance.now() - started) / 1000).toFixed(0) + " s";
const log = (line: string) => console.error(`[${since()}] ${line}`);

const gpu = await requestGpu();
if (!gpu) throw new Error("WebGPU is not available in this runtime (bench/README.md: environment)");
const exact = selectExactEvaluator("auto", null);
const corpus = await loadEvalCorpus();
const split = memoriseSplit(corpus.length, BLOCK, HELD_EVERY);
const heldText = new Uint8Array(split.heldOut.length * BLOCK);
split.heldOut.forEach((s, i) => heldText.set(corpus.subarray(s, s + BLOCK), i * BLOCK));
const heldStarts = spreadWindowStarts(heldText.length, W, EVAL_WINDOWS);
const repoRoot = new URL("..", import.meta.url);
const prose = ["README.md", "docs/PROTOCOL.md"].map((p) => Deno.readFileSync(new URL(p, repoRoot)));
const honestText = new Uint8Array(prose.reduce((s, b) => s + b.length, 0));
prose.reduce((at, b) => (honestText.set(b, at), at + b.length), 0);

/** The K-window samples, as corpus starts, of the consensus rule's seeded draw. */
const samples = Array.from({ length: SAMPLES }, (_, i) => {
  const tag = new TextEncoder().encode(`rnt/pot-memorise${i}`);
  return sampleWindowStarts(keccak256(tag), corpus.length, W, K);
});
const allSampleStarts = samples.flat();

/** Per-window exact loss sums (nats·2^20) of `ck` on the windows of `text` at `starts`. */
async function sums(ck: Checkpoint, text: Uint8Array, starts: readonly number[]) {
  return await exact.evaluateWindows(ck, sampleBytes(text, starts, W), W);
}
const meanNats = (s: readonly number[]) =>
  s.reduce((a, b) => a + b, 0) / 2 ** 20 / (s.length * (W - 1));

/** Trains `steps` steps on `text` from `init` (same schedule and sampler seed for every run). */
async function trainOn(init: Checkpoint, text: Uint8Array, steps: number) {
  const sampler = WindowSampler.fromBytes(text, W, SEED);
  const schedule = {
    maxLr: 1e-2,
    minLr: 1e-3,
    warmupSteps: Math.min(20, steps),
    totalSteps: steps,
  };
  return await train(gpu!, init, sampler, { steps, batch: BATCH, schedule, lossEvery: steps });
}

/** Progress of a child over the parent on each sample, ppm, from per-window sums in sample order. */
function sampleProgress(parent: readonly number[], child: readonly number[]): number[] {
  return samples.map((_, i) => {
    let p = 0, c = 0;
    for (let j = i * K; j < (i + 1) * K; j++) {
      p += parent[j]!;
      c += child[j]!;
    }
    return ((p - c) * 1e6) / p;
  });
}

interface Row {
  name: string;
  bytes: number;
  epochs: number;
  trainLoss: number;
  slice: number | undefined;
  held: number;
  progress: number[];
  inSlice: { n: number; gain: number; outGain: number } | undefined;
}

/** Bytes per parameter for the tables: two decimals below 1 (0.25 must not print as 0.3). */
const perParam = (x: number) => x.toFixed(x < 1 ? 2 : 1);
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f4 = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));
const row = (cells: (string | number)[]) => "| " + cells.map(String).join(" | ") + " |";
const out: string[] = [];

for (const { config, steps } of CONFIGS) {
  const P = paramCount(config as ModelConfig);
  const name = `${config.dModel}×${config.nLayers}`;
  const init = genesisCheckpoint(config, params.genesisModelSeed);
  const tokens = steps * BATCH * W;
  log(`${name}: ${P} parameters, ${steps} steps × ${BATCH} windows of ${W} bytes`);
  const parentSample = await sums(init, corpus, allSampleStarts);
  const rows: Row[] = [];
  const evaluate = async (
    label: string,
    ck: Checkpoint,
    trainLoss: number,
    bytes: number,
    slice?: Uint8Array,
  ): Promise<Row> => {
    const child = await sums(ck, corpus, allSampleStarts);
    let inSlice: Row["inSlice"];
    if (slice) {
      // A sampled window lies in the slice when its 1 KiB block is one of the slice's blocks.
      const taken = new Set(split.pool.slice(0, Math.ceil(bytes / BLOCK)));
      const lastBlock = split.pool[Math.ceil(bytes / BLOCK) - 1]!;
      const lastEnd = lastBlock + (bytes - (Math.ceil(bytes / BLOCK) - 1) * BLOCK);
      const inside = (s: number) => {
        const b = s - (s % BLOCK);
        return taken.has(b) && (b !== lastBlock || s + W <= lastEnd);
      };
      const gainIn: number[] = [], gainOut: number[] = [];
      allSampleStarts.forEach((s, j) => {
        const g = (parentSample[j]! - child[j]!) / parentSample[j]!;
        (inside(s) ? gainIn : gainOut).push(g);
      });
      inSlice = {
        n: gainIn.length,
        gain: gainIn.length ? mean(gainIn) : NaN,
        outGain: mean(gainOut),
      };
    }
    const r: Row = {
      name: label,
      bytes,
      epochs: bytes ? tokens / bytes : 0,
      trainLoss,
      slice: slice
        ? meanNats(await sums(ck, slice, spreadWindowStarts(slice.length, W, EVAL_WINDOWS)))
        : undefined,
      held: meanNats(await sums(ck, heldText, heldStarts)),
      progress: sampleProgress(parentSample, child),
      inSlice,
    };
    log(
      `${name} ${label}: slice ${f4(r.slice)}, held-out ${f4(r.held)}, sample progress ${
        Math.round(mean(r.progress))
      } ppm`,
    );
    return r;
  };
  const genesisRow = await evaluate("initial weights", init, NaN, 0);
  const honest = await trainOn(init, honestText, steps);
  const honestRow = await evaluate(
    "honest (repo prose)",
    honest.checkpoint,
    honest.lastLoss,
    honestText.length,
  );
  const sizes = [...new Set(RATIOS.map((r) => Math.min(Math.round(r * P), poolBytes(split))))];
  for (const S of sizes) {
    const slice = sliceOf(corpus, split, S);
    const memo = await trainOn(init, slice, steps);
    rows.push(
      await evaluate(
        `memoriser, ${perParam(S / P)} B/param`,
        memo.checkpoint,
        memo.lastLoss,
        S,
        slice,
      ),
    );
  }
  const honestProgress = mean(honestRow.progress);
  out.push(
    `\n### ${name} (${P} parameters), ${steps} steps × ${BATCH} × ${W} B = ${tokens} trained bytes\n`,
  );
  out.push(
    row([
      "miner",
      "trained bytes",
      "bytes / param",
      "epochs",
      "last batch loss",
      "slice loss",
      "held-out loss",
      "gap held − slice",
      "slice / held",
      "sample progress ppm (mean)",
      `samples ≥ μ ${MU} ppm`,
      "progress / honest",
      "sampled windows in slice",
      "gain in slice / out",
    ]),
  );
  out.push(row(["---", ...Array(13).fill("--:")]));
  for (const r of [genesisRow, honestRow, ...rows]) {
    const prog = mean(r.progress);
    const isGenesis = r === genesisRow;
    out.push(
      row([
        r.name,
        r.bytes,
        r.slice === undefined ? "—" : perParam(r.bytes / P),
        isGenesis ? "—" : r.epochs.toFixed(2),
        isGenesis ? "—" : r.trainLoss.toFixed(3),
        f4(r.slice),
        f4(r.held),
        r.slice === undefined ? "—" : (r.held - r.slice).toFixed(4),
        r.slice === undefined ? "—" : (r.slice / r.held).toFixed(3),
        isGenesis ? "—" : Math.round(prog),
        isGenesis ? "—" : `${r.progress.filter((p) => p >= MU).length}/${SAMPLES}`,
        isGenesis ? "—" : (prog / honestProgress).toFixed(3),
        r.inSlice ? `${r.inSlice.n}/${allSampleStarts.length}` : "—",
        r.inSlice
          ? `${(100 * r.inSlice.gain).toFixed(2)} % / ${(100 * r.inSlice.outGain).toFixed(2)} %`
          : "—",
      ]),
    );
  }
}

console.log(
  `\n## pot_memorise_bench, ${
    new Date().toISOString()
  }, regtest W = ${W}, K = ${K}, μ = ${MU} ppm, ` +
    `corpus ${corpus.length} bytes (held out: ${split.heldOut.length} blocks of ${BLOCK} B, ` +
    `${EVAL_WINDOWS} windows evaluated; pool ${
      poolBytes(split)
    } B), exact evaluator ${exact.name}, ` +
    `AdamW lr 1e-2 → 1e-3 cosine, ${SAMPLES} samples, load average ${
      Deno.loadavg().map((x) => x.toFixed(1)).join(" ")
    }`,
);
console.log(out.join("\n"));
console.log(
  `\nLosses: exact (PROTOCOL §3.10), nats per predicted byte. Sample progress: (Σparent − Σchild)/Σparent ` +
    `of the exact window sums, the parent being the initial weights. Gain in / out: mean per-window ` +
    `relative improvement on the sampled windows inside / outside the trained slice.`,
);
console.log(`\ntotal ${since()}`);
// The exact evaluator's workers would keep the process alive.
Deno.exit(0);

/**
 * Measures the sampling noise of the paired Proof-of-Training rule (PROTOCOL §5.9) on the 30
 * real trained regtest checkpoints of `tests/testdata/regtest_chain_30.bin.gz` (trained on the
 * Austen sample text; the KJV mainnet set is held out):
 *
 * 1. per-window losses of genesis and every fixture checkpoint on `WINDOWS` windows of
 *    `W` bytes (default 64) spread evenly over the 1 MiB KJV set (CPU reference, f64 sums);
 * 2. for every successive pair, the true relative improvement on all windows and the spread
 *    `s` of the per-window paired difference `(c_w − p_w) / mean(p)` (the sample statistic
 *    `Σ(c − p) / Σp` over K random windows then has standard deviation ≈ s / √K);
 * 3. grinding: for K in {64, 256, 1024} it draws `TRIES` random samples (with replacement) of
 *    K windows and reports the largest improvement a grinder would see above the true one,
 *    beside the Gaussian prediction √(2 ln N) · s / √K for N = 1, 10³, 10⁶ (and 2⁶⁴).
 *
 * ```sh
 * deno run --allow-read --allow-write bench/pot_noise_bench.ts [WINDOWS] [TRIES] [W] [PAIRS]
 * ```
 * Writes the per-window losses to bench/out/pot_noise_losses_wW.json (gitignored).
 *
 * @module
 */
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { decodeBlock } from "../core/primitives/block.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { windowLossesNatsCpu } from "../gpu/model/window_evaluator.ts";
import { readChainFixture } from "../tests/chain_fixture.ts";

const WINDOWS = Number(Deno.args[0] ?? 4096);
const TRIES = Number(Deno.args[1] ?? 1_000_000);
const W = Number(Deno.args[2] ?? 64);
// Optional comma list of pairs (child indices 1..30) to measure; default all.
const PAIRS = Deno.args[3]?.split(",").map(Number);

const corpus = await loadValidationSet("mainnet");
const stride = Math.floor(corpus.length / WINDOWS);
const starts = Array.from({ length: WINDOWS }, (_, i) => i * stride);

const fixture = await readChainFixture();
const checkpoints = [
  genesisCheckpoint(
    { dModel: REGTEST.genesisDModel, nLayers: REGTEST.genesisLayers },
    REGTEST.genesisModelSeed,
  ),
];
const configs = [`${REGTEST.genesisDModel}x${REGTEST.genesisLayers}`];
for (const b of fixture) {
  const { header } = decodeBlock(b.block, REGTEST);
  checkpoints.push(
    decodeCheckpoint(b.checkpoint, { dModel: header.dModel, nLayers: header.nLayers }),
  );
  configs.push(`${header.dModel}x${header.nLayers}`);
}

const pairs = PAIRS ?? Array.from({ length: checkpoints.length - 1 }, (_, i) => i + 1);
const needed = new Set(pairs.flatMap((i) => [i - 1, i]));
const losses: Float64Array[] = [];
let evalSecs = 0;
for (const [i, c] of checkpoints.entries()) {
  if (!needed.has(i)) {
    losses.push(new Float64Array(0));
    continue;
  }
  const t0 = performance.now();
  losses.push(windowLossesNatsCpu(c, corpus, starts, W));
  const secs = (performance.now() - t0) / 1000;
  evalSecs += secs;
  const mean = losses[i]!.reduce((a, b) => a + b, 0) / WINDOWS / (W - 1);
  console.log(
    `checkpoint ${i} (${configs[i]}): ${mean.toFixed(4)} nats/byte, ${secs.toFixed(1)} s`,
  );
}
await Deno.mkdir(new URL("./out/", import.meta.url), { recursive: true });
await Deno.writeTextFile(
  new URL(`./out/pot_noise_losses_w${W}.json`, import.meta.url),
  JSON.stringify({ W, starts, configs, losses: losses.map((l) => Array.from(l)) }),
);

/** A small deterministic PRNG (xorshift32) for the bootstrap draws. */
function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const sqrt2ln = (n: number) => Math.sqrt(2 * Math.log(n));
console.log(
  `\npair  true-impr  s(paired)  s(unpaired)  | K: grind-max over ${TRIES} draws / predicted`,
);
const sValues: number[] = [];
const rows: string[] = [];
for (const i of pairs) {
  const p = losses[i - 1]!, c = losses[i]!;
  const pMean = p.reduce((a, b) => a + b, 0) / WINDOWS;
  const d = Array.from(p, (pv, w) => (pv - c[w]!) / pMean); // positive = improvement
  const dMean = d.reduce((a, b) => a + b, 0) / WINDOWS;
  const s = Math.sqrt(d.reduce((a, b) => a + (b - dMean) ** 2, 0) / (WINDOWS - 1));
  const cRel = Array.from(c, (v) => v / pMean);
  const cMean = cRel.reduce((a, b) => a + b, 0) / WINDOWS;
  const sUnpaired = Math.sqrt(cRel.reduce((a, b) => a + (b - cMean) ** 2, 0) / (WINDOWS - 1));
  sValues.push(s);
  const parts: string[] = [];
  // The bootstrap is costly: run it on every 7th pair and the last.
  if (i % 7 === 1 || i === checkpoints.length - 1) {
    for (const K of [64, 256, 1024]) {
      const next = rng(i * 1000 + K);
      let best = -Infinity;
      for (let t = 0; t < TRIES; t++) {
        let sum = 0;
        for (let k = 0; k < K; k++) sum += d[next() % WINDOWS]!;
        if (sum > best) best = sum;
      }
      const excess = best / K - dMean;
      parts.push(`K=${K}: ${excess.toFixed(5)}/${(sqrt2ln(TRIES) * s / Math.sqrt(K)).toFixed(5)}`);
    }
  }
  rows.push(
    `${String(i).padStart(2)}    ${dMean.toFixed(5)}    ${s.toFixed(5)}    ${
      sUnpaired.toFixed(5)
    }  | ${parts.join("  ")}`,
  );
  console.log(rows.at(-1));
}
const sorted = [...sValues].sort((a, b) => a - b);
console.log(
  `\ns over ${sValues.length} pairs: min ${sorted[0]!.toFixed(5)} median ${
    sorted[Math.floor(sorted.length / 2)]!.toFixed(5)
  } max ${sorted.at(-1)!.toFixed(5)}; evaluation ${
    evalSecs.toFixed(0)
  } s for ${needed.size} checkpoints × ${WINDOWS} windows`,
);
const sMax = sorted.at(-1)!;
for (const n of [1e3, 1e6, 2 ** 64]) {
  // K such that the largest of n tries stays below half of μ: √(2 ln n) · s / √K ≤ μ / 2.
  const kFor = (mu: number) => Math.ceil((2 * sqrt2ln(n) * sMax / mu) ** 2);
  console.log(
    `N=${n.toExponential(1)}: √(2 ln N)=${sqrt2ln(n).toFixed(2)}; K for μ/2 at s_max: ` +
      `μ=0.5% ${kFor(0.005)}, μ=1% ${kFor(0.01)}, μ=2% ${kFor(0.02)}, μ=5% ${kFor(0.05)}`,
  );
}

/**
 * The memorisation experiment of issue 14 (item 7) against real nodes under the sampled, paired
 * Proof-of-Training rule (PROTOCOL §5.9, §6.3):
 *
 * 1. Two regtest nodes mine from genesis on separate chains for the same wall time, at the same
 *    time (so both see the same machine load): the **memoriser** trains only on a small public
 *    slice of the evaluation corpus (its first `SLICE` bytes, the start of the KJV part), the
 *    **honest** miner on other text, outside the corpus (the repository's own English prose,
 *    `README.md` + `docs/PROTOCOL.md`; every bundled data file is part of the corpus).
 * 2. Fork choice: the memoriser's first block (a one-block fork from genesis) is submitted to
 *    the honest node, then the memoriser's whole chain; the honest node keeps the chain with the
 *    most work (`1 + min(progressPpm, blockWorkCapPpm)` per block).
 * 3. An honest miner (the honest text) restarts on the memoriser's datadir: does it still find
 *    blocks on top of the memorised tip within `CONT_SECS`?
 * 4. Exact losses (PROTOCOL §3.10, the node's evaluator) of genesis and every tip on held-out
 *    corpus windows (evenly spread after the slice) and on the slice.
 * 5. Noise and grinding: the per-window paired difference `d_w = (p_w − c_w)/mean(p)` of the
 *    honest chain's successive checkpoints on the held-out windows gives the spread `s`; a
 *    grinder's gain over N seed tries is about `z_N·s/√K`, `z_N = √(2 ln N)`, printed for N = 1,
 *    10³, 10⁶ beside a bootstrap (best of N random K-window samples of the measured `d_w`). The
 *    same for a testnet-like config (W = 256 windows, testnet's K and μ) on the same checkpoints.
 * 6. Lifetime: blocks of certified progress `ln(L₀/L∞)/μ` (L₀ the genesis held-out loss, L∞ an
 *    assumed floor of 1 nat/byte), μ_t's decay schedule, and how many mined blocks met a decayed
 *    μ_t.
 *
 * ```sh
 * deno run --allow-net=127.0.0.1 --allow-read --allow-write --allow-env --allow-run --allow-sys \
 *   bench/pot_experiment.ts [MINE_SECS=120] [CONT_SECS=90] [SLICE=4096] [HELD_OUT=256]
 * ```
 *
 * Default run: 4–5 minutes on the shared 2-core machine (243–270 s measured). Needs the WebGPU
 * environment of the rest of the repository (bench/README.md). Results: bench/README.md.
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { sampleBytes } from "../core/consensus/eval_sample.ts";
import { requiredImprovementPpm } from "../core/consensus/paired_improvement.ts";
import { type NetworkParams, REGTEST, TESTNET } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { REPO_ROOT } from "../tests/helpers.ts";
import { NodeProcess } from "../tests/node_process.ts";

const MINE_SECS = Number(Deno.args[0] ?? 120);
const CONT_SECS = Number(Deno.args[1] ?? 90);
const SLICE = Number(Deno.args[2] ?? 4096);
const HELD_OUT = Number(Deno.args[3] ?? 256);
const params = REGTEST;
const W = params.validationWindowBytes;
const K = params.evalSampleWindows;
const FLOOR_NATS = 1.0; // assumed byte-level floor of English (PROTOCOL §5.9), not measured

const started = performance.now();
const since = () => ((performance.now() - started) / 1000).toFixed(0) + " s";
const log = (line: string) => console.error(`[${since()}] ${line}`);

const corpus = await loadEvalCorpus();
const work = await Deno.makeTempDir({ prefix: "rnt-pot-experiment-" });
const slicePath = `${work}/memoriser-slice.txt`;
await Deno.writeFile(slicePath, corpus.subarray(0, SLICE));
const honestParts = ["README.md", "docs/PROTOCOL.md"];
const honestText = honestParts.map((p) => Deno.readFileSync(`${REPO_ROOT}/${p}`));
const honestPath = `${work}/honest.txt`;
await Deno.writeFile(honestPath, concat(honestText));
const honestBytes = honestText.reduce((s, b) => s + b.length, 0);

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** What the experiment reads of one block over RPC. */
interface ChainBlock {
  height: number;
  hash: string;
  time: number;
  parentTime: number;
  dModel: number;
  nLayers: number;
  progressPpm: number;
  chainWork: bigint;
  rewardResonances: bigint;
  hex: string;
}

interface HeaderJson {
  time: number;
  d_model: number;
  layers: number;
  progress_ppm: number;
  chainwork: string;
}

interface BlockJson {
  tx: { vout: { value_resonances: number }[] }[];
}

/** The active chain of `node` from `from` to its tip. */
async function readChain(node: NodeProcess, from = 1): Promise<ChainBlock[]> {
  const height = await node.rpc<number>("getblockcount");
  const out: ChainBlock[] = [];
  let parentTime = params.genesisTimestampSecs;
  if (from > 1) {
    const h = await node.rpc<HeaderJson>("getblockheader", [
      await node.rpc<string>("getblockhash", [from - 1]),
      true,
    ]);
    parentTime = h.time;
  }
  for (let h = from; h <= height; h++) {
    const hash = await node.rpc<string>("getblockhash", [h]);
    const hdr = await node.rpc<HeaderJson>("getblockheader", [hash, true]);
    const blk = await node.rpc<BlockJson>("getblock", [hash, 2]);
    const reward = blk.tx[0]!.vout.reduce((s, o) => s + BigInt(o.value_resonances), 0n);
    out.push({
      height: h,
      hash,
      time: hdr.time,
      parentTime,
      dModel: hdr.d_model,
      nLayers: hdr.layers,
      progressPpm: hdr.progress_ppm,
      chainWork: BigInt("0x" + hdr.chainwork),
      rewardResonances: reward,
      hex: await node.rpc<string>("getblock", [hash, 0]),
    });
    parentTime = hdr.time;
  }
  return out;
}

function checkpointOf(datadir: string, b: ChainBlock): Checkpoint | undefined {
  try {
    const bytes = Deno.readFileSync(`${datadir}/checkpoints/${b.hash}.rnet`);
    return decodeCheckpoint(bytes, { dModel: b.dModel, nLayers: b.nLayers });
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined; // pruned
    throw e;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Spread {
  s: number;
  d: Float64Array;
  trueGain: number;
}
function spread(p: readonly number[], c: readonly number[]): Spread {
  const meanP = p.reduce((a, b) => a + b, 0) / p.length;
  const d = Float64Array.from(p, (pw, i) => (pw - c[i]!) / meanP);
  const m = d.reduce((a, b) => a + b, 0) / d.length;
  const v = d.reduce((a, b) => a + (b - m) ** 2, 0) / (d.length - 1);
  return { s: Math.sqrt(v), d, trueGain: m };
}

/** The largest mean of `k` windows drawn with replacement from `d`, over `n` draws, minus the mean. */
function bootstrapExcess(d: Float64Array, k: number, n: number, seed: number): number {
  let x = seed >>> 0 || 1;
  const mean = d.reduce((a, b) => a + b, 0) / d.length;
  let best = -Infinity;
  for (let t = 0; t < n; t++) {
    let sum = 0;
    for (let j = 0; j < k; j++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      sum += d[x % d.length]!;
    }
    if (sum / k > best) best = sum / k;
  }
  return best - mean;
}

/**
 * The miner's stall reports (once per block: its best sample loss against the needed one) and
 * errors, from a mining node's stderr.
 */
function minerMessages(stderr: string): string[] {
  return stderr.split("\n").filter((l) =>
    /^block \d+: no real progress|^mining error|mining loop failed|gave up/.test(l)
  );
}

// Every node started, so that a failure anywhere still stops them all.
const nodes: NodeProcess[] = [];
async function startNode(datadir: string, args: string[] = []): Promise<NodeProcess> {
  const node = NodeProcess.spawn(datadir, undefined, args);
  nodes.push(node);
  await node.ready();
  return node;
}

try {
  // --- 1. memoriser and honest miner, same wall time, separate chains ---
  const memoDir = `${work}/memoriser`, honestDir = `${work}/honest`;
  log(
    `mining ${MINE_SECS} s each, in parallel: memoriser on the first ${SLICE} bytes of the corpus, ` +
      `honest on ${honestParts.join(" + ")} (${honestBytes} bytes, outside the corpus)`,
  );
  let memo = await startNode(memoDir, ["--mine", "--data", slicePath]);
  let honest = await startNode(honestDir, ["--mine", "--data", honestPath]);
  const mineStart = performance.now();
  await sleep(MINE_SECS * 1000);
  const memoChain = await readChain(memo);
  const honestChain = await readChain(honest);
  const mineWall = (performance.now() - mineStart) / 1000;
  await memo.stop();
  await honest.stop();
  const messages: [string, string[]][] = [
    ["memoriser", minerMessages(memo.log)],
    ["honest", minerMessages(honest.log)],
  ];
  log(`memoriser ${memoChain.length} blocks, honest ${honestChain.length} blocks`);

  // --- 2. fork choice on the honest node (not mining) ---
  honest = await startNode(honestDir);
  const honestTip = await honest.rpc<string>("getbestblockhash");
  const honestWork = honestChain.at(-1)?.chainWork ?? 0n;
  const fork: { blocks: number; work: bigint; result: unknown; tipKept: boolean }[] = [];
  const submit = async (b: ChainBlock): Promise<unknown> => {
    const ck = Deno.readFileSync(`${memoDir}/checkpoints/${b.hash}.rnet`);
    try {
      return await honest.rpc("submitblock", [b.hex, toHex(ck)]);
    } catch (e) {
      return `error: ${(e as Error).message}`;
    }
  };
  if (memoChain.length > 0) {
    const r1 = await submit(memoChain[0]!);
    fork.push({
      blocks: 1,
      work: memoChain[0]!.chainWork,
      result: r1,
      tipKept: (await honest.rpc<string>("getbestblockhash")) === honestTip,
    });
    let last: unknown = r1;
    for (const b of memoChain.slice(1)) last = await submit(b);
    if (memoChain.length > 1) {
      fork.push({
        blocks: memoChain.length,
        work: memoChain.at(-1)!.chainWork,
        result: last,
        tipKept: (await honest.rpc<string>("getbestblockhash")) === honestTip,
      });
    }
  }
  await honest.stop();

  // --- 3. an honest miner on the memoriser's tip ---
  log(`honest miner on the memoriser's tip for ${CONT_SECS} s`);
  memo = await startNode(memoDir, ["--mine", "--data", honestPath]);
  const contStart = performance.now();
  await sleep(CONT_SECS * 1000);
  const contChain = await readChain(memo, memoChain.length + 1);
  const contWall = (performance.now() - contStart) / 1000;
  await memo.stop();
  messages.push(["honest on memoriser's tip", minerMessages(memo.log)]);
  log(`honest miner on the memoriser's tip: ${contChain.length} blocks`);

  // --- 4. exact losses on held-out windows and on the slice ---
  const exact = selectExactEvaluator("auto", null);
  const heldStarts = Array.from(
    { length: HELD_OUT },
    (_, i) => SLICE + Math.floor(i * (corpus.length - SLICE - W) / HELD_OUT / W) * W,
  );
  const sliceStarts = Array.from({ length: Math.floor(SLICE / W) }, (_, i) => i * W);
  const windowSums = async (c: Checkpoint, starts: number[], w: number) =>
    await exact.evaluateWindows(c, sampleBytes(corpus, starts, w), w);
  const meanNats = (sums: readonly number[], w: number) =>
    sums.reduce((s, x) => s + x, 0) / 2 ** 20 / (sums.length * (w - 1));
  const genesis = genesisCheckpoint(
    { dModel: params.genesisDModel, nLayers: params.genesisLayers },
    params.genesisModelSeed,
  );
  const tipOf = (dir: string, chain: ChainBlock[]) =>
    chain.length ? checkpointOf(dir, chain.at(-1)!) : genesis;
  const evalStart = performance.now();
  const losses = new Map<string, { held: number; slice: number }>();
  for (
    const [name, ck] of [
      ["genesis", genesis],
      ["memoriser tip", tipOf(memoDir, memoChain)],
      ["honest tip", tipOf(honestDir, honestChain)],
      ["memoriser + honest tip", tipOf(memoDir, [...memoChain, ...contChain])],
    ] as const
  ) {
    if (!ck) continue;
    losses.set(name, {
      held: meanNats(await windowSums(ck, heldStarts, W), W),
      slice: meanNats(await windowSums(ck, sliceStarts, W), W),
    });
  }
  log(`exact losses of 4 checkpoints in ${((performance.now() - evalStart) / 1000).toFixed(1)} s`);

  // --- 5. noise from the honest chain's successive checkpoints ---
  const W_TESTNET = TESTNET.validationWindowBytes;
  const heldStartsT = Array.from(
    { length: HELD_OUT / 2 },
    (_, i) =>
      SLICE + Math.floor(i * (corpus.length - SLICE - W_TESTNET) / (HELD_OUT / 2) / W_TESTNET) *
        W_TESTNET,
  );
  const honestCks: Checkpoint[] = [genesis];
  for (const b of honestChain) {
    const ck = checkpointOf(honestDir, b);
    if (ck) honestCks.push(ck);
    else break;
  }
  const spreads: Spread[] = [], spreadsT: Spread[] = [];
  let prev = await windowSums(genesis, heldStarts, W);
  let prevT = await windowSums(genesis, heldStartsT, W_TESTNET);
  for (const ck of honestCks.slice(1)) {
    const cur = await windowSums(ck, heldStarts, W);
    const curT = await windowSums(ck, heldStartsT, W_TESTNET);
    spreads.push(spread(prev, cur));
    spreadsT.push(spread(prevT, curT));
    prev = cur;
    prevT = curT;
  }
  log(`spread of ${spreads.length} honest pairs measured`);

  const zOf = (n: number) => (n <= 1 ? 0 : Math.sqrt(2 * Math.log(n)));
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]!;

  // --- summary ---
  const rnt = (r: bigint) => (Number(r) / 1e8).toFixed(3);
  const pct = (x: number) => (100 * x).toFixed(2) + " %";
  const decayed = (chain: ChainBlock[]) =>
    chain.filter((b) =>
      requiredImprovementPpm(params, b.parentTime, b.time) < params.sampleMinImprovementPpm
    )
      .length;
  const meanProgress = (chain: ChainBlock[]) =>
    chain.length ? Math.round(chain.reduce((s, b) => s + b.progressPpm, 0) / chain.length) : 0;
  const workOf = (chain: ChainBlock[], base = 0n) => (chain.at(-1)?.chainWork ?? base) - base;
  const rewardOf = (chain: ChainBlock[]) => chain.reduce((s, b) => s + b.rewardResonances, 0n);
  const row = (cells: (string | number | bigint)[]) => "| " + cells.map(String).join(" | ") + " |";

  console.log(
    `\n## pot_experiment, ${new Date().toISOString()}, regtest (K = ${K}, W = ${W}, μ = ` +
      `${params.sampleMinImprovementPpm} ppm, grace ${params.improvementGraceSecs} s, half-life ` +
      `${params.improvementHalfLifeSecs} s, work cap ${params.blockWorkCapPpm} ppm), exact evaluator ` +
      `${exact.name}, load average ${Deno.loadavg().map((x) => x.toFixed(1)).join(" ")}\n`,
  );
  const memoLoss = losses.get("memoriser tip"), honestLoss = losses.get("honest tip");
  const contLoss = losses.get("memoriser + honest tip"), genLoss = losses.get("genesis")!;
  const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(4));
  console.log(
    row([
      "miner",
      "training data",
      "wall s",
      "blocks",
      "reward RNT",
      "chain work",
      "mean progress ppm",
      "blocks at decayed μ_t",
      "held-out loss",
      "slice loss",
    ]),
  );
  console.log(row(["---", "---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"]));
  console.log(
    row([
      "genesis",
      "—",
      "—",
      0,
      "—",
      0,
      "—",
      "—",
      f(genLoss.held),
      f(genLoss.slice),
    ]),
  );
  const minerRow = (
    name: string,
    data: string,
    wall: number,
    chain: typeof memoChain,
    loss: typeof memoLoss,
    startWork = 0n,
  ) =>
    row([
      name,
      data,
      wall.toFixed(0),
      chain.length,
      rnt(rewardOf(chain)),
      workOf(chain, startWork),
      meanProgress(chain),
      decayed(chain),
      f(loss?.held),
      f(loss?.slice),
    ]);
  const prose = `${honestBytes} B of repo prose`;
  console.log(minerRow("memoriser", `corpus bytes 0–${SLICE}`, mineWall, memoChain, memoLoss));
  console.log(minerRow("honest", prose, mineWall, honestChain, honestLoss));
  console.log(
    minerRow(
      "honest on memoriser's tip",
      prose,
      contWall,
      contChain,
      contLoss,
      memoChain.at(-1)?.chainWork ?? 0n,
    ),
  );
  for (
    const [name, chain] of [
      ["memoriser", memoChain],
      ["honest", honestChain],
      ["honest on memoriser's tip", contChain],
    ] as const
  ) {
    const items = chain.map((b) =>
      `${b.height}: ${b.progressPpm}/${requiredImprovementPpm(params, b.parentTime, b.time)}/` +
      `${b.height === 1 ? "—" : b.time - b.parentTime}`
    );
    console.log(
      `- ${name} blocks (height: progress ppm/μ_t ppm/s after parent): ${items.join(", ")}`,
    );
  }
  for (const [name, lines] of messages) {
    console.log(
      `- ${name} miner, stall reports and errors on stderr: ${
        lines.length ? "\n  - " + lines.join("\n  - ") : "none"
      }`,
    );
  }
  console.log(
    `\nLosses: exact (PROTOCOL §3.10), nats per predicted byte, mean of ${HELD_OUT} held-out ` +
      `windows of ${W} bytes spread evenly over corpus bytes ${SLICE}–${corpus.length} and of the ` +
      `${sliceStarts.length} windows of the memoriser's slice. Reward: coinbase outputs of the ` +
      `blocks. Chain work: Σ (1 + min(progress, ${params.blockWorkCapPpm})) from the headers.`,
  );
  console.log(
    `\nFork choice on the honest node (its chain: ${honestChain.length} blocks, work ${honestWork}):\n`,
  );
  console.log(
    row(["memoriser fork", "fork work", "submitblock of its last block", "honest tip kept"]),
  );
  console.log(row(["---", "--:", "---", "---"]));
  for (const r of fork) {
    console.log(
      row([
        `${r.blocks} block${r.blocks > 1 ? "s" : ""} from genesis`,
        r.work,
        JSON.stringify(r.result),
        r.tipKept ? "yes" : "NO",
      ]),
    );
  }

  console.log(
    `\nNoise: spread s of d_w = (p_w − c_w)/mean(p) over the honest chain's ${spreads.length} ` +
      `successive pairs (genesis → block 1 first), on the held-out windows.\n`,
  );
  const TRIES = [1, 1e3, 1e6];
  console.log(
    row([
      "config",
      "K",
      "W",
      "μ",
      "s first",
      "s median",
      "s max",
      ...["N = 1", "N = 10³", "N = 10⁶"].map((n) => `z·s/√K, ${n} (max s)`),
      "bootstrap N=1e3 / 1e6 (median-s pair)",
    ]),
  );
  console.log(row(["---", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:", "--:"]));
  for (
    const [name, ss, k, w, mu] of [
      ["regtest", spreads, K, W, params.sampleMinImprovementPpm],
      [
        "testnet-like",
        spreadsT,
        TESTNET.evalSampleWindows,
        W_TESTNET,
        TESTNET.sampleMinImprovementPpm,
      ],
    ] as const
  ) {
    if (ss.length === 0) {
      console.log(row([name, k, w, "—", "no honest pairs", "", "", "", "", "", ""]));
      continue;
    }
    const sv = ss.map((x) => x.s);
    const sMax = Math.max(...sv), sMed = median(sv);
    const medPair = ss.find((x) => x.s === sMed)!;
    const boot = `${pct(bootstrapExcess(medPair.d, k, 1e3, 7))} / ${
      pct(bootstrapExcess(medPair.d, k, 1e6, 11))
    }`;
    console.log(
      row([
        name,
        k,
        w,
        pct(mu / 1e6),
        sv[0]!.toFixed(4),
        sMed.toFixed(4),
        sMax.toFixed(4),
        ...TRIES.map((n) =>
          `${pct(zOf(n) * sMed / Math.sqrt(k))} (${pct(zOf(n) * sMax / Math.sqrt(k))})`
        ),
        boot,
      ]),
    );
  }
  console.log(
    `\n(z_N = √(2 ln N): 0, ${zOf(1e3).toFixed(2)}, ${zOf(1e6).toFixed(2)}; the testnet-like row ` +
      `evaluates the same regtest-size checkpoints on ${
        HELD_OUT / 2
      } windows of ${W_TESTNET} bytes ` +
      `and uses testnet's K and μ; the bootstrap draws from the pair's ${HELD_OUT} (or ` +
      `${HELD_OUT / 2}) measured d_w.)`,
  );

  const L0 = genLoss.held;
  console.log(
    `\nLifetime: genesis held-out loss L₀ = ${
      L0.toFixed(4)
    } nats/byte, assumed floor L∞ = ${FLOOR_NATS}.\n`,
  );
  for (const p of [REGTEST, TESTNET] as NetworkParams[]) {
    const mu = p.sampleMinImprovementPpm / 1e6;
    const schedule = [0, p.improvementGraceSecs, p.improvementGraceSecs + p.improvementHalfLifeSecs]
      .concat([2, 4, 8].map((h) => p.improvementGraceSecs + h * p.improvementHalfLifeSecs))
      .map((t) => `${t} s: ${requiredImprovementPpm(p, 0, t)}`);
    console.log(
      `- ${p.name}: ln(L₀/L∞)/μ = ${(Math.log(L0 / FLOOR_NATS) / mu).toFixed(0)} blocks of ` +
        `certified progress at μ = ${pct(mu)}; μ_t (ppm) after the parent: ${
          schedule.join(", ")
        }; ` +
        `0 after ${p.improvementGraceSecs + 31 * p.improvementHalfLifeSecs} s (then only c < p).`,
    );
  }
  const all = [...memoChain, ...honestChain, ...contChain];
  const honestDrop = honestLoss ? Math.log(L0 / honestLoss.held) : 0;
  console.log(
    `- measured: ${decayed(all)} of the ${all.length} blocks mined here met a decayed μ_t ` +
      `(block 1 always does: genesis is dated ${
        new Date(params.genesisTimestampSecs * 1000).toISOString().slice(0, 10)
      }); ` +
      `the honest chain used ln(L₀/L_tip) = ${honestDrop.toFixed(3)} of the ` +
      `${Math.log(L0 / FLOOR_NATS).toFixed(3)} available in ${honestChain.length} blocks.`,
  );
  console.log(`\ntotal ${since()}`);
} finally {
  for (const node of nodes) await node[Symbol.asyncDispose]();
  await Deno.remove(work, { recursive: true });
}
// The exact evaluator's workers would keep the process alive.
Deno.exit(0);

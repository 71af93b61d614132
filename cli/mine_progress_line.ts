/**
 * What a miner prints: the training status line (step, loss, tokens/s, best sample loss
 * against the target, ETA), redrawn in place on a terminal (stderr, TTY only, at most 5 times a
 * second), and one line per found block (height, loss, improvement, d_model, layers, reward).
 *
 * @module
 */
import { toHex } from "../core/crypto/keccak.ts";
import { formatRnt } from "../core/primitives/amount.ts";
import type { FoundBlock, MiningProgress, MiningStall } from "../node/miner/block_miner.ts";

function nats(microNats: number): string {
  return Number.isFinite(microNats) ? (microNats / 1e6).toFixed(4) : "–";
}

/** Formats seconds as `42s`, `3m05s` or `1h02m`. */
export function formatDuration(secs: number): string {
  const s = Math.round(secs);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * The status line of a block being trained.
 *
 * @example
 * ```ts
 * import { formatProgress } from "./mine_progress_line.ts";
 * console.log(formatProgress({
 *   height: 3, step: 20, loss: 2.5, tokensPerSec: 12000, bestMicroNats: 2_900_000,
 *   targetMicroNats: 2_800_000, parentMicroNats: 3_000_000, etaSecs: 4, elapsedSecs: 6,
 * }));
 * // mining 3 │ step 20 │ loss 2.5000 │ 12.0k tok/s │ val 2.9000 → 2.8000 │ ETA 4s
 * ```
 */
export function formatProgress(p: MiningProgress): string {
  const loss = p.loss === undefined ? "–" : p.loss.toFixed(4);
  const tps = p.tokensPerSec >= 1000
    ? `${(p.tokensPerSec / 1000).toFixed(1)}k`
    : p.tokensPerSec.toFixed(0);
  const eta = p.etaSecs === undefined ? "?" : formatDuration(p.etaSecs);
  return `mining ${p.height} │ step ${p.step} │ loss ${loss} │ ${tps} tok/s │ ` +
    `val ${nats(p.bestMicroNats)} → ${nats(p.targetMicroNats)} │ ETA ${eta}`;
}

/**
 * What to say when training stopped getting closer to the target: where it is, why that
 * happens (data unlike the evaluation corpus), and what to do.
 */
export function formatStall(stall: MiningStall, dataPath: string | undefined): string[] {
  const data = dataPath ?? "the training data";
  return [
    `block ${stall.height}: no real progress in the last ${stall.window} rounds ` +
    `(${stall.rounds} so far): best val ${nats(stall.bestMicroNats)} ` +
    `(${nats(stall.bestBeforeMicroNats)} ${stall.window} rounds ago), ` +
    `needed ${nats(stall.targetMicroNats)} (parent ${nats(stall.parentMicroNats)})`,
    `  training on ${data} no longer brings the model closer to the evaluation corpus ` +
    "(English prose, sampled per block): the data is probably unlike it, or too small to " +
    "teach more.",
    "  try larger, more varied English text (e.g. core/data/sample-train.txt), or bound " +
    "the effort with --max-rounds N (gives up on a block after N rounds).",
  ];
}

/** The improvement as a signed percentage with two decimals, e.g. `-4.12%`. */
export function formatImprovement(ppm: number): string {
  return `-${(ppm / 1e4).toFixed(2)}%`;
}

/**
 * One line for a found block.
 *
 * @example
 * ```ts
 * import { formatFoundBlock } from "./mine_progress_line.ts";
 * console.log(formatFoundBlock({
 *   hash: new Uint8Array(32), height: 2, sampleLossMicroNats: 3_031_889,
 *   parentSampleLossMicroNats: 3_555_462, improvementPpm: 147_259, requiredPpm: 10_000,
 *   rewardResonances: 10_000_000_000n, feesResonances: 0n, dModel: 20, nLayers: 1, rounds: 1,
 *   steps: 10, tokens: 40960, secs: 3.4, evalSecs: 0.2, verifySecs: 0.1, checkpointBytes: 70_000,
 *   outcome: { status: "connected" },
 * }));
 * // block 2  sample_loss 3.031889 (parent 3.555462, -14.73%)  d_model 20  layers 1  reward 100.00000000 RNT  [10 steps, 40960 tokens, train 3.2s, verify 0.1s]
 * ```
 */
export function formatFoundBlock(found: FoundBlock): string {
  const status = found.outcome.status === "connected"
    ? ""
    : found.outcome.status === "rejected"
    ? `  REJECTED: ${found.outcome.reason}`
    : `  (${found.outcome.status})`;
  const fees = found.feesResonances > 0n ? ` + ${formatRnt(found.feesResonances)} fees` : "";
  const trainSecs = Math.max(0, found.secs - found.evalSecs);
  return `block ${found.height}  sample_loss ${(found.sampleLossMicroNats / 1e6).toFixed(6)} ` +
    `(parent ${(found.parentSampleLossMicroNats / 1e6).toFixed(6)}, ` +
    `${formatImprovement(found.improvementPpm)})  d_model ${found.dModel}  ` +
    `layers ${found.nLayers}  reward ${formatRnt(found.rewardResonances)} RNT${fees}  ` +
    `[${found.steps} steps, ${found.tokens} tokens, train ${trainSecs.toFixed(1)}s, ` +
    `verify ${found.verifySecs.toFixed(1)}s]${status}`;
}

/** One found block as a JSON object (for `--json`: one line per block). */
export function foundBlockJson(found: FoundBlock): Record<string, unknown> {
  return {
    height: found.height,
    hash: toHex(found.hash),
    sample_loss_micronats: found.sampleLossMicroNats,
    parent_sample_loss_micronats: found.parentSampleLossMicroNats,
    improvement_ppm: found.improvementPpm,
    required_ppm: found.requiredPpm,
    reward_resonances: found.rewardResonances.toString(),
    fees_resonances: found.feesResonances.toString(),
    d_model: found.dModel,
    layers: found.nLayers,
    rounds: found.rounds,
    steps: found.steps,
    tokens: found.tokens,
    secs: Number(found.secs.toFixed(3)),
    eval_secs: Number(found.evalSecs.toFixed(3)),
    verify_secs: Number(found.verifySecs.toFixed(3)),
    status: found.outcome.status,
    ...(found.outcome.status === "rejected" ? { reason: found.outcome.reason } : {}),
  };
}

/** A status line redrawn in place on a terminal; a no-op elsewhere. */
export class StatusLine {
  readonly #write: (text: string) => void;
  readonly #enabled: boolean;
  readonly #minIntervalMs: number;
  #lastMs = -Infinity;
  #shown = false;

  /** Writes to stderr when it is a terminal (or to `write` when given, always enabled). */
  constructor(write?: (text: string) => void, minIntervalMs = 200) {
    const encoder = new TextEncoder();
    this.#enabled = write !== undefined || Deno.stderr.isTerminal();
    this.#write = write ?? ((text) => Deno.stderr.writeSync(encoder.encode(text)));
    this.#minIntervalMs = minIntervalMs;
  }

  /** Redraws the line (throttled). */
  update(text: string): void {
    if (!this.#enabled) return;
    const now = performance.now();
    if (now - this.#lastMs < this.#minIntervalMs) return;
    this.#lastMs = now;
    const width = Deno.stderr.isTerminal() ? Deno.consoleSize().columns - 1 : 200;
    this.#write(`\r\x1b[K${text.slice(0, Math.max(20, width))}`);
    this.#shown = true;
  }

  /** Erases the line so other output starts on a clean line. */
  clear(): void {
    if (!this.#enabled || !this.#shown) return;
    this.#write("\r\x1b[K");
    this.#shown = false;
    this.#lastMs = -Infinity;
  }
}

/**
 * Mining cost (issue "Mining end to end", point 6): mines blocks for real with the shared
 * training loop (BlockMiner) on an in-memory chain that starts at the network's genesis, and
 * prints per found block the wall time, the training steps and tokens behind it, and the
 * verification cost — one consensus evaluation of the block's checkpoint on the validation set,
 * which is what every verifying node pays — as a ratio of the training time behind that block
 * and of all the training behind the chain so far. The seed announcement claims verification
 * is 10,000× cheaper than training; this prints what we measure.
 *
 * Run: deno run --allow-read --allow-write --allow-env --allow-ffi bench/mining_bench.ts [regtest|testnet] [BLOCKS] [--data FILE]
 * (defaults: regtest, 5 blocks, the bundled sample text; testnet blocks take minutes on
 * llvmpipe).
 *
 * @module
 */
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import { genesisCheckpointBytes, genesisEntry } from "../core/consensus/genesis.ts";
import { nextEntry } from "../core/consensus/next_entry.ts";
import { type NetworkParams, NETWORKS } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import type { Block } from "../core/primitives/block.ts";
import { requestGpu } from "../gpu/device.ts";
import { loadValidationSet, sampleTrainPath } from "../gpu/model/datasets.ts";
import { GpuEvaluator } from "../gpu/model/evaluate.ts";
import { BlockMiner, type FoundBlock } from "../node/miner/block_miner.ts";
import { minerHeartbeatKey } from "../node/miner/miner_address.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "../node/miner/mining_source.ts";
import { decodeAddress } from "../core/primitives/address.ts";

/** An in-memory chain with no validation: the miner's side only. */
class BenchChain implements MiningSource {
  readonly params: NetworkParams;
  readonly validation: Uint8Array;
  readonly #evaluator: GpuEvaluator;
  tip: ChainEntry;
  tipCheckpoint: Uint8Array;
  readonly #timestamps: number[];
  lastSubmitted: { block: Block; bytes: Uint8Array } | undefined;

  constructor(params: NetworkParams, validation: Uint8Array, evaluator: GpuEvaluator) {
    this.params = params;
    this.validation = validation;
    this.#evaluator = evaluator;
    this.tip = genesisEntry(params);
    this.tipCheckpoint = genesisCheckpointBytes(params);
    this.#timestamps = [this.tip.header.timestampSecs];
  }
  job(): Promise<MiningJob> {
    return Promise.resolve({
      parent: this.tip,
      parentCheckpoint: this.tipCheckpoint,
      txs: [],
      feesResonances: 0n,
    });
  }
  tipHash(): string {
    return toHex(this.tip.hash);
  }
  refreshTip(): Promise<void> {
    return Promise.resolve();
  }
  evaluate(checkpoint: Checkpoint): Promise<number> {
    return this.#evaluator.evaluate(checkpoint, this.validation, this.params.validationWindowBytes);
  }
  nowSecs(): number {
    return Math.floor(Date.now() / 1000);
  }
  submit(block: Block, bytes: Uint8Array): Promise<SubmitOutcome> {
    const minted = block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
    this.tip = nextEntry(this.params, this.tip, block, {
      mintedResonances: minted,
      returnedResonances: 0n,
      recentTimestampsSecs: this.#timestamps,
    });
    this.#timestamps.push(block.header.timestampSecs);
    this.tipCheckpoint = bytes;
    this.lastSubmitted = { block, bytes };
    return Promise.resolve({ status: "connected" });
  }
  stopRequested(): boolean {
    return false;
  }
}

async function main(args: string[]): Promise<void> {
  const positional = args.filter((a, i) => !a.startsWith("--") && args[i - 1] !== "--data");
  const network = (positional[0] ?? "regtest") as "regtest" | "testnet";
  const blocks = Number(positional[1] ?? 5);
  const dataIdx = args.indexOf("--data");
  const dataPath = dataIdx >= 0 ? args[dataIdx + 1]! : sampleTrainPath();
  const params = NETWORKS[network];
  const gpu = await requestGpu();
  if (!gpu) throw new Error("mining_bench needs a WebGPU adapter");
  const evaluator = new GpuEvaluator(gpu);
  const chain = new BenchChain(params, await loadValidationSet(network), evaluator);
  const seed = new Uint8Array(32).fill(0x42);
  const address = decodeAddress(params, minerHeartbeatKey(params, seed).address);
  const miner = new BlockMiner(gpu, seed, { dataPath });
  console.log(
    `mining_bench: ${network}, ${blocks} blocks, data ${dataPath}, adapter ${evaluator.name}, ` +
      `validation ${chain.validation.length} bytes in windows of ${params.validationWindowBytes}`,
  );
  console.log(
    "height d_model layers val_loss  steps tokens    block_s  train_s  eval_s/round  " +
      "verify_s  train/verify  chain_train/verify",
  );
  let chainTrainSecs = 0;
  const rows: { found: FoundBlock; verifySecs: number }[] = [];
  try {
    for (let i = 0; i < blocks; i++) {
      let lastBest = Infinity;
      const found = await miner.mineOnTip(chain, address, {
        onProgress: (p) => {
          if (p.bestMicroNats === lastBest) return;
          lastBest = p.bestMicroNats;
          console.error(
            `  height ${p.height}: step ${p.step}, best ${(p.bestMicroNats / 1e6).toFixed(4)} → ` +
              `target ${(p.targetMicroNats / 1e6).toFixed(4)}, ${
                p.tokensPerSec.toFixed(0)
              } tok/s, ` +
              `${p.elapsedSecs.toFixed(0)} s`,
          );
        },
      });
      if (!found) throw new Error("the bench chain does not move by itself");
      const { block, bytes } = chain.lastSubmitted!;
      // What a verifying node pays: decode and evaluate the checkpoint once.
      const t0 = performance.now();
      const loss = await evaluator.evaluate(
        decodeCheckpoint(bytes, { dModel: block.header.dModel, nLayers: block.header.nLayers }),
        chain.validation,
        params.validationWindowBytes,
      );
      const verifySecs = (performance.now() - t0) / 1000;
      if (!Number.isFinite(loss)) throw new Error("verification gave a non-finite loss");
      const trainSecs = found.secs - found.evalSecs;
      chainTrainSecs += trainSecs;
      rows.push({ found, verifySecs });
      console.log(
        [
          String(found.height).padStart(6),
          String(found.dModel).padStart(7),
          String(found.nLayers).padStart(6),
          (found.valLossMicroNats / 1e6).toFixed(4).padStart(9),
          String(found.steps).padStart(6),
          String(found.tokens).padStart(9),
          found.secs.toFixed(2).padStart(8),
          trainSecs.toFixed(2).padStart(8),
          (found.evalSecs / found.rounds).toFixed(3).padStart(13),
          verifySecs.toFixed(3).padStart(9),
          `${(trainSecs / verifySecs).toFixed(1)}×`.padStart(13),
          `${(chainTrainSecs / verifySecs).toFixed(1)}×`.padStart(19),
        ].join(" "),
      );
    }
  } finally {
    miner.close();
  }
  const n = rows.length;
  const mean = (f: (r: (typeof rows)[number]) => number) => rows.reduce((s, r) => s + f(r), 0) / n;
  console.log(
    `mean per block: ${mean((r) => r.found.secs).toFixed(2)} s, ` +
      `${Math.round(mean((r) => r.found.tokens))} training tokens, ` +
      `${mean((r) => r.found.rounds).toFixed(1)} rounds; ` +
      `verification ${mean((r) => r.verifySecs).toFixed(3)} s ` +
      `= 1/${
        (mean((r) => r.found.secs - r.found.evalSecs) / mean((r) => r.verifySecs)).toFixed(1)
      }` +
      ` of the block's training time (claimed: 1/10000); ` +
      `training tokens / validation tokens = ` +
      `${(mean((r) => r.found.tokens) / chain.validation.length).toFixed(2)}`,
  );
}

if (import.meta.main) await main(Deno.args);

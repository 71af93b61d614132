/**
 * Mining cost (issue "Mining end to end", point 6): mines blocks for real with the shared
 * training loop (BlockMiner) on an in-memory chain that starts at the network's genesis, and
 * prints per found block the wall time, the training steps and tokens behind it, the seconds
 * the miner spent training and evaluating its samples (PROTOCOL §5.9: after each round it
 * evaluates the parent's and its checkpoint on the sample its header draws), and the
 * verification cost — `checkProofOfTraining` of the block against its parent with the exact
 * evaluator, which is what every verifying node pays — as a ratio of the training time behind
 * that block and of all the training behind the chain so far. The seed announcement claims
 * verification is 10,000× cheaper than training; this prints what we measure.
 *
 * Run: deno run --allow-read --allow-write --allow-env --allow-ffi bench/mining_bench.ts [regtest|testnet] [BLOCKS] [--data FILE]
 * (defaults: regtest, 5 blocks, the bundled sample text; testnet blocks take minutes on
 * llvmpipe).
 *
 * @module
 */
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import { genesisCheckpointBytes, genesisEntry } from "../core/consensus/genesis.ts";
import { nextEntry } from "../core/consensus/next_entry.ts";
import { type NetworkParams, NETWORKS } from "../core/consensus/params.ts";
import { checkProofOfTraining } from "../core/consensus/proof_of_training.ts";
import { VerifiedCheckpoint } from "../core/consensus/verified_checkpoint.ts";
import { toHex } from "../core/crypto/keccak.ts";
import type { Block, BlockHeader } from "../core/primitives/block.ts";
import { requestGpu } from "../gpu/device.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { sampleTrainPath } from "../gpu/model/datasets.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { BlockMiner, type FoundBlock } from "../node/miner/block_miner.ts";
import { minerHeartbeatKey } from "../node/miner/miner_address.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "../node/miner/mining_source.ts";
import { decodeAddress } from "../core/primitives/address.ts";

/** An in-memory chain with no validation: the miner's side only. */
class BenchChain implements MiningSource {
  readonly params: NetworkParams;
  readonly corpus: Uint8Array;
  readonly evaluator: Evaluator;
  tip: ChainEntry;
  tipCheckpoint: Uint8Array;
  readonly #timestamps: number[];
  lastSubmitted:
    | { block: Block; bytes: Uint8Array; parentHeader: BlockHeader; parentBytes: Uint8Array }
    | undefined;

  constructor(params: NetworkParams, corpus: Uint8Array, evaluator: Evaluator) {
    this.params = params;
    this.corpus = corpus;
    this.evaluator = evaluator;
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
  nowSecs(): number {
    return Math.floor(Date.now() / 1000);
  }
  submit(block: Block, bytes: Uint8Array): Promise<SubmitOutcome> {
    const minted = block.txs[0]!.outputs.reduce((s, o) => s + o.value, 0n);
    this.lastSubmitted = {
      block,
      bytes,
      parentHeader: this.tip.header,
      parentBytes: this.tipCheckpoint,
    };
    this.tip = nextEntry(this.params, this.tip, block, {
      mintedResonances: minted,
      returnedResonances: 0n,
      recentTimestampsSecs: this.#timestamps,
    });
    this.#timestamps.push(block.header.timestampSecs);
    this.tipCheckpoint = bytes;
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
  const exact = selectExactEvaluator("auto", gpu);
  const evaluator = consensusEvaluator(exact);
  const chain = new BenchChain(params, await loadEvalCorpus(), evaluator);
  const seed = new Uint8Array(32).fill(0x42);
  const address = decodeAddress(params, minerHeartbeatKey(params, seed).address);
  const miner = new BlockMiner(gpu, seed, { dataPath });
  console.log(
    `mining_bench: ${network}, ${blocks} blocks, data ${dataPath}, ` +
      `exact evaluator ${exact.name}, sample ${params.evalSampleWindows} windows of ` +
      `${params.validationWindowBytes} bytes from a ${chain.corpus.length}-byte corpus`,
  );
  console.log(
    "height d_model layers parent_l sample_l  steps tokens    block_s  train_s  sample_s rounds " +
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
      const { block, bytes, parentHeader, parentBytes } = chain.lastSubmitted!;
      // What a verifying node pays: the whole stage 4 against the parent checkpoint.
      const t0 = performance.now();
      await checkProofOfTraining(
        block.header,
        bytes,
        { header: parentHeader, checkpoint: VerifiedCheckpoint.verify(parentHeader, parentBytes) },
        { params, evaluator, corpus: chain.corpus },
      );
      const verifySecs = (performance.now() - t0) / 1000;
      const trainSecs = found.secs - found.evalSecs;
      chainTrainSecs += trainSecs;
      rows.push({ found, verifySecs });
      console.log(
        [
          String(found.height).padStart(6),
          String(found.dModel).padStart(7),
          String(found.nLayers).padStart(6),
          (found.parentSampleLossMicroNats / 1e6).toFixed(4).padStart(8),
          (found.sampleLossMicroNats / 1e6).toFixed(4).padStart(8),
          String(found.steps).padStart(6),
          String(found.tokens).padStart(9),
          found.secs.toFixed(2).padStart(8),
          trainSecs.toFixed(2).padStart(8),
          found.evalSecs.toFixed(2).padStart(9),
          String(found.rounds).padStart(6),
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
      `train ${mean((r) => r.found.secs - r.found.evalSecs).toFixed(2)} s, ` +
      `sample evaluations ${mean((r) => r.found.evalSecs).toFixed(2)} s, ` +
      `${Math.round(mean((r) => r.found.tokens))} training tokens, ` +
      `${mean((r) => r.found.rounds).toFixed(1)} rounds; ` +
      `verification ${mean((r) => r.verifySecs).toFixed(3)} s ` +
      `= 1/${
        (mean((r) => r.found.secs - r.found.evalSecs) / mean((r) => r.verifySecs)).toFixed(1)
      }` +
      ` of the block's training time (claimed: 1/10000); ` +
      `training tokens / verified tokens (2 × K × W) = ` +
      `${
        (mean((r) => r.found.tokens) /
          (2 * params.evalSampleWindows * params.validationWindowBytes)).toFixed(2)
      }`,
  );
}

if (import.meta.main) await main(Deno.args);

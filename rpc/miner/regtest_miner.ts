/**
 * Regtest block production for `generatetoaddress`: real Proof-of-Training on the tiny model.
 * For each block: take the tip checkpoint, grow it to `nextModelConfig(params, tip)`, train it on
 * the bundled sample text in rounds (AdamW moments carried across rounds) until the consensus
 * validation loss L gives a claim `lossToMicroNats(L) ≤ parent × (1 − μ − τ)` (a τ margin below
 * the rule, so a verifier whose evaluation differs within τ still accepts), then build the block
 * (coinbase paying reward + fees, mempool transactions, roots, checkpoint commitment, timestamp
 * max(now, parent MTP + 1)), sign it with the miner key and submit it through the node.
 *
 * @module
 */
import { checkpointRoot } from "../../core/checkpoint/chunks.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { lossToMicroNats } from "../../core/consensus/evaluator.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { PPM } from "../../core/consensus/params.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import {
  type Block,
  computeTxRoot,
  computeWitnessRoot,
  signHeader,
} from "../../core/primitives/block.ts";
import { NULL_OUTPOINT, type Tx } from "../../core/primitives/tx.ts";
import type { GpuContext } from "../../gpu/device.ts";
import { sampleTrainPath } from "../../gpu/model/datasets.ts";
import { growCheckpoint } from "../../gpu/model/grow.ts";
import type { OptimizerState } from "../../gpu/train/optimizer_state.ts";
import { train } from "../../gpu/train/trainer.ts";
import { WindowSampler } from "../../gpu/train/window_sampler.ts";
import { RpcCode } from "../error_codes.ts";
import type { BlockProducer, Node } from "../node/node.ts";

/** Training settings of the regtest miner. */
export interface RegtestMinerOptions {
  /** Training steps between evaluations (default 10). */
  stepsPerRound?: number;
  /** Windows per step (default 8). */
  batch?: number;
  /** Peak learning rate (default 1e-2). */
  lr?: number;
  /** Warm-up steps at the start of each round (default 2). */
  warmupSteps?: number;
  /** Give up on a block after this many rounds (default 100). */
  maxRounds?: number;
  /** Training text (default the bundled sample text). */
  dataPath?: string;
  /** Data-order seed (default 1). */
  seed?: number;
}

/** Room left in a block for the coinbase and header beyond the template transactions. */
const BLOCK_OVERHEAD_BYTES = 4096;

/** The largest claim (micro-nats) the miner accepts for a child of `parent`. */
export function minerTargetMicroNats(node: Node, parent: ChainEntry): number {
  const keep = PPM - node.params.minImprovementPpm - node.params.tolerancePpm;
  return Number(BigInt(parent.header.valLossMicroNats) * BigInt(keep) / BigInt(PPM));
}

/** The coinbase of `height` paying `value` to `to` (locktime = height makes its txid unique). */
export function coinbaseTx(height: number, value: bigint, to: AddressData): Tx {
  return {
    version: 1,
    inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
    outputs: [{ value, address: to }],
    locktime: height,
    witnesses: [],
  };
}

/** Trains and submits regtest blocks on the GPU. */
export class RegtestMiner implements BlockProducer {
  readonly #gpu: GpuContext;
  readonly #minerSeed: Uint8Array;
  readonly #options: Required<Omit<RegtestMinerOptions, "dataPath">> & { dataPath: string };
  #sampler: WindowSampler | null = null;

  constructor(gpu: GpuContext, minerSeed: Uint8Array, options: RegtestMinerOptions = {}) {
    this.#gpu = gpu;
    this.#minerSeed = minerSeed;
    this.#options = {
      stepsPerRound: options.stepsPerRound ?? 10,
      batch: options.batch ?? 8,
      lr: options.lr ?? 1e-2,
      warmupSteps: options.warmupSteps ?? 2,
      maxRounds: options.maxRounds ?? 100,
      dataPath: options.dataPath ?? sampleTrainPath(),
      seed: options.seed ?? 1,
    };
  }

  /** The miner's public key. */
  get minerKey(): Uint8Array {
    return keyPairFromSeed(this.#minerSeed).publicKey;
  }

  /**
   * Mines one block on the current tip and submits it. When another block becomes the tip while
   * training (a `submitblock`), starts over on the new tip (at most 3 times).
   */
  async mineBlock(node: Node, address: AddressData): Promise<Uint8Array> {
    for (let attempt = 1;; attempt++) {
      const hash = await this.#mineOn(node, address);
      if (hash) return hash;
      if (attempt === 3) {
        throw new RpcError(RpcCode.MISC_ERROR, "The tip kept changing while training");
      }
      node.logger.log("tip changed while training: starting over on the new tip");
    }
  }

  /** Mines on the current tip; null when the tip moved before the block was submitted. */
  async #mineOn(node: Node, address: AddressData): Promise<Uint8Array | null> {
    const params = node.params;
    const parent = node.chainstate.tip();
    const tipMoved = () => toHex(node.chainstate.tip().hash) !== toHex(parent.hash);
    const parentBytes = await node.chainstate.getCheckpoint(parent.hash);
    if (!parentBytes) {
      throw new RpcError(RpcCode.MISC_ERROR, "The tip's checkpoint is not available (pruned?)");
    }
    const next = nextModelConfig(params, parent);
    const height = parent.height + 1;
    let checkpoint = growCheckpoint(
      decodeCheckpoint(parentBytes, {
        dModel: parent.header.dModel,
        nLayers: parent.header.nLayers,
      }),
      next,
      height,
    );
    const target = minerTargetMicroNats(node, parent);
    this.#sampler ??= await WindowSampler.open(
      this.#options.dataPath,
      params.validationWindowBytes,
      this.#options.seed,
    );
    const o = this.#options;
    const started = performance.now();
    let state: OptimizerState | undefined;
    let claim = Number.POSITIVE_INFINITY;
    let rounds = 0;
    while (claim > target) {
      if (node.stopRequested) throw new RpcError(RpcCode.MISC_ERROR, "Shutting down");
      if (tipMoved()) return null;
      if (rounds >= o.maxRounds) {
        throw new RpcError(
          RpcCode.MISC_ERROR,
          `Could not reach loss ${target} μnats for height ${height} in ${rounds} rounds ` +
            `(last ${claim})`,
        );
      }
      rounds++;
      const result = await train(this.#gpu, checkpoint, this.#sampler, {
        steps: o.stepsPerRound,
        batch: o.batch,
        schedule: {
          maxLr: o.lr,
          minLr: o.lr,
          warmupSteps: o.warmupSteps,
          totalSteps: o.stepsPerRound,
        },
        lossEvery: o.stepsPerRound,
      }, state);
      checkpoint = result.checkpoint;
      state = result.state;
      const loss = await node.evaluator.evaluate(
        checkpoint,
        node.validation,
        params.validationWindowBytes,
      );
      claim = Number.isFinite(loss) ? lossToMicroNats(loss) : Number.POSITIVE_INFINITY;
    }
    if (tipMoved()) return null;
    const bytes = encodeCheckpoint(checkpoint);
    const block = this.#buildBlock(node, parent, address, claim, bytes);
    const secs = ((performance.now() - started) / 1000).toFixed(1);
    node.logger.log(
      `mined height=${height} loss=${(claim / 1e6).toFixed(6)} (target ≤ ${
        (target / 1e6).toFixed(6)
      }) d_model=${next.dModel} layers=${next.nLayers} rounds=${rounds} ` +
        `steps=${rounds * o.stepsPerRound} in ${secs}s`,
    );
    const result = await node.submitBlock(block, bytes);
    if (result.status !== "connected") {
      throw new RpcError(RpcCode.MISC_ERROR, `Mined block was not connected: ${result.status}`);
    }
    return result.hash;
  }

  #buildBlock(
    node: Node,
    parent: ChainEntry,
    address: AddressData,
    valLossMicroNats: number,
    checkpointBytes: Uint8Array,
  ): Block {
    const params = node.params;
    const height = parent.height + 1;
    const next = nextModelConfig(params, parent);
    const txs = node.mempool.getTemplateTxs(params.maxBlockBytes - BLOCK_OVERHEAD_BYTES);
    const fees = node.mempool.feesOf(txs);
    const reward = blockReward(params, parent, valLossMicroNats);
    const all = [coinbaseTx(height, reward + fees, address), ...txs];
    const miner = keyPairFromSeed(this.#minerSeed);
    const header = signHeader(params.magic, {
      version: 1,
      height,
      prevHash: parent.hash,
      txRoot: computeTxRoot(params.magic, all),
      witnessRoot: computeWitnessRoot(params.magic, all),
      checkpointRoot: checkpointRoot(checkpointBytes),
      checkpointSize: checkpointBytes.length,
      dModel: next.dModel,
      nLayers: next.nLayers,
      valLossMicroNats,
      timestampSecs: Math.max(node.clock.nowSecs(), parent.mtpSecs + 1),
      minerKey: miner.publicKey,
    }, this.#minerSeed);
    return { header, txs: all };
  }

  /** Closes the training data file. */
  close(): void {
    this.#sampler?.close();
    this.#sampler = null;
  }
}

/**
 * Regtest block production for `generatetoaddress`: real Proof-of-Training on the tiny model,
 * through the shared training loop ({@linkcode BlockMiner}) on the node in this process. Each
 * block grows the tip checkpoint, trains it on the bundled sample text until its exact loss on
 * the block's own sample beats the parent's by μ_t (PROTOCOL §5.9), then builds, signs (with
 * `<datadir>/miner.key`) and submits it.
 * When another block becomes the tip while training (or wins the race to the same height), it
 * starts over on the new tip (at most 3 times).
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import type { GpuContext } from "../../gpu/device.ts";
import { RpcCode } from "../../rpc/error_codes.ts";
import type { BlockProducer, Node } from "../node.ts";
import { BlockMiner, type BlockMinerOptions, TargetNotReachedError } from "./block_miner.ts";
import { NodeMiningSource } from "./node_source.ts";

export { coinbaseTx } from "./block_assembly.ts";

/** Training settings of the regtest miner (default `maxRounds` 100). */
export type RegtestMinerOptions = BlockMinerOptions;

/** Trains and submits regtest blocks on the GPU. */
export class RegtestMiner implements BlockProducer {
  readonly #miner: BlockMiner;

  constructor(gpu: GpuContext, minerSeed: Uint8Array, options: RegtestMinerOptions = {}) {
    this.#miner = new BlockMiner(gpu, minerSeed, { maxRounds: 100, ...options });
  }

  /** The miner's public key. */
  get minerKey(): Uint8Array {
    return this.#miner.minerKey;
  }

  /** Mines one block on the current tip and submits it; returns its hash. */
  async mineBlock(node: Node, address: AddressData): Promise<Uint8Array> {
    const source = new NodeMiningSource(node);
    for (let attempt = 1;; attempt++) {
      if (node.stopRequested) throw new RpcError(RpcCode.MISC_ERROR, "Shutting down");
      let found;
      try {
        found = await this.#miner.mineOnTip(source, address);
      } catch (e) {
        if (e instanceof TargetNotReachedError) throw new RpcError(RpcCode.MISC_ERROR, e.message);
        throw e;
      }
      if (found) {
        node.logger.log(
          `mined height=${found.height} sample_loss=${found.sampleLossMicroNats} ` +
            `parent_sample_loss=${found.parentSampleLossMicroNats} ` +
            `progress=${found.improvementPpm}ppm required=${found.requiredPpm}ppm ` +
            `d_model=${found.dModel} layers=${found.nLayers} rounds=${found.rounds} ` +
            `steps=${found.steps} train=${(found.secs - found.evalSecs).toFixed(1)}s ` +
            `verify=${found.verifySecs.toFixed(3)}s`,
        );
        const lostRace = found.outcome.status === "side-branch" &&
          toHex(node.chainstate.tip().hash) !== toHex(found.hash);
        if (found.outcome.status !== "connected" && !lostRace) {
          throw new RpcError(
            RpcCode.MISC_ERROR,
            `Mined block was not connected: ${found.outcome.status}`,
          );
        }
        if (!lostRace) return found.hash;
      }
      if (node.stopRequested) throw new RpcError(RpcCode.MISC_ERROR, "Shutting down");
      if (attempt === 3) {
        throw new RpcError(RpcCode.MISC_ERROR, "The tip kept changing while training");
      }
      node.logger.log("tip changed while training: starting over on the new tip");
    }
  }

  /** Closes the training data file. */
  close(): void {
    this.#miner.close();
  }
}

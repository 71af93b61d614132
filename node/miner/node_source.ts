/**
 * The {@linkcode MiningSource} of a node in the same process (regtest `generatetoaddress` and
 * `rnt node --mine`): jobs from the chainstate and mempool (emission-return sweeps first),
 * evaluation by the node's own (memoised) evaluator, so submitting does not evaluate the sample
 * a second time.
 *
 * @module
 */
import type { Evaluator } from "../../core/consensus/evaluator.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { RpcError } from "../../core/errors.ts";
import type { Block } from "../../core/primitives/block.ts";
import { RpcCode } from "../../rpc/error_codes.ts";
import type { Node } from "../node.ts";
import { blockTemplateTxs } from "./block_assembly_sweeps.ts";
import type { MiningJob, MiningSource, SubmitOutcome } from "./mining_source.ts";

/** Mining work from a Node in this process. */
export class NodeMiningSource implements MiningSource {
  readonly #node: Node;
  readonly #shouldStop: () => boolean;

  /** `shouldStop` adds a stop condition besides the node's shutdown. */
  constructor(node: Node, shouldStop: () => boolean = () => false) {
    this.#node = node;
    this.#shouldStop = shouldStop;
  }

  get params(): NetworkParams {
    return this.#node.params;
  }

  get corpus(): Uint8Array {
    return this.#node.corpus;
  }

  get evaluator(): Evaluator {
    return this.#node.evaluator;
  }

  async job(): Promise<MiningJob> {
    const node = this.#node;
    await node.settled();
    const parent = node.chainstate.tip();
    const parentCheckpoint = await node.chainstate.getCheckpoint(parent.hash);
    if (!parentCheckpoint) {
      throw new RpcError(RpcCode.MISC_ERROR, "The tip's checkpoint is not available (pruned?)");
    }
    const txs = await blockTemplateTxs(node, parent);
    return { parent, parentCheckpoint, txs, feesResonances: node.mempool.feesOf(txs) };
  }

  tipHash(): string {
    return toHex(this.#node.chainstate.tip().hash);
  }

  refreshTip(): Promise<void> {
    return Promise.resolve();
  }

  nowSecs(): number {
    return this.#node.clock.nowSecs();
  }

  async submit(block: Block, checkpointBytes: Uint8Array): Promise<SubmitOutcome> {
    const result = await this.#node.submitBlock(block, checkpointBytes, "miner");
    if (result.status === "connected") return { status: "connected" };
    return { status: result.status === "duplicate" ? "duplicate" : "side-branch" };
  }

  stopRequested(): boolean {
    return this.#node.stopRequested || this.#shouldStop();
  }
}

/**
 * Where a miner gets its work and sends its blocks: the node in the same process
 * (`generatetoaddress`, `rnt node --mine`) or a node over JSON-RPC (`rnt mine`). The training
 * loop in `block_miner.ts` only talks to this interface, so both miners share it.
 *
 * @module
 */
import type { Evaluator } from "../../core/consensus/evaluator.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import type { Block } from "../../core/primitives/block.ts";
import type { Tx } from "../../core/primitives/tx.ts";

/** Everything needed to mine one block on a tip. */
export interface MiningJob {
  /** The tip to extend. */
  readonly parent: ChainEntry;
  /** The tip's checkpoint (.rnet bytes), verified against its header's root. */
  readonly parentCheckpoint: Uint8Array;
  /** Mempool transactions to include. */
  readonly txs: readonly Tx[];
  /** Their total fee. */
  readonly feesResonances: bigint;
}

/** How a submission ended. */
export type SubmitOutcome =
  | { readonly status: "connected" }
  | { readonly status: "duplicate" | "side-branch" }
  | { readonly status: "rejected"; readonly reason: string };

/** A source of mining work and a sink for blocks. */
export interface MiningSource {
  /** The network's params. */
  readonly params: NetworkParams;
  /** The network's evaluation corpus (the blocks' samples are drawn from it). */
  readonly corpus: Uint8Array;
  /**
   * The exact evaluator the miner checks its samples with before submitting: the same integers
   * every node computes (for the node in the same process, its memoised evaluator, so the block's
   * own check reuses the miner's evaluations).
   */
  readonly evaluator: Evaluator;
  /** A job on the current tip. */
  job(): Promise<MiningJob>;
  /**
   * The current tip hash (hex), as last seen: read synchronously between training steps. A
   * remote source refreshes it in the background.
   */
  tipHash(): string;
  /** Refreshes {@linkcode MiningSource.tipHash} now (between evaluation rounds). */
  refreshTip(): Promise<void>;
  /** The time for the header, seconds. */
  nowSecs(): number;
  /** Submits a block and its checkpoint. */
  submit(block: Block, checkpointBytes: Uint8Array): Promise<SubmitOutcome>;
  /** Whether mining should stop (shutdown). */
  stopRequested(): boolean;
}

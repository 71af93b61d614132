/**
 * What the P2P sync needs from the node: the chainstate to read from, the mempool, a log, and
 * the node's `submitBlock` / `submitTransaction` (which validate, store and log).
 *
 * @module
 */
import type { AcceptResult, Chainstate } from "../../core/chain/chainstate.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import type { Mempool, MempoolEntry } from "../../core/mempool/mempool.ts";
import type { VerifiedCheckpoint } from "../../core/consensus/verified_checkpoint.ts";
import type { Block } from "../../core/primitives/block.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import type { UnbroadcastSet } from "../../core/mempool/unbroadcast.ts";
import type { CorpusChunks } from "./corpus_sync.ts";

/** The node as the sync sees it (the RPC `Node` satisfies it). */
export interface SyncNode {
  /** Network params (magic, block limits). */
  readonly params: NetworkParams;
  /** The chainstate. */
  readonly chainstate: Chainstate;
  /**
   * The node's clock (the chainstate's, mocked by `setmocktime`); without one the system clock.
   * The sync reads it to know when a block ahead of it may be submitted again.
   */
  readonly clock?: { nowSecs(): number };
  /** The mempool. */
  readonly mempool: Mempool;
  /** Log sink. */
  readonly logger: { log(line: string): void };
  /**
   * Validates and stores a block with its checkpoint (verified chunk by chunk on arrival);
   * `source` names the peer it came from (side-branch bounds are per source).
   */
  submitBlock(
    block: Block,
    checkpoint: Uint8Array | VerifiedCheckpoint,
    source: string,
  ): Promise<AcceptResult>;
  /**
   * The txids this node originated that no peer is known to hold yet: the relay re-announces
   * them until a peer announces one back. Without it nothing is re-announced.
   */
  readonly unbroadcast?: UnbroadcastSet;
  /**
   * Accepts a transaction into the mempool; `origin` "peer" for one relayed to us (it does not
   * join {@linkcode SyncNode.unbroadcast}).
   */
  submitTransaction(tx: Tx, origin?: "local" | "peer"): Promise<MempoolEntry>;
  /**
   * The node's evaluation corpus (PROTOCOL §4): served to peers, and fetched from them while
   * incomplete, when no block is downloaded or submitted. Without it `getcorpus` is answered
   * `notfound` and blocks are synced as usual.
   */
  readonly corpusChunks?: CorpusChunks | undefined;
}

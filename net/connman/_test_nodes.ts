/**
 * Test and bench helpers (private): in-process nodes (a chainstate on a scripted evaluator, a
 * mempool, a peer manager) and a pre-mined chain of blocks with real checkpoints.
 *
 * @module
 */
import { Chainstate } from "../../core/chain/chainstate.ts";
import { mineBlock, type MinedBlock, testClock } from "../../core/chain/_test_util.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { type ScriptedEvaluator, TestChain } from "../../core/consensus/testing/block_builder.ts";
import { Mempool } from "../../core/mempool/mempool.ts";
import type { SyncNode } from "../sync/sync_node.ts";
import { createNodeIdentity } from "../transport/mod.ts";
import { PeerManager, type PeerManagerOptions } from "./peer_manager.ts";

/** An in-process node. */
export interface TestNode {
  /** What the sync sees. */
  readonly node: SyncNode;
  /** Its peer manager (started). */
  readonly manager: PeerManager;
  /** Log lines. */
  readonly lines: string[];
  /** Its data directory. */
  readonly dir: string;
  /** Stops the manager, closes the chainstate and removes the datadir. */
  close(): Promise<void>;
}

/** `n` blocks on genesis with real checkpoints, their losses registered with `evaluator`. */
export async function mineTestBlocks(
  params: NetworkParams,
  evaluator: ScriptedEvaluator,
  n: number,
): Promise<MinedBlock[]> {
  const chain = new TestChain(params);
  const out: MinedBlock[] = [];
  for (let i = 0; i < n; i++) out.push(await mineBlock(chain, evaluator, i + 1));
  return out;
}

/**
 * Opens a chainstate in a temp dir (`prune` checkpoints, 0 = keep all), submits `blocks`, and
 * starts a peer manager on it.
 */
export async function startTestNode(
  params: NetworkParams,
  evaluator: ScriptedEvaluator,
  blocks: readonly MinedBlock[],
  options: Omit<PeerManagerOptions, "node" | "identity"> & { prune?: number } = {},
): Promise<TestNode> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-p2p-" });
  const { prune, ...managerOptions } = options;
  const chainstate = await Chainstate.open(
    dir,
    params,
    evaluator,
    new Uint8Array(64),
    testClock,
    prune === undefined ? {} : { prune },
  );
  for (const b of blocks) await chainstate.acceptBlock(b.block, b.checkpoint);
  const mempool = new Mempool(chainstate);
  const lines: string[] = [];
  const node: SyncNode = {
    params,
    chainstate,
    mempool,
    logger: { log: (line) => lines.push(line) },
    submitBlock: (block, checkpoint, source) =>
      chainstate.acceptBlock(block, checkpoint, { source }),
    submitTransaction: (tx) => mempool.acceptTx(tx),
  };
  const manager = new PeerManager({
    node,
    identity: createNodeIdentity(),
    datadir: dir,
    ...managerOptions,
  });
  await manager.start();
  return {
    node,
    manager,
    lines,
    dir,
    async close() {
      await manager.stop();
      await chainstate.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}

/** Polls `check` every 20 ms until it holds; after `ms` throws with `what()` (e.g. the node log). */
export async function until(check: () => boolean, ms: number, what: () => string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Test helpers (private): mining test blocks with real checkpoints for the chainstate, on top
 * of core/consensus/testing/block_builder.ts.
 *
 * @module
 */
import type { Block } from "../primitives/block.ts";
import { toHex } from "../crypto/keccak.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { nextModelConfig } from "../consensus/growth.ts";
import {
  type ChildBlockOptions,
  defaultParentLoss,
  ScriptedEvaluator,
  TestChain,
  testCheckpoint,
} from "../consensus/testing/block_builder.ts";
import type { ChainClock, Chainstate } from "./chainstate.ts";

/** A block and its checkpoint bytes. */
export interface MinedBlock {
  /** The block. */
  readonly block: Block;
  /** Its checkpoint. */
  readonly checkpoint: Uint8Array;
}

/** A clock far enough ahead of regtest genesis for every test block. */
export const testClock: ChainClock = {
  nowSecs: () => 1_767_225_600 + 365 * 86_400,
};

/**
 * The claimed sample loss of a child of `chain`'s tip that improves on the default parent claim
 * by at least `progressPpm` (its fork-choice work is then `1 + min(progressPpm, cap)`).
 */
export function lossWithProgress(chain: TestChain, progressPpm: number): number {
  return Math.floor(defaultParentLoss(chain.tip) * (1e6 - progressPpm) / 1e6);
}

/**
 * Builds a child of `chain`'s tip with a real checkpoint (genesis init with `seed`) and
 * registers its evaluated loss with `evaluator`: the claimed loss, or `wrongLossNats`.
 * `progressPpm` sets the claimed loss with {@linkcode lossWithProgress} (default 2μ).
 * The block is accepted into `chain` (a reference that does not evaluate).
 */
export async function mineBlock(
  chain: TestChain,
  evaluator: ScriptedEvaluator,
  seed: number,
  opts: ChildBlockOptions & { wrongLossNats?: number; progressPpm?: number } = {},
): Promise<MinedBlock> {
  const ck = testCheckpoint(nextModelConfig(chain.params, chain.tip), seed);
  const claim = opts.progressPpm === undefined
    ? {}
    : { sampleLossMicroNats: lossWithProgress(chain, opts.progressPpm) };
  const block = chain.build({ ...opts, ...claim, checkpoint: { root: ck.root, size: ck.size } });
  evaluator.register(ck.bytes, opts.wrongLossNats ?? block.header.sampleLossMicroNats / 1e6);
  await chain.accept(block);
  return { block, checkpoint: ck.bytes };
}

/** A reference chain that replays `blocks` (children of genesis, in order) first. */
export async function referenceChain(
  params: NetworkParams,
  blocks: readonly MinedBlock[],
): Promise<TestChain> {
  const chain = new TestChain(params);
  for (const b of blocks) await chain.accept(b.block);
  return chain;
}

/** The chainstate's UTXO set as sorted `outpointKey → entry` pairs. */
export async function utxoSnapshot(cs: Chainstate): Promise<[string, unknown][]> {
  const out: [string, unknown][] = [];
  for await (const [op, e] of cs.utxos()) out.push([`${toHex(op.txid)}:${op.vout}`, e]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The coin-age index read back as the same sorted pairs as {@linkcode utxoSnapshot}, after
 * asserting it lists coins by non-decreasing height: equal to `utxoSnapshot` iff the index holds
 * exactly the UTXO set.
 */
export async function coinAgeSnapshot(cs: Chainstate): Promise<[string, unknown][]> {
  const indexed = await cs.oldestUtxos(cs.tip().height, Number.MAX_SAFE_INTEGER);
  indexed.forEach(([, e], i) => {
    if (i > 0 && e.height < indexed[i - 1]![1].height) {
      throw new Error("coin-age index out of order");
    }
  });
  const out: [string, unknown][] = indexed.map(([op, e]) => [`${toHex(op.txid)}:${op.vout}`, e]);
  return out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A TestChain's UTXO set in the same form as {@linkcode utxoSnapshot}. */
export function referenceSnapshot(chain: TestChain): [string, unknown][] {
  return [...chain.view.entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

export { ScriptedEvaluator, TestChain };

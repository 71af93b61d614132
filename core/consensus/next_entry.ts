/**
 * The chain entry of a block once it is fully valid (PROTOCOL §5.3, §5.4).
 *
 * @module
 */
import { type Block, blockId } from "../primitives/block.ts";
import type { ChainEntry } from "./chain_entry.ts";
import { blockWork, chainWork } from "./chain_work.ts";
import { isStagnant } from "./growth.ts";
import { headerSums } from "./paired_improvement.ts";
import { medianTimePast } from "./median_time_past.ts";
import type { NetworkParams } from "./params.ts";

/** What {@linkcode nextEntry} needs besides the parent and the block. */
export interface NextEntryInputs {
  /** The block's minted resonances (ConnectResult.mintedResonances). */
  readonly mintedResonances: bigint;
  /** The block's returned resonances (ConnectResult.returnedResonances). */
  readonly returnedResonances: bigint;
  /**
   * Timestamps of the blocks ending at the parent, oldest first (at least the last
   * `medianTimeSpan − 1` when that many exist; extra older ones are ignored).
   */
  readonly recentTimestampsSecs: readonly number[];
}

/**
 * The entry of `block` (a valid child of `parent`): hash, height, MTP over the last
 * `medianTimeSpan` timestamps ending at the block, stagnation (parent's + 1 when the
 * verified progress is below 2μ, else 0), cumulative minted and returned, chain work.
 *
 * @example Not run as a doc test: it needs a chain (parameters, parent entry, UTXO view); the tests beside it build one.
 * ```ts ignore
 * const entry = nextEntry(params, parent, block, { ...connectResult, recentTimestampsSecs });
 * ```
 */
export function nextEntry(
  params: NetworkParams,
  parent: ChainEntry,
  block: Block,
  inputs: NextEntryInputs,
): ChainEntry {
  const { header } = block;
  const window = [
    ...inputs.recentTimestampsSecs.slice(-(params.medianTimeSpan - 1)),
    header.timestampSecs,
  ];
  return {
    hash: blockId(params.magic, header),
    header,
    height: header.height,
    mtpSecs: medianTimePast(window),
    stagnation: isStagnant(params, header) ? parent.stagnation + 1 : 0,
    mintedResonances: parent.mintedResonances + inputs.mintedResonances,
    returnedResonances: parent.returnedResonances + inputs.returnedResonances,
    chainWork: chainWork(parent.chainWork, blockWork(params, headerSums(header))),
  };
}

/**
 * Block assembly shared by every miner (regtest `generatetoaddress`, `rnt node --mine`,
 * `rnt mine` over RPC): the header draft whose sample the miner evaluates, the coinbase, and the
 * signed block around a trained checkpoint. Pure functions of their inputs (the caller supplies the time).
 *
 * @module
 */
import { checkpointRoot } from "../../core/checkpoint/chunks.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { improvementPpm, nextModelConfig } from "../../core/consensus/growth.ts";
import { childTimestampSecs } from "../../core/consensus/paired_improvement.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import {
  type Block,
  computeTxRoot,
  computeWitnessRoot,
  signHeader,
  type UnsignedHeader,
} from "../../core/primitives/block.ts";
import { NULL_OUTPOINT, type Tx } from "../../core/primitives/tx.ts";

/** Room left in a block for the coinbase and header beyond the template transactions. */
export const BLOCK_OVERHEAD_BYTES = 4096;

/**
 * The header of a child of `parent` carrying `checkpointBytes`, without transactions and loss
 * claims: everything the block's evaluation sample depends on (PROTOCOL §5.9). The miner
 * evaluates the sample of this draft, then {@linkcode assembleBlock} builds the block with the
 * same fields and the claims filled in. Timestamp max(now, parent MTP + 1).
 *
 * @example
 * ```ts
 * import { headerDraft } from "./block_assembly.ts";
 * import { genesisEntry } from "../../core/consensus/genesis.ts";
 * import { REGTEST } from "../../core/consensus/params.ts";
 * const d = headerDraft(REGTEST, genesisEntry(REGTEST), new Uint8Array(8), 0, new Uint8Array(32));
 * console.log(d.height, d.dModel); // 1 18
 * ```
 */
export function headerDraft(
  params: NetworkParams,
  parent: ChainEntry,
  checkpointBytes: Uint8Array,
  nowSecs: number,
  minerKey: Uint8Array,
): UnsignedHeader {
  const next = nextModelConfig(params, parent);
  return {
    version: 1,
    height: parent.height + 1,
    prevHash: parent.hash,
    txRoot: new Uint8Array(32),
    witnessRoot: new Uint8Array(32),
    checkpointRoot: checkpointRoot(checkpointBytes),
    checkpointSize: checkpointBytes.length,
    dModel: next.dModel,
    nLayers: next.nLayers,
    parentSampleLossMicroNats: 0,
    sampleLossMicroNats: 0,
    timestampSecs: childTimestampSecs(parent, nowSecs),
    minerKey,
  };
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

/** What a block is built from. */
export interface BlockInputs {
  /** The tip the block extends. */
  parent: ChainEntry;
  /** Where the coinbase pays. */
  address: AddressData;
  /** The draft the sample was evaluated for ({@linkcode headerDraft} of the same checkpoint). */
  draft: UnsignedHeader;
  /** The parent checkpoint's exact loss on the sample (micro-nats). */
  parentSampleLossMicroNats: number;
  /** The trained checkpoint's exact loss on the sample (micro-nats). */
  sampleLossMicroNats: number;
  /** Mempool transactions to include, in order. */
  txs: readonly Tx[];
  /** Their total fee. */
  feesResonances: bigint;
  /** The miner's Ed25519 seed (signs the header; its key must be the draft's). */
  minerSeed: Uint8Array;
}

/**
 * Builds and signs the child block of `inputs.parent` from its draft: coinbase paying
 * `blockReward(params, parent, progress)` plus fees (progress from the two sample claims), tx
 * and witness roots, the claims. Every field the sample depends on is the draft's.
 */
export function assembleBlock(params: NetworkParams, inputs: BlockInputs): Block {
  const { parent, draft } = inputs;
  const progress = improvementPpm(inputs.parentSampleLossMicroNats, inputs.sampleLossMicroNats);
  const reward = blockReward(params, parent, progress);
  const all = [
    coinbaseTx(draft.height, reward + inputs.feesResonances, inputs.address),
    ...inputs.txs,
  ];
  const header = signHeader(params.magic, {
    ...draft,
    txRoot: computeTxRoot(params.magic, all),
    witnessRoot: computeWitnessRoot(params.magic, all),
    parentSampleLossMicroNats: inputs.parentSampleLossMicroNats,
    sampleLossMicroNats: inputs.sampleLossMicroNats,
  }, inputs.minerSeed);
  return { header, txs: all };
}

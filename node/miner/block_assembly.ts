/**
 * Block assembly shared by every miner (regtest `generatetoaddress`, `rnt node --mine`,
 * `rnt mine` over RPC): the loss a miner aims for, the coinbase, and the signed block around a
 * trained checkpoint. Pure functions of their inputs (the caller supplies the time).
 *
 * @module
 */
import { checkpointRoot } from "../../core/checkpoint/chunks.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { type NetworkParams, PPM } from "../../core/consensus/params.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import type { AddressData } from "../../core/primitives/address.ts";
import {
  type Block,
  computeTxRoot,
  computeWitnessRoot,
  signHeader,
} from "../../core/primitives/block.ts";
import { NULL_OUTPOINT, type Tx } from "../../core/primitives/tx.ts";

/** Room left in a block for the coinbase and header beyond the template transactions. */
export const BLOCK_OVERHEAD_BYTES = 4096;

/**
 * The largest claim (micro-nats) a miner accepts for a child of `parent`:
 * `⌊parent × (1 − μ − τ)⌋`, a τ margin below the consensus rule so that a verifier whose
 * evaluation differs within τ still accepts the block.
 *
 * @example
 * ```ts
 * import { minerTargetMicroNats } from "./block_assembly.ts";
 * import { genesisEntry } from "../../core/consensus/genesis.ts";
 * import { REGTEST } from "../../core/consensus/params.ts";
 * const g = genesisEntry(REGTEST);
 * console.log(minerTargetMicroNats(REGTEST, g) < g.header.valLossMicroNats); // true
 * ```
 */
export function minerTargetMicroNats(params: NetworkParams, parent: ChainEntry): number {
  const keep = PPM - params.minImprovementPpm - params.tolerancePpm;
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

/** What a block is built from. */
export interface BlockInputs {
  /** The tip the block extends. */
  parent: ChainEntry;
  /** Where the coinbase pays. */
  address: AddressData;
  /** The loss the header claims (micro-nats). */
  valLossMicroNats: number;
  /** The trained checkpoint (.rnet bytes). */
  checkpointBytes: Uint8Array;
  /** Mempool transactions to include, in order. */
  txs: readonly Tx[];
  /** Their total fee. */
  feesResonances: bigint;
  /** The current time, seconds (the header uses max(now, parent MTP + 1)). */
  nowSecs: number;
  /** The miner's Ed25519 seed (signs the header). */
  minerSeed: Uint8Array;
}

/**
 * Builds and signs the child block of `inputs.parent`: coinbase paying
 * `blockReward(params, parent, claim)` plus fees, tx and witness roots, the checkpoint root and
 * size, the grown model configuration, timestamp max(now, parent MTP + 1).
 */
export function assembleBlock(params: NetworkParams, inputs: BlockInputs): Block {
  const { parent } = inputs;
  const height = parent.height + 1;
  const next = nextModelConfig(params, parent);
  const reward = blockReward(params, parent, inputs.valLossMicroNats);
  const all = [coinbaseTx(height, reward + inputs.feesResonances, inputs.address), ...inputs.txs];
  const miner = keyPairFromSeed(inputs.minerSeed);
  const header = signHeader(params.magic, {
    version: 1,
    height,
    prevHash: parent.hash,
    txRoot: computeTxRoot(params.magic, all),
    witnessRoot: computeWitnessRoot(params.magic, all),
    checkpointRoot: checkpointRoot(inputs.checkpointBytes),
    checkpointSize: inputs.checkpointBytes.length,
    dModel: next.dModel,
    nLayers: next.nLayers,
    valLossMicroNats: inputs.valLossMicroNats,
    timestampSecs: Math.max(inputs.nowSecs, parent.mtpSecs + 1),
    minerKey: miner.publicKey,
  }, inputs.minerSeed);
  return { header, txs: all };
}

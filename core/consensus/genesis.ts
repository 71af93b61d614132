/**
 * The genesis block of each network (PROTOCOL §5.1): deterministic from the params. Its
 * checkpoint is `genesisCheckpoint({ genesisDModel, genesisLayers }, genesisModelSeed)`; the
 * header pins that checkpoint's root and size, the pinned genesis loss and the genesis
 * timestamp, with a zero miner key and a zero signature (accepted only because genesis is never
 * validated against a parent: nodes insert {@linkcode genesisEntry} directly). Its single
 * coinbase pays 0 to an unspendable address and is not added to the UTXO set.
 *
 * @module
 */
import { fromHex, keccak256d } from "../crypto/keccak.ts";
import { RecoveryKind } from "../primitives/address.ts";
import {
  type Block,
  type BlockHeader,
  blockId,
  computeTxRoot,
  computeWitnessRoot,
} from "../primitives/block.ts";
import { NULL_OUTPOINT, type Tx } from "../primitives/tx.ts";
import { genesisCheckpoint } from "../checkpoint/genesis_init.ts";
import { encodeCheckpoint, encodedCheckpointSize } from "../checkpoint/rnet.ts";
import type { ModelConfig } from "../checkpoint/model_config.ts";
import type { ChainEntry } from "./chain_entry.ts";
import type { NetworkParams } from "./params.ts";

/** The genesis model configuration of a network. */
export function genesisModelConfig(params: NetworkParams): ModelConfig {
  return { dModel: params.genesisDModel, nLayers: params.genesisLayers };
}

/**
 * The encoded genesis checkpoint (deterministic; mainnet's is 55 MB and takes seconds).
 *
 * @example
 * ```ts
 * import { genesisCheckpointBytes } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(genesisCheckpointBytes(REGTEST).length); // 54872
 * ```
 */
export function genesisCheckpointBytes(params: NetworkParams): Uint8Array {
  return encodeCheckpoint(genesisCheckpoint(genesisModelConfig(params), params.genesisModelSeed));
}

/** The genesis coinbase: one null input, one zero-value output to an unspendable hash. */
export function genesisCoinbase(params: NetworkParams): Tx {
  const note = new TextEncoder().encode(`rnt genesis ${params.name}`);
  return {
    version: 1,
    inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
    outputs: [{ value: 0n, address: { kind: RecoveryKind.heartbeat, hash: keccak256d(note) } }],
    locktime: 0,
    witnesses: [],
  };
}

/**
 * The genesis block of `params`' network.
 *
 * @example
 * ```ts
 * import { genesisBlock } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(genesisBlock(REGTEST).header.height); // 0
 * ```
 */
export function genesisBlock(params: NetworkParams): Block {
  const txs = [genesisCoinbase(params)];
  const config = genesisModelConfig(params);
  const header: BlockHeader = {
    version: 1,
    height: 0,
    prevHash: new Uint8Array(32),
    txRoot: computeTxRoot(params.magic, txs),
    witnessRoot: computeWitnessRoot(params.magic, txs),
    checkpointRoot: fromHex(params.genesisCheckpointRootHex),
    checkpointSize: encodedCheckpointSize(config),
    dModel: config.dModel,
    nLayers: config.nLayers,
    parentSampleLossMicroNats: 0,
    sampleLossMicroNats: 0,
    timestampSecs: params.genesisTimestampSecs,
    minerKey: new Uint8Array(32),
    signature: new Uint8Array(64),
  };
  return { header, txs };
}

/** The chain entry of the genesis block (MTP = its timestamp, nothing minted). */
export function genesisEntry(params: NetworkParams): ChainEntry {
  const { header } = genesisBlock(params);
  return {
    hash: blockId(params.magic, header),
    header,
    height: 0,
    mtpSecs: header.timestampSecs,
    stagnation: 0,
    mintedResonances: 0n,
    returnedResonances: 0n,
    chainWork: 0n,
  };
}

/**
 * The `getminingtemplate` result (PROTOCOL §7): everything a remote miner needs to train and
 * build the next block without trusting more than it can check. The parent is sent as its
 * full 260-byte header plus the chain-state numbers consensus derives from it (MTP, stagnation,
 * minted and returned supply), so the miner recomputes the next model configuration, the
 * reward at its own loss and the checkpoint root with the same consensus functions the node
 * uses; the node checks everything again when the block is submitted.
 *
 * @module
 */
import { CHUNK_BYTES, chunkCount } from "../../core/checkpoint/chunks.ts";
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { childRequiredImprovementPpm } from "../../core/consensus/paired_improvement.ts";
import type { NetworkParams } from "../../core/consensus/params.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import { blockId, decodeHeader, encodeHeader } from "../../core/primitives/block.ts";
import { decodeTx, encodeTx, type Tx } from "../../core/primitives/tx.ts";
import { txid, wtxid } from "../../core/primitives/tx_hash.ts";

/** One template transaction (Core's `getblocktemplate` fields). */
export interface TemplateTxJson {
  /** The encoded transaction, hex (witnesses included). */
  data: string;
  txid: string;
  /** The wtxid. */
  hash: string;
  /** Fee in resonances. */
  fee: bigint | number;
  /** Encoded size in bytes. */
  size: number;
}

/** The `getminingtemplate` result. */
export interface MiningTemplateJson {
  /** Network name. */
  chain: string;
  /** Height of the block to mine. */
  height: number;
  /** The tip (parent) block hash. */
  previousblockhash: string;
  /** The parent's full header, hex. */
  parent_header: string;
  /** The parent's median-time-past, seconds. */
  parent_mediantime: number;
  /** The parent's stagnation counter. */
  parent_stagnation: number;
  /** Resonances minted / returned up to the parent. */
  parent_minted: bigint | number;
  parent_returned: bigint | number;
  /** The parent's chain work (fork-choice score, PROTOCOL §6.3). */
  parent_chainwork: bigint | number;
  /** The model configuration the block must have. */
  d_model: number;
  layers: number;
  /** μ before the slow-progress decay, ppm, and the decay's grace and half-life, seconds. */
  min_improvement_ppm: number;
  improvement_grace_secs: number;
  improvement_half_life_secs: number;
  /** μ_t for a block stamped `curtime`, ppm: the improvement its sample must show. */
  required_improvement_ppm: number;
  /** K windows of W bytes per sample. */
  sample_windows: number;
  window_bytes: number;
  /** Reward at exactly `required_improvement_ppm` (RNT with 8 decimals, and resonances). */
  reward_estimate: string;
  reward_estimate_resonances: bigint | number;
  /** Transactions to include, in order, and their total fee (resonances). */
  transactions: TemplateTxJson[];
  fees: bigint | number;
  /** Reward at `required_improvement_ppm` plus fees (Core's `coinbasevalue`), resonances. */
  coinbasevalue: bigint | number;
  /** The node's time and the smallest timestamp allowed (parent MTP + 1). */
  curtime: number;
  mintime: number;
  /** Where to fetch the parent checkpoint. */
  checkpoint: {
    /** The method to call per chunk: `getcheckpointchunk <blockhash> <index>`. */
    method: string;
    blockhash: string;
    size: number;
    root: string;
    chunks: number;
    chunk_bytes: number;
  };
}

/** A mempool transaction offered to the template. */
export interface TemplateTx {
  readonly tx: Tx;
  readonly feeResonances: bigint;
}

/** Builds the template for a child of `parent` (node side). */
export function miningTemplateJson(
  params: NetworkParams,
  parent: ChainEntry,
  txs: readonly TemplateTx[],
  nowSecs: number,
): MiningTemplateJson {
  const next = nextModelConfig(params, parent);
  const required = childRequiredImprovementPpm(params, parent, nowSecs);
  const reward = blockReward(params, parent, required);
  const fees = txs.reduce((s, t) => s + t.feeResonances, 0n);
  const hash = toHex(parent.hash);
  return {
    chain: params.name,
    height: parent.height + 1,
    previousblockhash: hash,
    parent_header: toHex(encodeHeader(parent.header)),
    parent_mediantime: parent.mtpSecs,
    parent_stagnation: parent.stagnation,
    parent_minted: parent.mintedResonances,
    parent_returned: parent.returnedResonances,
    parent_chainwork: parent.chainWork,
    d_model: next.dModel,
    layers: next.nLayers,
    min_improvement_ppm: params.sampleMinImprovementPpm,
    improvement_grace_secs: params.improvementGraceSecs,
    improvement_half_life_secs: params.improvementHalfLifeSecs,
    required_improvement_ppm: required,
    sample_windows: params.evalSampleWindows,
    window_bytes: params.validationWindowBytes,
    reward_estimate: formatRnt(reward),
    reward_estimate_resonances: reward,
    transactions: txs.map(({ tx, feeResonances }) => {
      const data = encodeTx(tx);
      return {
        data: toHex(data),
        txid: toHex(txid(params.magic, tx)),
        hash: toHex(wtxid(params.magic, tx)),
        fee: feeResonances,
        size: data.length,
      };
    }),
    fees,
    coinbasevalue: reward + fees,
    curtime: nowSecs,
    mintime: parent.mtpSecs + 1,
    checkpoint: {
      method: "getcheckpointchunk",
      blockhash: hash,
      size: parent.header.checkpointSize,
      root: toHex(parent.header.checkpointRoot),
      chunks: chunkCount(parent.header.checkpointSize),
      chunk_bytes: CHUNK_BYTES,
    },
  };
}

/** What a miner takes from a template. */
export interface ParsedTemplate {
  /** The parent, rebuilt from its header and chain-state numbers. */
  readonly parent: ChainEntry;
  /** Transactions to include and their total fee. */
  readonly txs: readonly Tx[];
  readonly feesResonances: bigint;
  /** The node's time, seconds. */
  readonly curtime: number;
}

function int(value: unknown, name: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new TypeError(`Mining template field ${name} is not a non-negative integer`);
  }
  return value;
}

function big(value: unknown, name: string): bigint {
  if (typeof value === "bigint") return value;
  return BigInt(int(value, name));
}

/**
 * Checks and decodes a template (miner side). Throws TypeError when it is malformed, for
 * another network, or its parent header does not hash to `previousblockhash`.
 */
export function parseMiningTemplate(params: NetworkParams, json: unknown): ParsedTemplate {
  if (typeof json !== "object" || json === null) {
    throw new TypeError("Mining template is not an object");
  }
  const t = json as Record<string, unknown>;
  if (t.chain !== params.name) {
    throw new TypeError(`Mining template is for ${String(t.chain)}, not ${params.name}`);
  }
  if (typeof t.parent_header !== "string") {
    throw new TypeError("Mining template has no parent_header");
  }
  const header = decodeHeader(fromHex(t.parent_header));
  const hash = blockId(params.magic, header);
  if (toHex(hash) !== t.previousblockhash) {
    throw new TypeError("Mining template parent_header does not hash to previousblockhash");
  }
  const parent: ChainEntry = {
    hash,
    header,
    height: header.height,
    mtpSecs: int(t.parent_mediantime, "parent_mediantime"),
    stagnation: int(t.parent_stagnation, "parent_stagnation"),
    mintedResonances: big(t.parent_minted, "parent_minted"),
    returnedResonances: big(t.parent_returned, "parent_returned"),
    chainWork: big(t.parent_chainwork, "parent_chainwork"),
  };
  if (!Array.isArray(t.transactions)) throw new TypeError("Mining template has no transactions");
  const txs = t.transactions.map((x: { data?: unknown }) => {
    if (typeof x?.data !== "string") throw new TypeError("Mining template tx has no data");
    return decodeTx(fromHex(x.data), params.maxTxBytes);
  });
  return {
    parent,
    txs,
    feesResonances: big(t.fees, "fees"),
    curtime: int(t.curtime, "curtime"),
  };
}

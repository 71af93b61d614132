/**
 * `getlosshistory`: the active chain's learning curve, one row per block — exact sample loss,
 * model size, improvement over the parent, what the block minted and the effective supply after
 * it. Read from the in-memory block index (no block or checkpoint is loaded), so a whole chain's
 * history is cheap; the explorer's plots draw the same rows ({@linkcode lossHistory}).
 *
 * @module
 */
import type { ChainEntry } from "../../core/consensus/chain_entry.ts";
import { headerProgressPpm } from "../../core/consensus/growth.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { Node } from "../../node/node.ts";
import { amountJson, lossJson } from "./format.ts";
import type { NodeMethod } from "./node_method.ts";
import { parseInteger } from "./params.ts";

/** Most rows one call returns. */
export const MAX_LOSS_HISTORY_ROWS = 100_000;

/** One block of the learning curve. */
export interface LossPoint {
  /** Height on the active chain. */
  readonly height: number;
  /** Block id. */
  readonly hash: Uint8Array;
  /** Header timestamp, seconds. */
  readonly timeSecs: number;
  /** The block's exact loss on its own sample (the header's claim, verified). */
  readonly sampleLossMicroNats: number;
  /** Model width. */
  readonly dModel: number;
  /** Model depth. */
  readonly nLayers: number;
  /** Verified improvement over the parent on the block's sample, ppm (0 for genesis). */
  readonly improvementPpm: number;
  /** Resonances this block's coinbase minted (its value less the fees it collected). */
  readonly mintedResonances: bigint;
  /** Effective circulating supply after the block: minted − returned, cumulative. */
  readonly supplyResonances: bigint;
}

function point(entry: ChainEntry, parent: ChainEntry | undefined): LossPoint {
  const h = entry.header;
  return {
    height: entry.height,
    hash: entry.hash,
    timeSecs: h.timestampSecs,
    sampleLossMicroNats: h.sampleLossMicroNats,
    dModel: h.dModel,
    nLayers: h.nLayers,
    improvementPpm: parent ? headerProgressPpm(h) : 0,
    mintedResonances: entry.mintedResonances - (parent?.mintedResonances ?? 0n),
    supplyResonances: entry.mintedResonances - entry.returnedResonances,
  };
}

/** The row of `entry` (any accepted block: its parent is looked up by hash). */
export function lossPointOf(node: Node, entry: ChainEntry): LossPoint {
  return point(
    entry,
    entry.height > 0 ? node.chainstate.getEntry(entry.header.prevHash) : undefined,
  );
}

/**
 * The rows of heights `fromHeight` … `fromHeight + count − 1` of the active chain (fewer when the
 * tip is lower; none when `fromHeight` is above the tip).
 */
export function lossHistory(node: Node, fromHeight = 0, count = Infinity): LossPoint[] {
  const tip = node.chainstate.tip().height;
  const last = Math.min(tip, fromHeight + count - 1);
  const rows: LossPoint[] = [];
  let parent = fromHeight > 0 ? node.chainstate.getEntryByHeight(fromHeight - 1) : undefined;
  for (let h = fromHeight; h <= last; h++) {
    const entry = node.chainstate.getEntryByHeight(h);
    if (!entry) break;
    rows.push(point(entry, parent));
    parent = entry;
  }
  return rows;
}

/** A row as the RPC returns it. */
export function lossPointJson(p: LossPoint): Record<string, unknown> {
  return {
    height: p.height,
    hash: toHex(p.hash),
    time: p.timeSecs,
    sample_loss: lossJson(p.sampleLossMicroNats),
    sample_loss_micronats: p.sampleLossMicroNats,
    d_model: p.dModel,
    layers: p.nLayers,
    improvement_ppm: p.improvementPpm,
    reward: amountJson(p.mintedResonances),
    reward_resonances: p.mintedResonances,
    supply: amountJson(p.supplyResonances),
    supply_resonances: p.supplyResonances,
  };
}

/** The loss-history method. */
export const LOSS_HISTORY_METHODS: readonly NodeMethod[] = [
  {
    name: "getlosshistory",
    category: "blockchain",
    params: [
      {
        name: "from_height",
        type: "number",
        required: false,
        description: "First height",
        defaultHint: "0",
      },
      {
        name: "count",
        type: "number",
        required: false,
        description: `Most rows (at most ${MAX_LOSS_HISTORY_ROWS})`,
        defaultHint: "to the tip",
      },
    ],
    help: "Returns the active chain's learning curve, one row per block from from_height: " +
      "loss, model size, improvement over the parent (ppm), the coinbase's newly minted " +
      "amount and the effective supply (minted - returned) after the block.",
    result: "[{ height, hash, time, sample_loss, sample_loss_micronats, d_model, layers, " +
      "improvement_ppm, reward, reward_resonances, supply, supply_resonances }]",
    run: (node, [fromParam, countParam]) => {
      const tip = node.chainstate.tip().height;
      const from = fromParam === undefined
        ? 0
        : parseInteger(fromParam, "from_height", 0, tip, "Block height out of range");
      const count = countParam === undefined
        ? MAX_LOSS_HISTORY_ROWS
        : parseInteger(countParam, "count", 1, MAX_LOSS_HISTORY_ROWS);
      return lossHistory(node, from, count).map(lossPointJson);
    },
  },
];

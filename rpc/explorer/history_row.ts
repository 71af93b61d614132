/**
 * The learning-curve row the explorer's page script plots (`/api/losshistory`, `event: block`):
 * the `getlosshistory` row with plain JSON numbers for the plots (loss in nats, reward and supply
 * in RNT as floats, for drawing only) beside the exact 8-decimal amount strings for display.
 *
 * @module
 */
import { toHex } from "../../core/crypto/keccak.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import type { LossPoint } from "../methods/loss_history.ts";

/** One plotted block. */
export interface HistoryRow {
  height: number;
  hash: string;
  time: number;
  /** Nats (for plotting; the exact value is `loss_micronats`). */
  loss: number;
  loss_micronats: number;
  d_model: number;
  layers: number;
  improvement_ppm: number;
  /** Exact RNT with 8 decimals. */
  reward: string;
  supply: string;
  /** The same as floats, for plotting only. */
  reward_rnt: number;
  supply_rnt: number;
}

/** The row of `p`. */
export function historyRow(p: LossPoint): HistoryRow {
  const reward = formatRnt(p.mintedResonances);
  const supply = formatRnt(p.supplyResonances);
  return {
    height: p.height,
    hash: toHex(p.hash),
    time: p.timeSecs,
    loss: p.sampleLossMicroNats / 1e6,
    loss_micronats: p.sampleLossMicroNats,
    d_model: p.dModel,
    layers: p.nLayers,
    improvement_ppm: p.improvementPpm,
    reward,
    supply,
    reward_rnt: Number(reward),
    supply_rnt: Number(supply),
  };
}

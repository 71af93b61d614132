/**
 * Transactions both sides sign over the funding output besides commitments (PROTOCOL.md §9.7):
 * the cooperative close (BOLT 2 `closing_signed`: each balance to the address its side chose, no
 * delay) and the funding refresh, rnt's channel heartbeat: an output older than
 * `emissionReturnAgeSecs` may be swept into the emission pool (§5.8), so a channel that lives that
 * long re-creates its funding output before then (and both sides re-sign the current commitment
 * on the new outpoint; every older commitment spends a spent outpoint and is dead).
 *
 * Both are unsigned here; each side signs with `signFundingSpend` and either attaches the two
 * signatures with `withFundingWitness` (commitment_tx.ts).
 *
 * @module
 */
import { type AddressData, RecoveryKind } from "../primitives/address.ts";
import { compareBytes } from "../primitives/satisfaction.ts";
import type { OutPoint, Tx, TxOut } from "../primitives/tx.ts";
import type { ChannelSide } from "./commitment_spec.ts";
import { CHANNEL_TX_VERSION, MRES_PER_RESONANCE } from "./commitment_tx.ts";

/** The `sequence` of the funding input of a close or refresh (not interpreted by consensus). */
export const FUNDING_SPEND_SEQUENCE = 0xffff_ffff;

/** What a cooperative close pays. */
export interface CooperativeCloseParams {
  /** The funding output and its value (resonances). */
  readonly fundingOutpoint: OutPoint;
  readonly fundingValue: bigint;
  /** Final balances, milli-resonances (no HTLC may be pending); they add up to the funding. */
  readonly localBalanceMres: bigint;
  readonly remoteBalanceMres: bigint;
  /** Where each side's balance goes (BOLT's shutdown script): any kind but pending recovery. */
  readonly localAddress: AddressData;
  readonly remoteAddress: AddressData;
  /** Who pays the fee (the funder), and the fee in resonances. */
  readonly funder: ChannelSide;
  readonly feeResonances: bigint;
  /** Outputs below this (the larger of the two sides' dust limits) are left out. */
  readonly dustLimitResonances: bigint;
}

/**
 * The cooperative close: balances rounded down to resonances, the fee taken from the funder's
 * (floored at 0), outputs below the dust limit or of value 0 left out, the rest sorted by value
 * then address payload; one input, locktime 0. RangeError when the balances do not add up or
 * nothing is left.
 */
export function buildCooperativeCloseTx(p: CooperativeCloseParams): Tx {
  if (p.localBalanceMres < 0n || p.remoteBalanceMres < 0n || p.feeResonances < 0n) {
    throw new RangeError("Balances and fee must not be negative");
  }
  if (p.localBalanceMres + p.remoteBalanceMres !== p.fundingValue * MRES_PER_RESONANCE) {
    throw new RangeError("Close balances do not add up to the funding value");
  }
  for (const a of [p.localAddress, p.remoteAddress]) {
    if (a.kind === RecoveryKind.pendingRecovery) {
      throw new RangeError("A close cannot pay a pending-recovery address");
    }
  }
  const value = (mres: bigint, side: ChannelSide) => {
    const res = mres / MRES_PER_RESONANCE - (p.funder === side ? p.feeResonances : 0n);
    return res < 0n ? 0n : res;
  };
  const outputs: TxOut[] = [
    { value: value(p.localBalanceMres, "local"), address: p.localAddress },
    { value: value(p.remoteBalanceMres, "remote"), address: p.remoteAddress },
  ].filter((o) => o.value > 0n && o.value >= p.dustLimitResonances)
    .sort((a, b) =>
      a.value !== b.value
        ? (a.value < b.value ? -1 : 1)
        : a.address.kind - b.address.kind || compareBytes(a.address.hash, b.address.hash)
    );
  if (outputs.length === 0) throw new RangeError("Cooperative close has no output above dust");
  return {
    version: CHANNEL_TX_VERSION,
    inputs: [{ prevout: p.fundingOutpoint, sequence: FUNDING_SPEND_SEQUENCE }],
    outputs,
    locktime: 0,
    witnesses: [],
  };
}

/**
 * The funding refresh: spends the funding output into a new funding output with the same policy
 * (same address) and the value less `feeResonances`, which the funder bears in the next
 * commitment (the state machine lowers its balance by the fee).
 */
export function buildFundingRefreshTx(
  fundingOutpoint: OutPoint,
  fundingOutput: TxOut,
  feeResonances: bigint,
): Tx {
  if (feeResonances < 0n || feeResonances >= fundingOutput.value) {
    throw new RangeError(`Refresh fee out of range: ${feeResonances}`);
  }
  return {
    version: CHANNEL_TX_VERSION,
    inputs: [{ prevout: fundingOutpoint, sequence: FUNDING_SPEND_SEQUENCE }],
    outputs: [{ value: fundingOutput.value - feeResonances, address: fundingOutput.address }],
    locktime: 0,
    witnesses: [],
  };
}

/**
 * The checks on each update and their cautious counts (private to the channel state machine;
 * PROTOCOL.md §9.8 "Checks on each update"). Each `apply*` checks an update against a draft state
 * and logs it, or throws ChannelError leaving the draft for the caller to drop.
 *
 * @module
 */
import { paymentHashOf } from "./invoice.ts";
import { ChannelError } from "./channel_error.ts";
import { commitmentFeeResonances, MRES_PER_RESONANCE } from "./commitment_tx.ts";
import {
  type ChannelConfig,
  type ChannelHtlc,
  type ChannelLimits,
  type ChannelState,
  type LoggedUpdate,
  MAX_FEERATE_PER_BYTE,
  MAX_LOGGED_UPDATES,
} from "./channel_types.ts";
import type { ChannelSide } from "./commitment_spec.ts";
import { equalBytes, otherSide } from "./_channel_util.ts";

export function applyAdd(draft: ChannelState, from: ChannelSide, htlc: ChannelHtlc): void {
  const limits = limitsOn(draft.config, from);
  if (htlc.id !== draft.nextHtlcId[from]) {
    throw new ChannelError(
      "bad-htlc-id",
      `expected HTLC id ${draft.nextHtlcId[from]}, got ${htlc.id}`,
    );
  }
  const minimum = limits.htlcMinimumMres > 1n ? limits.htlcMinimumMres : 1n;
  if (htlc.amountMres < minimum) {
    throw new ChannelError(
      "amount-below-minimum",
      `HTLC of ${htlc.amountMres} mres is below the minimum of ${minimum}`,
    );
  }
  if (!Number.isSafeInteger(htlc.expirySecs) || htlc.expirySecs <= 0) {
    throw new ChannelError("bad-expiry", `HTLC expiry ${htlc.expirySecs} is not a positive time`);
  }
  const exposure = offeredExposure(draft, from);
  if (exposure.count + 1 > limits.maxAcceptedHtlcs) {
    throw new ChannelError(
      "too-many-htlcs",
      `${exposure.count + 1} HTLCs offered, at most ${limits.maxAcceptedHtlcs} accepted`,
    );
  }
  if (exposure.valueMres + htlc.amountMres > limits.maxHtlcValueInFlightMres) {
    throw new ChannelError(
      "max-in-flight-exceeded",
      `${
        exposure.valueMres + htlc.amountMres
      } mres offered in flight, at most ${limits.maxHtlcValueInFlightMres}`,
    );
  }
  const fee = draft.config.funder === from ? worstCaseFeeMres(draft, maxFeerate(draft)) : 0n;
  const left = cautiousBalance(draft, from) - htlc.amountMres - fee;
  if (left < limits.reserveMres) {
    throw new ChannelError(
      "insufficient-balance",
      `offering ${htlc.amountMres} mres leaves ${left} mres${
        fee > 0n ? ` after a worst-case fee of ${fee}` : ""
      }, below the reserve of ${limits.reserveMres}`,
    );
  }
  pushUpdate(draft, { from, update: { kind: "add", htlc }, inLocal: null, inRemote: null });
  draft.nextHtlcId[from] = htlc.id + 1n;
}

export function applyFulfill(
  draft: ChannelState,
  from: ChannelSide,
  id: bigint,
  preimage: Uint8Array,
): void {
  const htlc = removableHtlc(draft, from, id);
  if (preimage.length !== 32 || !equalBytes(paymentHashOf(preimage), htlc.paymentHash)) {
    throw new ChannelError(
      "wrong-preimage",
      `the preimage does not hash to HTLC ${id}'s payment hash`,
    );
  }
  pushUpdate(draft, {
    from,
    update: { kind: "fulfill", htlcId: id, preimage: preimage.slice() },
    inLocal: null,
    inRemote: null,
  });
}

export function applyFail(
  draft: ChannelState,
  from: ChannelSide,
  id: bigint,
  reason: Uint8Array,
): void {
  removableHtlc(draft, from, id);
  pushUpdate(draft, {
    from,
    update: { kind: "fail", htlcId: id, reason: reason.slice() },
    inLocal: null,
    inRemote: null,
  });
}

/** BOLT 4's BADONION flag: a malformed-onion failure must carry it. */
export const BADONION = 0x8000;

export function applyFailMalformed(
  draft: ChannelState,
  from: ChannelSide,
  id: bigint,
  sha256OfOnion: Uint8Array,
  failureCode: number,
): void {
  if (!Number.isInteger(failureCode) || failureCode < 0 || failureCode > 0xffff) {
    throw new RangeError(`failure code must be a u16, got ${failureCode}`);
  }
  if ((failureCode & BADONION) === 0) {
    throw new ChannelError(
      "bad-failure-code",
      `failure code 0x${failureCode.toString(16)} lacks the BADONION bit`,
    );
  }
  removableHtlc(draft, from, id);
  pushUpdate(draft, {
    from,
    update: {
      kind: "fail-malformed",
      htlcId: id,
      sha256OfOnion: sha256OfOnion.slice(),
      failureCode,
    },
    inLocal: null,
    inRemote: null,
  });
}

export function applyFee(draft: ChannelState, from: ChannelSide, feeratePerByte: number): void {
  if (draft.config.funder !== from) {
    throw new ChannelError("not-funder", `update_fee from the ${from} side, which does not fund`);
  }
  if (
    !Number.isSafeInteger(feeratePerByte) || feeratePerByte < 1 ||
    feeratePerByte > MAX_FEERATE_PER_BYTE
  ) {
    throw new ChannelError("bad-feerate", `fee rate ${feeratePerByte} is not in [1, 2^32 - 1]`);
  }
  const rate = Math.max(maxFeerate(draft), feeratePerByte);
  const fee = worstCaseFeeMres(draft, rate);
  const balance = cautiousBalance(draft, from);
  if (balance < fee) {
    throw new ChannelError(
      "fee-unaffordable",
      `the funder's ${balance} mres do not pay the worst-case fee of ${fee} at ${rate} per byte`,
    );
  }
  pushUpdate(draft, {
    from,
    update: { kind: "fee", feeratePerByte },
    inLocal: null,
    inRemote: null,
  });
}

export function pushUpdate(draft: ChannelState, entry: LoggedUpdate): void {
  if (draft.log.length >= MAX_LOGGED_UPDATES) {
    throw new ChannelError(
      "too-many-updates",
      `${draft.log.length} updates are pending, at most ${MAX_LOGGED_UPDATES}`,
    );
  }
  draft.log.push(entry);
}

/** The HTLC offered by the other side than `from`, committed on both sides and not being removed. */
export function removableHtlc(draft: ChannelState, from: ChannelSide, id: bigint): ChannelHtlc {
  const offeredBy = otherSide(from);
  const htlc = draft.base.htlcs.find((h) => h.offeredBy === offeredBy && h.id === id);
  if (htlc === undefined) {
    const pending = draft.log.some((e) =>
      e.update.kind === "add" && e.from === offeredBy && e.update.htlc.id === id
    );
    if (pending) {
      throw new ChannelError("htlc-not-committed", `HTLC ${id} is not irrevocably committed yet`);
    }
    throw new ChannelError("unknown-htlc", `no HTLC ${id} offered by the ${offeredBy} side`);
  }
  const removing = draft.log.some((e) =>
    e.from === from && e.update.kind !== "add" && e.update.kind !== "fee" &&
    e.update.htlcId === id
  );
  if (removing) throw new ChannelError("unknown-htlc", `HTLC ${id} is already being removed`);
  return htlc;
}

/** The limits that bound what `from` offers: those set by the other side. */
export function limitsOn(config: ChannelConfig, from: ChannelSide): ChannelLimits {
  return from === "local" ? config.remoteLimits : config.localLimits;
}

/**
 * HTLCs offered by `side` that some commitment may still hold: committed ones and pending adds,
 * counting those being removed until the removal is irrevocable. Never below what any
 * commitment holds, and the receiver's count is never above the sender's (§9.8).
 */
export function offeredExposure(
  state: ChannelState,
  side: ChannelSide,
): { count: number; valueMres: bigint } {
  let count = 0;
  let valueMres = 0n;
  for (const h of state.base.htlcs) {
    if (h.offeredBy !== side) continue;
    count++;
    valueMres += h.amountMres;
  }
  for (const e of state.log) {
    if (e.from !== side || e.update.kind !== "add") continue;
    count++;
    valueMres += e.update.htlc.amountMres;
  }
  return { count, valueMres };
}

/** `side`'s balance with its pending adds taken out and no pending credit counted. */
export function cautiousBalance(state: ChannelState, side: ChannelSide): bigint {
  let balance = side === "local" ? state.base.localBalanceMres : state.base.remoteBalanceMres;
  for (const e of state.log) {
    if (e.from === side && e.update.kind === "add") balance -= e.update.htlc.amountMres;
  }
  return balance;
}

/** The highest fee rate any commitment may still use. */
export function maxFeerate(state: ChannelState): number {
  let rate = state.base.feeratePerByte;
  for (const e of state.log) {
    if (e.update.kind === "fee") rate = Math.max(rate, e.update.feeratePerByte);
  }
  return rate;
}

/** The fee at `feeratePerByte` of a commitment with every HTLC both sides may offer, mres. */
export function worstCaseFeeMres(state: ChannelState, feeratePerByte: number): bigint {
  const outputs = state.config.localLimits.maxAcceptedHtlcs +
    state.config.remoteLimits.maxAcceptedHtlcs;
  return commitmentFeeResonances(BigInt(feeratePerByte), outputs) * MRES_PER_RESONANCE;
}

/**
 * The checks a hop makes on an incoming HTLC before it forwards or accepts it (BOLT 4
 * "Forwarding" and "Payload for the Last Node", PROTOCOL.md §9.9), returning the failure it
 * sends back. These produce the failures `route_attempt.ts` acts on, so both ends of a retry are
 * one pair of pure functions.
 *
 * Forwarding, in order (first failure wins): no such outgoing channel → `unknown_next_peer`;
 * the direction disabled → `channel_disabled`; `amt_to_forward` below the HTLC minimum →
 * `amount_below_minimum`; above the maximum → `temporary_channel_failure`; incoming amount below
 * `amt_to_forward + fee` → `fee_insufficient`; incoming expiry below `outgoing expiry + delta`
 * → `incorrect_cltv_expiry`; outgoing expiry within `minOutgoingMarginSecs` of now →
 * `expiry_too_soon`; incoming expiry more than `maxExpiryAheadSecs` ahead → `expiry_too_far`.
 * Every UPDATE-flagged failure carries the hop's current `channel_update` of that direction.
 *
 * Final hop: the payment secret is the invoice's, the amount at least the invoice's (when it has
 * one) and the expiry at least `now + min_final_delta`, else `incorrect_or_unknown_payment_details`
 * (which does not tell a prober which check failed); the HTLC amount and expiry must be at least
 * what the payload says (`final_incorrect_htlc_amount`, `final_incorrect_cltv_expiry`), as BOLT 4
 * asks (a payer may overpay or add expiry to blur the route's length).
 *
 * @module
 */
import { timingSafeEqual } from "../util/timing_safe_equal.ts";
import type { FailureMessage } from "./error_onion.ts";
import type { ChannelUpdate } from "./gossip_messages.ts";
import { FailureCode, failureWithUpdate } from "./route_failure.ts";
import { forwardingFee } from "./route_find.ts";
import type { HopPayload } from "./route_payload.ts";

/** Default least time between now and an outgoing HTLC's expiry: one hour. */
export const DEFAULT_MIN_OUTGOING_MARGIN_SECS = 3600;
/** Default farthest incoming expiry: two weeks ahead (as the payer's bound). */
export const DEFAULT_MAX_EXPIRY_AHEAD_SECS = 14 * 24 * 3600;

/** An incoming HTLC at a forwarding hop. */
export interface ForwardRequest {
  /** The HTLC's amount, mres. */
  incomingAmountMres: bigint;
  /** The HTLC's expiry, seconds of median-time-past. */
  incomingExpirySecs: number;
  /** What the onion told this hop (with `shortChannelId`). */
  payload: HopPayload;
  /** This hop's own signed update for the outgoing channel's direction; undefined: no such channel. */
  outgoingUpdate: ChannelUpdate | undefined;
  /** The chain's median-time-past now. */
  nowSecs: number;
  /** Least time between now and the outgoing expiry (default one hour). */
  minOutgoingMarginSecs?: number;
  /** Farthest incoming expiry from now (default two weeks). */
  maxExpiryAheadSecs?: number;
}

/**
 * The failure to return for an HTLC to forward, or undefined when it may be forwarded.
 *
 * @example
 * ```ts
 * import { checkForward } from "./route_forward.ts";
 * const update = {
 *   signature: new Uint8Array(64), shortChannelId: 7n, timestamp: 1, direction: 0 as const,
 *   disabled: false, timeLockDeltaSecs: 600, htlcMinimumMres: 1n, htlcMaximumMres: 10n ** 9n,
 *   feeBaseMres: 1000, feeProportionalMillionths: 0,
 * };
 * const failure = checkForward({
 *   incomingAmountMres: 100_999n, incomingExpirySecs: 10_000, nowSecs: 0, outgoingUpdate: update,
 *   payload: { amountToForwardMres: 100_000n, outgoingExpirySecs: 9_400, shortChannelId: 7n },
 * });
 * console.log(failure?.code.toString(16)); // 100c (fee_insufficient: 1 mres short)
 * ```
 */
export function checkForward(request: ForwardRequest): FailureMessage | undefined {
  const { payload, outgoingUpdate: update } = request;
  if (payload.shortChannelId === undefined) {
    throw new RangeError("a forwarding payload needs a short channel id");
  }
  if (!update || update.shortChannelId !== payload.shortChannelId) {
    return { code: FailureCode.UNKNOWN_NEXT_PEER, data: new Uint8Array() };
  }
  const amount = payload.amountToForwardMres;
  if (update.disabled) {
    return failureWithUpdate(FailureCode.CHANNEL_DISABLED, update, new Uint8Array([0, 1]));
  }
  if (amount < update.htlcMinimumMres) {
    return failureWithUpdate(FailureCode.AMOUNT_BELOW_MINIMUM, update, u64be(amount));
  }
  if (amount > update.htlcMaximumMres) {
    return failureWithUpdate(FailureCode.TEMPORARY_CHANNEL_FAILURE, update);
  }
  if (request.incomingAmountMres < amount + forwardingFee(update, amount)) {
    return failureWithUpdate(
      FailureCode.FEE_INSUFFICIENT,
      update,
      u64be(request.incomingAmountMres),
    );
  }
  if (request.incomingExpirySecs < payload.outgoingExpirySecs + update.timeLockDeltaSecs) {
    return failureWithUpdate(
      FailureCode.INCORRECT_CLTV_EXPIRY,
      update,
      u64be(BigInt(request.incomingExpirySecs)),
    );
  }
  const margin = request.minOutgoingMarginSecs ?? DEFAULT_MIN_OUTGOING_MARGIN_SECS;
  if (payload.outgoingExpirySecs < request.nowSecs + margin) {
    return failureWithUpdate(FailureCode.EXPIRY_TOO_SOON, update);
  }
  const ahead = request.maxExpiryAheadSecs ?? DEFAULT_MAX_EXPIRY_AHEAD_SECS;
  if (request.incomingExpirySecs > request.nowSecs + ahead) {
    return { code: FailureCode.EXPIRY_TOO_FAR, data: new Uint8Array() };
  }
  return undefined;
}

/** An incoming HTLC at the payee. */
export interface FinalHopRequest {
  /** The HTLC's amount, mres. */
  incomingAmountMres: bigint;
  /** The HTLC's expiry, seconds of median-time-past. */
  incomingExpirySecs: number;
  /** What the onion told the payee (with `paymentSecret`). */
  payload: HopPayload;
  /** The invoice's payment secret. */
  paymentSecret: Uint8Array;
  /** The invoice's amount, if it has one. */
  invoiceAmountMres: bigint | undefined;
  /** The invoice's min final delta, seconds. */
  minFinalDeltaSecs: number;
  /** The chain's median-time-past now. */
  nowSecs: number;
}

/** The failure the payee returns, or undefined when it may settle the HTLC. */
export function checkFinalHop(request: FinalHopRequest): FailureMessage | undefined {
  const { payload } = request;
  const details = (): FailureMessage => {
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setBigUint64(0, request.incomingAmountMres);
    view.setBigUint64(8, BigInt(request.nowSecs));
    return { code: FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, data };
  };
  if (
    !payload.paymentSecret || payload.shortChannelId !== undefined ||
    !timingSafeEqual(payload.paymentSecret, request.paymentSecret)
  ) {
    return details();
  }
  if (request.incomingExpirySecs < payload.outgoingExpirySecs) {
    return {
      code: FailureCode.FINAL_INCORRECT_CLTV_EXPIRY,
      data: u64be(BigInt(request.incomingExpirySecs)),
    };
  }
  if (request.incomingAmountMres < payload.amountToForwardMres) {
    return {
      code: FailureCode.FINAL_INCORRECT_HTLC_AMOUNT,
      data: u64be(request.incomingAmountMres),
    };
  }
  if (
    request.invoiceAmountMres !== undefined &&
    request.incomingAmountMres < request.invoiceAmountMres
  ) {
    return details();
  }
  if (request.incomingExpirySecs < request.nowSecs + request.minFinalDeltaSecs) return details();
  return undefined;
}

function u64be(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value);
  return out;
}

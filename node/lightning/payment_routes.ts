/**
 * What `ln_pay` routes over (PROTOCOL §9.11 "Paying over routes"): a channel graph of the
 * payer's own usable channels (each named by its alias, with the node's forwarding policy) to
 * which the invoice's route hints add the payee's side, and the route request with the payer's
 * spendable balances as first-hop limits. The route search and the retry loop themselves are
 * core's (`findRoute`, `startPayment` / `nextPaymentStep`).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { ChannelGraph } from "../../core/lightning/graph.ts";
import type { Invoice, RouteHintHop } from "../../core/lightning/invoice.ts";
import type { Route, RouteRequest } from "../../core/lightning/route_find.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { channelAlias, channelAliasBytes, FORWARDING_POLICY } from "./htlc_forwarder.ts";

/** Most route hints an invoice carries (the channels whose peer can send us the most). */
export const MAX_ROUTE_HINTS = 8;

/** Margin added to the payee's `min_final_delta` for blocks found while the HTLC travels, s. */
export const FINAL_DELTA_MARGIN_SECS = 600;

/** A channel usable for a payment now: normal and its peer connected. */
export function usableChannel(r: ChannelRecord): boolean {
  return r.status === "normal" && r.state.connected;
}

/**
 * The payer's own usable channels as private channels (named by their alias) of `graph`: a
 * fresh one, or a copy of the gossiped public graph.
 */
export function ownChannelGraph(
  ourId: Uint8Array,
  channels: Iterable<ChannelRecord>,
  nowSecs: number,
  graph: ChannelGraph = new ChannelGraph(),
): ChannelGraph {
  for (const r of channels) {
    if (!usableChannel(r)) continue;
    const capacityMres = r.state.config.capacityMres;
    const policy = { ...FORWARDING_POLICY, timestamp: nowSecs, htlcMaximumMres: capacityMres };
    graph.addPrivateChannel({
      shortChannelId: channelAlias(r.channelId),
      nodeIdA: ourId,
      nodeIdB: fromHex(r.peerId),
      capacityMres,
      policyAToB: policy,
      policyBToA: policy,
    }, nowSecs);
  }
  return graph;
}

/**
 * Why no route can start at all when the amount exceeds what every usable channel of ours can
 * send now (undefined when one can): "insufficient capacity" with our largest spendable balance.
 */
export function capacityShortfall(
  channels: Iterable<ChannelRecord>,
  totalMres: bigint,
): string | undefined {
  let best = -1n;
  for (const r of channels) {
    if (!usableChannel(r)) continue;
    const spendable = r.state.localCommit.spec.toOwnerMres;
    if (spendable > best) best = spendable;
  }
  if (best < 0n) return "no open, connected channel to pay from";
  if (totalMres > best) {
    return `insufficient capacity: our channels can send at most ${best} mres now, the payment needs ${totalMres} mres before fees`;
  }
  return undefined;
}

/** The route request of paying `amountMres` to `invoice`'s payee from `ourId`. */
export function paymentRequest(
  ourId: Uint8Array,
  invoice: Invoice,
  amountMres: bigint,
  channels: Iterable<ChannelRecord>,
  nowSecs: number,
): RouteRequest {
  const limits = new Map<bigint, bigint>();
  for (const r of channels) {
    if (usableChannel(r)) {
      limits.set(channelAlias(r.channelId), r.state.localCommit.spec.toOwnerMres);
    }
  }
  return {
    source: ourId,
    target: invoice.payeeKey,
    amountMres,
    nowSecs,
    finalDeltaSecs: invoice.minFinalDeltaSecs + FINAL_DELTA_MARGIN_SECS,
    routeHints: invoice.routeHints,
    firstHopLimitsMres: limits,
  };
}

/**
 * The route hints a payee puts in its invoice: one single-hop hint per usable channel, from the
 * peer to us over the channel's alias, with the node's forwarding policy (every rnt node forwards
 * with it, §9.11); at most {@link MAX_ROUTE_HINTS}, those whose peer holds the most first.
 */
export function ownRouteHints(channels: Iterable<ChannelRecord>): RouteHintHop[][] {
  const usable = [...channels].filter(usableChannel).sort((x, y) => {
    const d = y.state.localCommit.spec.toOtherMres - x.state.localCommit.spec.toOtherMres;
    return d > 0n ? 1 : d < 0n ? -1 : 0;
  });
  const hints: RouteHintHop[][] = [];
  for (const r of usable.slice(0, MAX_ROUTE_HINTS)) {
    hints.push([{
      nodeId: fromHex(r.peerId),
      channelId: channelAliasBytes(r.channelId),
      feeBaseMilliResonances: FORWARDING_POLICY.feeBaseMres,
      feeProportionalMillionths: FORWARDING_POLICY.feeProportionalMillionths,
      deltaSecs: FORWARDING_POLICY.timeLockDeltaSecs,
    }]);
  }
  return hints;
}

/** A route as `ln_pay` reports it. */
export interface RouteSummary {
  /** Node ids (hex) each hop reaches, the payee last. */
  readonly hops: {
    readonly nodeId: string;
    readonly channel: string;
    readonly amountMres: bigint;
  }[];
  readonly feeMres: bigint;
}

/** The summary of `route`. */
export function routeSummary(route: Route): RouteSummary {
  return {
    hops: route.hops.map((h) => ({
      nodeId: toHex(h.nodeId),
      channel: h.shortChannelId.toString(16).padStart(16, "0"),
      amountMres: h.amountMres,
    })),
    feeMres: route.feeMres,
  };
}

/**
 * Pathfinding (PROTOCOL.md §9.9): the cheapest route from payer to payee for an amount, found
 * as LND and Core Lightning do, by Dijkstra from the payee backwards, because what a hop must
 * receive depends on everything after it.
 *
 * Per forwarding hop u with outgoing channel u→v and u's policy for that direction:
 *
 * ```
 * fee(u→v)        = fee_base_mres + ⌊amount_v × fee_ppm / 10^6⌋        (BOLT 7)
 * amount_u        = amount_v + fee(u→v)           (amount_v: HTLC amount on channel u→v)
 * expiry_u        = expiry_v + time_lock_delta_secs(u→v)
 * cost_u          = cost_v + fee(u→v) + ⌊amount_u × delta(u→v) × risk_ppm_per_year
 *                                        / (10^6 × 31,536,000)⌋
 * ```
 *
 * The last term prices the time the payer's money is locked in u's incoming HTLC, as an annual
 * rate (Core Lightning's `riskfactor` has the same shape; the default here, 100,000 ppm = 10 % a
 * year, is rnt's choice): 1 RNT (10^11 mres) locked a day longer costs 27,397,260 mres
 * (0.00027 RNT). The payee's HTLC carries `amount` and expires at `now + final_delta`; the payer
 * charges itself no fee on its own channel. An edge is usable when
 * neither end nor the direction is excluded, the direction is not disabled, `htlc_minimum ≤
 * amount ≤ htlc_maximum` of its policy, the amount fits the capacity when known, the route stays
 * within `maxHops` (≤ 20, the onion's limit) and `expiry_first − now ≤ maxTotalDelaySecs`
 * (default two weeks, BOLT's 2016 blocks); the payer's own first channel must also fit its
 * spendable balance when the node gives it. All amounts are bigint mres: exact.
 *
 * One label per node, as LND and Core Lightning keep: the route is the cheapest when only fees
 * count (a cheaper label then also carries a smaller amount; checked against every simple path in
 * the tests), but with the risk term, HTLC minima, or a binding hop or delay limit a costlier
 * feasible route can be shadowed by the cheapest label of a node (the problems clients solve are
 * NP-complete in general: "An Exposition of Pathfinding Strategies Within Lightning Network
 * Clients", arXiv:2410.13784).
 *
 * @module
 */
import { MAX_HOPS } from "./sphinx.ts";
import type { RouteHintHop } from "./invoice.ts";
import type { ChannelGraph } from "./graph.ts";
import { nodeKey } from "./graph.ts";
import { shortChannelIdFromHintBytes } from "./gossip_channel_id.ts";

/** Default longest total time lock: two weeks. */
export const DEFAULT_MAX_TOTAL_DELAY_SECS = 14 * 24 * 3600;
/** Default risk price: 10 % a year of the locked amount, in parts per million. */
export const DEFAULT_RISK_PPM_PER_YEAR = 100_000n;
/** Seconds in the 365-day year of the risk term. */
export const SECS_PER_YEAR = 31_536_000n;

/** What to route. */
export interface RouteRequest {
  /** The payer's node id (32 bytes). */
  source: Uint8Array;
  /** The payee's node id (32 bytes). */
  target: Uint8Array;
  /** What the payee must receive, mres (> 0). */
  amountMres: bigint;
  /** The chain's median-time-past now, seconds (expiries are absolute). */
  nowSecs: number;
  /** The payee's minimum final delta (invoice `c`), seconds. */
  finalDeltaSecs: number;
  /** Longest `expiry_first − now` (default two weeks). */
  maxTotalDelaySecs?: number;
  /** Most channels in the route (default and most: 20). */
  maxHops?: number;
  /** Largest total fee the payer accepts, mres (default: no limit). */
  maxFeeMres?: bigint;
  /** Price of locking funds, ppm of the amount per year (default 100,000). */
  riskPpmPerYear?: bigint;
  /** Private routes from the invoice (each ends at the payee). */
  routeHints?: readonly (readonly RouteHintHop[])[];
  /** Hex node ids to avoid (never the payer or the payee). */
  excludedNodes?: ReadonlySet<string>;
  /** Channel directions to avoid, as {@linkcode directionKey}. */
  excludedDirections?: ReadonlySet<string>;
  /**
   * What the payer can send now on each of its own channels, mres (its spendable balance, which
   * gossip does not tell). When given, a first channel not in the map is not used.
   */
  firstHopLimitsMres?: ReadonlyMap<bigint, bigint>;
}

/** One channel of a route. */
export interface RouteHop {
  /** The node this channel reaches (the hop that reads this hop's onion payload). */
  nodeId: Uint8Array;
  /** The channel. */
  shortChannelId: bigint;
  /** 0 when it is crossed from node_id_1 to node_id_2, else 1. */
  direction: 0 | 1;
  /** The HTLC's amount on this channel, mres. */
  amountMres: bigint;
  /** The HTLC's absolute expiry on this channel, seconds of median-time-past. */
  expirySecs: number;
}

/** A route and its totals. */
export interface Route {
  /** Channels from the payer's to the payee's. */
  hops: RouteHop[];
  /** What the payee receives. */
  amountMres: bigint;
  /** What the payer sends (the first HTLC's amount). */
  totalAmountMres: bigint;
  /** Fees paid to the forwarding hops. */
  feeMres: bigint;
  /** First HTLC's expiry minus now. */
  totalDelaySecs: number;
}

/** Why no route was found. */
export class RouteError extends Error {
  /** Stable machine-readable code. */
  readonly code = "route-error";
  /** `unknown-payer`, `unknown-payee` or `no-route`. */
  readonly reason: "unknown-payer" | "unknown-payee" | "no-route";
  constructor(reason: RouteError["reason"], message: string) {
    super(message);
    this.name = "RouteError";
    this.reason = reason;
  }
}

/** Key of one direction of a channel in exclusion sets: `scid/direction`. */
export function directionKey(shortChannelId: bigint, direction: 0 | 1): string {
  return `${shortChannelId}/${direction}`;
}

/** The forwarding fee of a policy for `amountMres` (BOLT 7, rounded down). */
export function forwardingFee(
  policy: { feeBaseMres: number; feeProportionalMillionths: number },
  amountMres: bigint,
): bigint {
  return BigInt(policy.feeBaseMres) +
    amountMres * BigInt(policy.feeProportionalMillionths) / 1_000_000n;
}

/** A channel of an invoice's route hint, seen from the node it reaches. */
interface HintEdge {
  /** Hex of the node the edge leaves (the forwarding node). */
  from: string;
  shortChannelId: bigint;
  direction: 0 | 1;
  policy: EdgePolicy;
  /** The node the edge reaches. */
  toId: Uint8Array;
}

interface EdgePolicy {
  disabled: boolean;
  timeLockDeltaSecs: number;
  htlcMinimumMres: bigint;
  htlcMaximumMres: bigint | undefined;
  feeBaseMres: number;
  feeProportionalMillionths: number;
}

interface Label {
  cost: bigint;
  amount: bigint;
  expiry: number;
  hops: number;
  /** The channel out of this node towards the payee, and the node it reaches. */
  next: { shortChannelId: bigint; direction: 0 | 1; to: string; toId: Uint8Array } | undefined;
  settled: boolean;
}

/**
 * Finds the cheapest route (cost in the module doc) or throws {@linkcode RouteError}.
 *
 * @example
 * ```ts
 * import { ChannelGraph } from "./graph.ts";
 * import { findRoute } from "./route_find.ts";
 * const [a, b, c] = [1, 2, 3].map((n) => new Uint8Array(32).fill(n));
 * const policy = {
 *   timestamp: 1, disabled: false, timeLockDeltaSecs: 3600, htlcMinimumMres: 1n,
 *   htlcMaximumMres: 10n ** 12n, feeBaseMres: 1000, feeProportionalMillionths: 100,
 * };
 * const graph = new ChannelGraph();
 * graph.addPrivateChannel({ shortChannelId: 1n, nodeIdA: a!, nodeIdB: b! }, 0);
 * graph.addPrivateChannel({ shortChannelId: 2n, nodeIdA: b!, nodeIdB: c!, policyAToB: policy }, 0);
 * const route = findRoute(graph, {
 *   source: a!, target: c!, amountMres: 1_000_000n, nowSecs: 1000, finalDeltaSecs: 600,
 * });
 * console.log(route.feeMres, route.hops.map((h) => h.expirySecs)); // 1100n [ 5200, 1600 ]
 * ```
 */
export function findRoute(graph: ChannelGraph, request: RouteRequest): Route {
  const source = nodeKey(request.source);
  const target = nodeKey(request.target);
  if (request.amountMres <= 0n) throw new RangeError("amountMres must be positive");
  if (source === target) throw new RangeError("payer and payee must differ");
  checkSecs(request.nowSecs, "nowSecs");
  checkSecs(request.finalDeltaSecs, "finalDeltaSecs");
  const maxHops = request.maxHops ?? MAX_HOPS;
  if (!Number.isInteger(maxHops) || maxHops < 1 || maxHops > MAX_HOPS) {
    throw new RangeError(`maxHops must be 1..${MAX_HOPS}, got ${maxHops}`);
  }
  const maxDelay = request.maxTotalDelaySecs ?? DEFAULT_MAX_TOTAL_DELAY_SECS;
  const riskPpm = request.riskPpmPerYear ?? DEFAULT_RISK_PPM_PER_YEAR;
  const riskDivisor = 1_000_000n * SECS_PER_YEAR;
  const excludedNodes = request.excludedNodes ?? EMPTY;
  const excludedDirections = request.excludedDirections ?? EMPTY;
  const hintEdges = edgesOfHints(request.routeHints ?? [], target, request.target);

  const hintSources = new Set([...hintEdges.values()].flat().map((e) => e.from));
  if (graph.channelsOf(source).size === 0 && !hintSources.has(source)) {
    throw new RouteError("unknown-payer", `payer ${source} has no channel in the graph`);
  }
  if (graph.channelsOf(target).size === 0 && !hintEdges.has(target)) {
    throw new RouteError(
      "unknown-payee",
      `payee ${target} has no channel in the graph and the invoice has no route hint`,
    );
  }

  const labels = new Map<string, Label>();
  const heap = new MinHeap();
  const finalExpiry = request.nowSecs + request.finalDeltaSecs;
  labels.set(target, {
    cost: 0n,
    amount: request.amountMres,
    expiry: finalExpiry,
    hops: 0,
    next: undefined,
    settled: false,
  });
  heap.push(0n, 0, target);

  const checkDirections = excludedDirections.size > 0;
  const firstHopLimits = request.firstHopLimitsMres;
  const checkNodes = excludedNodes.size > 0;
  /** Offers u the route through channel u→v (v settled with label lv). */
  const relax = (
    u: string,
    shortChannelId: bigint,
    direction: 0 | 1,
    capacityMres: bigint | undefined,
    policy: EdgePolicy | undefined,
    v: string,
    vId: Uint8Array,
    lv: Label,
  ): void => {
    const lu = labels.get(u);
    if (lu?.settled) return;
    if (checkNodes && u !== source && excludedNodes.has(u)) return;
    if (checkDirections && excludedDirections.has(directionKey(shortChannelId, direction))) return;
    const amount = lv.amount;
    if (capacityMres !== undefined && amount > capacityMres) return;
    if (policy) {
      if (policy.disabled) return;
      if (amount < policy.htlcMinimumMres) return;
      if (policy.htlcMaximumMres !== undefined && amount > policy.htlcMaximumMres) return;
    }
    let cost: bigint;
    let amountU: bigint;
    let expiry: number;
    if (u === source) {
      // The payer charges itself nothing on its own channel.
      if (lv.hops + 1 > maxHops) return;
      if (firstHopLimits) {
        const limit = firstHopLimits.get(shortChannelId);
        if (limit === undefined || amount > limit) return;
      }
      cost = lv.cost;
      amountU = amount;
      expiry = lv.expiry;
    } else {
      if (!policy) return;
      if (lv.hops + 2 > maxHops) return;
      const fee = forwardingFee(policy, amount);
      amountU = amount + fee;
      expiry = lv.expiry + policy.timeLockDeltaSecs;
      cost = lv.cost + fee +
        amountU * BigInt(policy.timeLockDeltaSecs) * riskPpm / riskDivisor;
    }
    if (expiry - request.nowSecs > maxDelay) return;
    if (request.maxFeeMres !== undefined && amountU - request.amountMres > request.maxFeeMres) {
      return;
    }
    const hops = lv.hops + 1;
    if (lu && (lu.cost < cost || (lu.cost === cost && lu.hops <= hops))) return;
    labels.set(u, {
      cost,
      amount: amountU,
      expiry,
      hops,
      next: { shortChannelId, direction, to: v, toId: vId },
      settled: false,
    });
    heap.push(cost, hops, u);
  };

  while (heap.size > 0) {
    const { node: v } = heap.pop();
    const lv = labels.get(v)!;
    if (lv.settled) continue;
    lv.settled = true;
    if (v === source) return buildRoute(labels, source, request, finalExpiry);
    for (const channel of graph.channelsOf(v)) {
      // Into node 2 means forwarding from node 1: direction 0, node 1's update.
      if (v === channel.node2) {
        relax(
          channel.node1,
          channel.shortChannelId,
          0,
          channel.capacityMres,
          channel.updates[0],
          v,
          channel.nodeId2,
          lv,
        );
      } else {
        relax(
          channel.node2,
          channel.shortChannelId,
          1,
          channel.capacityMres,
          channel.updates[1],
          v,
          channel.nodeId1,
          lv,
        );
      }
    }
    const hinted = hintEdges.get(v);
    if (hinted) {
      for (const e of hinted) {
        relax(e.from, e.shortChannelId, e.direction, undefined, e.policy, v, e.toId, lv);
      }
    }
  }
  throw new RouteError(
    "no-route",
    `no route from ${source} to ${target} for ${request.amountMres} mres within the limits`,
  );
}

/** Incoming edges of the hinted private channels, keyed by the node they reach. */
function edgesOfHints(
  hints: readonly (readonly RouteHintHop[])[],
  target: string,
  targetId: Uint8Array,
): Map<string, HintEdge[]> {
  const out = new Map<string, HintEdge[]>();
  for (const hint of hints) {
    hint.forEach((hop, i) => {
      const toId = hint[i + 1]?.nodeId ?? targetId;
      const to = toId === targetId ? target : nodeKey(toId);
      const from = nodeKey(hop.nodeId);
      if (from === to) return;
      let list = out.get(to);
      if (!list) out.set(to, list = []);
      list.push({
        from,
        shortChannelId: shortChannelIdFromHintBytes(hop.channelId),
        direction: from < to ? 0 : 1,
        toId,
        policy: {
          disabled: false,
          timeLockDeltaSecs: hop.deltaSecs,
          htlcMinimumMres: 0n,
          htlcMaximumMres: undefined,
          feeBaseMres: hop.feeBaseMilliResonances,
          feeProportionalMillionths: hop.feeProportionalMillionths,
        },
      });
    });
  }
  return out;
}

function buildRoute(
  labels: Map<string, Label>,
  source: string,
  request: RouteRequest,
  finalExpiry: number,
): Route {
  const hops: RouteHop[] = [];
  let at = labels.get(source)!;
  while (at.next) {
    const { shortChannelId, direction, to, toId } = at.next;
    const reached = labels.get(to)!;
    hops.push({
      nodeId: toId,
      shortChannelId,
      direction,
      amountMres: reached.amount,
      expirySecs: reached.expiry,
    });
    at = reached;
  }
  const first = hops[0]!;
  const last = hops[hops.length - 1]!;
  if (last.amountMres !== request.amountMres || last.expirySecs !== finalExpiry) {
    throw new Error("route does not end with the payee's HTLC");
  }
  return {
    hops,
    amountMres: request.amountMres,
    totalAmountMres: first.amountMres,
    feeMres: first.amountMres - request.amountMres,
    totalDelaySecs: first.expirySecs - request.nowSecs,
  };
}

function checkSecs(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** A heap entry: the exact cost, its nearest double (to compare fast), hops and order. */
interface HeapItem {
  cost: bigint;
  key: number;
  hops: number;
  seq: number;
  node: string;
}

/**
 * A binary min-heap of (cost, hops, node) with insertion order breaking ties. Costs are compared
 * through their nearest doubles first: `Number()` of a bigint is monotone, so unequal doubles
 * order their bigints the same way, and only equal doubles need the exact comparison.
 */
class MinHeap {
  #items: HeapItem[] = [];
  #seq = 0;

  get size(): number {
    return this.#items.length;
  }

  push(cost: bigint, hops: number, node: string): void {
    const items = this.#items;
    const item: HeapItem = { cost, key: Number(cost), hops, seq: this.#seq++, node };
    let i = items.length;
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent]!;
      if (!less(item, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = item;
  }

  pop(): { cost: bigint; node: string } {
    const items = this.#items;
    const top = items[0]!;
    const last = items.pop()!;
    const n = items.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const child = r < n && less(items[r]!, items[l]!) ? r : l;
        if (!less(items[child]!, last)) break;
        items[i] = items[child]!;
        i = child;
      }
      items[i] = last;
    }
    return top;
  }
}

function less(a: HeapItem, b: HeapItem): boolean {
  if (a.key !== b.key) return a.key < b.key;
  if (a.cost !== b.cost) return a.cost < b.cost;
  if (a.hops !== b.hops) return a.hops < b.hops;
  return a.seq < b.seq;
}

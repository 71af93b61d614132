/**
 * The payment-attempt loop, as pure decisions (PROTOCOL.md §9.9): the node sends a route, then
 * hands the outcome here and gets the next route or a reason to stop. What a failure excludes
 * follows BOLT 4 "Receiving Failure Codes", with the erring node = the hop the error onion was
 * attributed to (error_onion.ts):
 *
 * | failure (from an intermediate hop)                        | next attempt                      |
 * | --------------------------------------------------------- | --------------------------------- |
 * | BADONION (the next node could not read its onion)         | exclude the next node (the        |
 * |                                                           | channel if it is the payee)       |
 * | NODE flag (temporary/permanent node failure, …)           | exclude the erring node           |
 * | `unknown_next_peer`                                       | the same                          |
 * | UPDATE flag with an enclosed update the graph accepts,    | apply it, retry (nothing excluded)|
 * | for fee/amount/expiry codes                               |                                   |
 * | `temporary_channel_failure`, `channel_disabled`, UPDATE   | apply any update, exclude the     |
 * | codes whose update is refused or absent, other transient  | outgoing channel's direction      |
 * | other PERM (permanent channel failure, …)                 | exclude both directions           |
 * | a failure from the payee                                  | give up                           |
 * | `malformed` (the erring hop's message did not parse)      | exclude that hop's node (give up  |
 * |                                                           | if it is the payee)               |
 * | `unattributable`                                          | exclude every intermediate node   |
 *
 * A decision that excludes nothing new and changes no policy gives up (no loop), as does
 * reaching `maxAttempts`. Applying an enclosed update goes through the graph's gossip rules
 * (signature, newer timestamp), so a hop cannot forge another's policy.
 *
 * @module
 */
import type { ChannelGraph, GossipContext } from "./graph.ts";
import { nodeKey } from "./graph.ts";
import { type ErrorAttribution, FailureFlag } from "./error_onion.ts";
import { channelUpdateOfFailure, FailureCode } from "./route_failure.ts";
import {
  directionKey,
  findRoute,
  type Route,
  RouteError,
  type RouteRequest,
} from "./route_find.ts";

/** Default most routes tried for one payment. */
export const DEFAULT_MAX_PAYMENT_ATTEMPTS = 16;

/** What the payment has learned so far. */
export interface PaymentState {
  /** Routes tried so far. */
  readonly attempts: number;
  /** Hex node ids excluded. */
  readonly excludedNodes: ReadonlySet<string>;
  /** Channel directions excluded ({@linkcode directionKey}). */
  readonly excludedDirections: ReadonlySet<string>;
}

/** The outcome of sending a route. */
export type SendResult =
  | { kind: "success" }
  | { kind: "failure"; attribution: ErrorAttribution };

/** What to do next. */
export type PaymentDecision =
  | { kind: "send"; route: Route; state: PaymentState }
  | { kind: "done"; state: PaymentState }
  | { kind: "give-up"; reason: string; state: PaymentState };

/** Options of the loop. */
export interface PaymentOptions {
  /** Most routes to try (default 16). */
  maxAttempts?: number;
  /** For applying the channel updates enclosed in failures. */
  gossip: GossipContext;
}

/**
 * The first route of a payment.
 *
 * @example
 * ```ts
 * import { ChannelGraph } from "./graph.ts";
 * import { startPayment } from "./route_attempt.ts";
 * const decision = startPayment(new ChannelGraph(), {
 *   source: new Uint8Array(32).fill(1), target: new Uint8Array(32).fill(2),
 *   amountMres: 1000n, nowSecs: 0, finalDeltaSecs: 600,
 * });
 * console.log(decision.kind); // give-up
 * ```
 */
export function startPayment(graph: ChannelGraph, request: RouteRequest): PaymentDecision {
  const state: PaymentState = {
    attempts: 0,
    excludedNodes: new Set(request.excludedNodes ?? []),
    excludedDirections: new Set(request.excludedDirections ?? []),
  };
  return routeOrGiveUp(graph, request, state);
}

/**
 * The decision after sending `route`: done on success; otherwise the table in the module doc,
 * then the next route (or why not).
 */
export function nextPaymentStep(
  graph: ChannelGraph,
  request: RouteRequest,
  state: PaymentState,
  route: Route,
  result: SendResult,
  options: PaymentOptions,
): PaymentDecision {
  if (result.kind === "success") return { kind: "done", state };
  const nodes = new Set(state.excludedNodes);
  const directions = new Set(state.excludedDirections);
  const before = nodes.size + directions.size;
  const next: PaymentState = {
    attempts: state.attempts,
    excludedNodes: nodes,
    excludedDirections: directions,
  };
  const last = route.hops.length - 1;
  const payee = nodeKey(route.hops[last]!.nodeId);
  const excludeNode = (hopIndex: number): string | undefined => {
    const node = nodeKey(route.hops[hopIndex]!.nodeId);
    if (node === payee) return "the payee failed or could not be reached";
    nodes.add(node);
    return undefined;
  };
  const attribution = result.attribution;
  let updated = false;
  let stop: string | undefined;
  if (attribution.kind === "unattributable") {
    for (let i = 0; i < last; i++) excludeNode(i);
  } else if (attribution.kind === "malformed") {
    stop = excludeNode(attribution.hopIndex);
  } else if (attribution.hopIndex >= last) {
    stop = `the payee refused the payment (failure code 0x${
      attribution.failure.code.toString(16)
    })`;
  } else {
    const i = attribution.hopIndex;
    const code = attribution.failure.code;
    const outgoing = route.hops[i + 1]!;
    const outgoingKey = directionKey(outgoing.shortChannelId, outgoing.direction);
    if (code & FailureFlag.BADONION || code === FailureCode.UNKNOWN_NEXT_PEER) {
      // The next node could not be reached or could not read its onion. When it is the payee,
      // only this way to it is given up.
      if (i + 1 === last) {
        directions.add(directionKey(outgoing.shortChannelId, 0));
        directions.add(directionKey(outgoing.shortChannelId, 1));
      } else excludeNode(i + 1);
    } else if (code & FailureFlag.NODE) {
      excludeNode(i);
    } else if (code & FailureFlag.UPDATE) {
      updated = applyEnclosedUpdate(graph, attribution.failure, options.gossip);
      const policyCodes: number[] = [
        FailureCode.AMOUNT_BELOW_MINIMUM,
        FailureCode.FEE_INSUFFICIENT,
        FailureCode.INCORRECT_CLTV_EXPIRY,
        FailureCode.EXPIRY_TOO_SOON,
      ];
      if (!updated || !policyCodes.includes(code)) directions.add(outgoingKey);
    } else if (code & FailureFlag.PERM) {
      directions.add(directionKey(outgoing.shortChannelId, 0));
      directions.add(directionKey(outgoing.shortChannelId, 1));
    } else {
      directions.add(outgoingKey);
    }
  }
  if (stop) return { kind: "give-up", reason: stop, state: next };
  if (!updated && nodes.size + directions.size === before) {
    return { kind: "give-up", reason: "the failure excludes nothing new", state: next };
  }
  if (next.attempts >= (options.maxAttempts ?? DEFAULT_MAX_PAYMENT_ATTEMPTS)) {
    return { kind: "give-up", reason: `tried ${next.attempts} routes`, state: next };
  }
  return routeOrGiveUp(graph, request, next);
}

function applyEnclosedUpdate(
  graph: ChannelGraph,
  failure: Parameters<typeof channelUpdateOfFailure>[0],
  gossip: GossipContext,
): boolean {
  const update = channelUpdateOfFailure(failure);
  if (!update) return false;
  try {
    graph.applyChannelUpdate(update, gossip);
    return true;
  } catch {
    return false;
  }
}

function routeOrGiveUp(
  graph: ChannelGraph,
  request: RouteRequest,
  state: PaymentState,
): PaymentDecision {
  try {
    const route = findRoute(graph, {
      ...request,
      excludedNodes: state.excludedNodes,
      excludedDirections: state.excludedDirections,
    });
    return { kind: "send", route, state: { ...state, attempts: state.attempts + 1 } };
  } catch (e) {
    if (e instanceof RouteError) return { kind: "give-up", reason: e.message, state };
    throw e;
  }
}

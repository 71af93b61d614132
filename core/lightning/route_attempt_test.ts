import assert from "node:assert/strict";
import {
  announce,
  NOW,
  type PolicyOverrides,
  TestChain,
  type TestNode,
  testNode,
  update,
} from "./_gossip_testing.ts";
import {
  attributeError,
  createErrorPacket,
  type FailureMessage,
  wrapErrorPacket,
} from "./error_onion.ts";
import { ChannelGraph, nodeKey } from "./graph.ts";
import { mulberry32 } from "../util/mulberry32.ts";
import {
  nextPaymentStep,
  type PaymentDecision,
  type SendResult,
  startPayment,
} from "./route_attempt.ts";
import { channelUpdateOfFailure, FailureCode, failureWithUpdate } from "./route_failure.ts";
import { directionKey, type Route, type RouteRequest } from "./route_find.ts";
import { routeHopPayloads, routeOnionHops } from "./route_payload.ts";
import { checkForward } from "./route_forward.ts";
import { buildOnion } from "./sphinx.ts";

const [S, A, B, C, T] = [1, 2, 3, 4, 5].map(testNode) as TestNode[] as [
  TestNode,
  TestNode,
  TestNode,
  TestNode,
  TestNode,
];
const PAYMENT_HASH = new Uint8Array(32).fill(0x11);
const SECRET = new Uint8Array(32).fill(0x22);

/**
 * A signed graph: S–A–T (A dear), S–B–T (B cheapest), B–C–T (middle). Every channel is
 * announced with funding on the test chain and both directions carry a signed update.
 */
function network(): { graph: ChannelGraph; chain: TestChain } {
  const chain = new TestChain();
  const graph = new ChannelGraph();
  const channels: [TestNode, TestNode, bigint, PolicyOverrides][] = [
    [S, A, 1n, {}],
    [A, T, 2n, { feeBaseMres: 50_000 }],
    [S, B, 3n, {}],
    [B, T, 4n, { feeBaseMres: 100 }],
    [B, C, 5n, { feeBaseMres: 100 }],
    [C, T, 6n, { feeBaseMres: 100 }],
  ];
  for (const [x, y, id, forward] of channels) {
    const ann = announce(x, y, id);
    chain.fund(ann, 10_000_000n);
    graph.applyChannelAnnouncement(ann, chain.context());
    graph.applyChannelUpdate(update(x, y, id, forward), chain.context());
    graph.applyChannelUpdate(update(y, x, id), chain.context());
  }
  return { graph, chain };
}

const REQUEST: RouteRequest = {
  source: S.id,
  target: T.id,
  amountMres: 5_000_000n,
  nowSecs: NOW,
  finalDeltaSecs: 10_800,
};

/** What the origin sees when hop `hopIndex` of `route` fails with `failure`: a real error onion. */
function failAt(route: Route, hopIndex: number, failure: FailureMessage): SendResult {
  const { sharedSecrets } = buildOnion(
    new Uint8Array(32).fill(9),
    routeOnionHops(route, SECRET),
    PAYMENT_HASH,
  );
  let packet = createErrorPacket(sharedSecrets[hopIndex]!, failure);
  for (let i = hopIndex - 1; i >= 0; i--) packet = wrapErrorPacket(packet, sharedSecrets[i]!);
  return { kind: "failure", attribution: attributeError(sharedSecrets, packet) };
}

const nodesOf = (d: PaymentDecision) =>
  d.kind === "send" ? d.route.hops.map((h) => h.nodeId) : d.kind;
const NO_DATA = new Uint8Array();

Deno.test("the payment loop routes around a failed channel, then a failed node, then gives up", () => {
  const { graph, chain } = network();
  const options = { gossip: chain.context() };
  const first = startPayment(graph, REQUEST);
  assert.deepEqual(nodesOf(first), [B.id, T.id]);
  assert.equal(first.kind === "send" && first.state.attempts, 1);
  if (first.kind !== "send") return;

  // B cannot forward over B→T for now: that direction is excluded, B→C→T is next.
  const second = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, { code: FailureCode.TEMPORARY_CHANNEL_FAILURE, data: NO_DATA }),
    options,
  );
  assert.deepEqual(nodesOf(second), [B.id, C.id, T.id]);
  if (second.kind !== "send") return;

  // B does not know C: C is excluded, only A's dear path is left.
  const third = nextPaymentStep(
    graph,
    REQUEST,
    second.state,
    second.route,
    failAt(second.route, 0, { code: FailureCode.UNKNOWN_NEXT_PEER, data: NO_DATA }),
    options,
  );
  assert.deepEqual(nodesOf(third), [A.id, T.id]);
  if (third.kind !== "send") return;
  assert.ok(third.state.excludedNodes.has(C.key));

  // A fails as a node: nothing is left.
  const fourth = nextPaymentStep(
    graph,
    REQUEST,
    third.state,
    third.route,
    failAt(third.route, 0, { code: FailureCode.PERMANENT_NODE_FAILURE, data: NO_DATA }),
    options,
  );
  assert.equal(fourth.kind, "give-up");
  assert.match(fourth.kind === "give-up" ? fourth.reason : "", /no route/);
  assert.equal(fourth.state.attempts, 3);
});

Deno.test("fee_insufficient with a newer signed update is applied and the route repriced", () => {
  const { graph, chain } = network();
  const options = { gossip: chain.context() };
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  assert.equal(first.route.feeMres, 100n + 5_000_000n * 1000n / 1_000_000n);
  const raised = update(B, T, 4n, { timestamp: NOW - 10, feeBaseMres: 3_000 });
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, first.route.hops[1]!.amountMres);
  const failure = failureWithUpdate(FailureCode.FEE_INSUFFICIENT, raised, prefix);
  assert.deepEqual(channelUpdateOfFailure(failure), raised);
  const second = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, failure),
    options,
  );
  // Still via B at its new fee: 3,000 + 5,000 = 8,000, below B→C→T's 5,100 + 5,105 and A's 55,000.
  assert.deepEqual(nodesOf(second), [B.id, T.id]);
  if (second.kind !== "send") return;
  assert.equal(second.route.feeMres, 8_000n);
  assert.equal(second.state.excludedDirections.size, 0);
  assert.equal(graph.channel(4n)!.updates[raised.direction]!.feeBaseMres, 3_000);

  // The same update again is not newer: the direction is excluded instead.
  const third = nextPaymentStep(
    graph,
    REQUEST,
    second.state,
    second.route,
    failAt(second.route, 0, failure),
    options,
  );
  assert.deepEqual(nodesOf(third), [B.id, C.id, T.id]);
});

Deno.test("an enclosed update signed by the wrong node is not applied", () => {
  const { graph, chain } = network();
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  const forged = { ...update(B, T, 4n, { timestamp: NOW - 10, feeBaseMres: 0 }) };
  forged.signature = update(C, T, 4n, { timestamp: NOW - 10, feeBaseMres: 0 }).signature;
  const failure = failureWithUpdate(FailureCode.AMOUNT_BELOW_MINIMUM, forged, new Uint8Array(8));
  const next = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, failure),
    {
      gossip: chain.context(),
    },
  );
  assert.deepEqual(nodesOf(next), [B.id, C.id, T.id]);
  assert.equal(graph.channel(4n)!.updates[forged.direction]!.feeBaseMres, 100);
});

Deno.test("a failure from the payee, success, and a repeated exclusion end the payment", () => {
  const { graph, chain } = network();
  const options = { gossip: chain.context() };
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  const fromPayee = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 1, {
      code: FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS,
      data: NO_DATA,
    }),
    options,
  );
  assert.equal(fromPayee.kind, "give-up");
  assert.match(fromPayee.kind === "give-up" ? fromPayee.reason : "", /payee refused/);
  assert.equal(
    nextPaymentStep(graph, REQUEST, first.state, first.route, { kind: "success" }, options).kind,
    "done",
  );
  const again = nextPaymentStep(
    graph,
    REQUEST,
    { ...first.state, excludedNodes: new Set([A.key]) },
    first.route,
    failAt(first.route, 0, { code: FailureCode.TEMPORARY_NODE_FAILURE, data: NO_DATA }),
    options,
  );
  // B is excluded now, and A was already: no route.
  assert.equal(again.kind, "give-up");
  const capped = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, { code: FailureCode.TEMPORARY_CHANNEL_FAILURE, data: NO_DATA }),
    { ...options, maxAttempts: 1 },
  );
  assert.equal(capped.kind, "give-up");
  assert.match(capped.kind === "give-up" ? capped.reason : "", /tried 1 routes/);
});

Deno.test("an unattributable error excludes the route's intermediate nodes", () => {
  const { graph, chain } = network();
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  const next = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    { kind: "failure", attribution: { kind: "unattributable" } },
    { gossip: chain.context() },
  );
  assert.deepEqual(nodesOf(next), [A.id, T.id]);
  assert.ok(next.state.excludedNodes.has(B.key));
});

Deno.test("a bad onion reported for the payee's channel excludes the channel, not the payee", () => {
  const { graph, chain } = network();
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  const next = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, { code: FailureCode.INVALID_ONION_HMAC, data: new Uint8Array(32) }),
    { gossip: chain.context() },
  );
  assert.deepEqual(nodesOf(next), [B.id, C.id, T.id]);
  assert.equal(next.state.excludedNodes.size, 0);
  assert.ok(next.state.excludedDirections.has("4/0") && next.state.excludedDirections.has("4/1"));
});

Deno.test("a hop's own checkForward failure drives the retry until the route satisfies it", () => {
  const { graph, chain } = network();
  const raised = update(B, T, 4n, { timestamp: NOW - 10, feeBaseMres: 3_000 });
  // B checks what the payer's onion asks of it against its new policy.
  const atB = (route: Route) =>
    checkForward({
      incomingAmountMres: route.hops[0]!.amountMres,
      incomingExpirySecs: route.hops[0]!.expirySecs,
      payload: routeHopPayloads(route, SECRET)[0]!,
      outgoingUpdate: raised,
      nowSecs: NOW,
    });
  const first = startPayment(graph, REQUEST);
  if (first.kind !== "send") throw new Error("no first route");
  const failure = atB(first.route)!;
  assert.equal(failure.code, FailureCode.FEE_INSUFFICIENT);
  const second = nextPaymentStep(
    graph,
    REQUEST,
    first.state,
    first.route,
    failAt(first.route, 0, failure),
    {
      gossip: chain.context(),
    },
  );
  if (second.kind !== "send") throw new Error("no second route");
  assert.deepEqual(nodesOf(second), [B.id, T.id]);
  assert.equal(atB(second.route), undefined);
});

Deno.test("random failures on a random graph: every retry avoids what was excluded, and it ends", () => {
  const rnd = mulberry32(404);
  const ids = Array.from({ length: 120 }, () => {
    const id = new Uint8Array(32);
    for (let i = 0; i < 32; i++) id[i] = Math.floor(rnd() * 256);
    return id;
  });
  const graph = new ChannelGraph();
  const policy = () => ({
    timestamp: 1,
    disabled: false,
    timeLockDeltaSecs: 600 + Math.floor(rnd() * 3000),
    htlcMinimumMres: 0n,
    htlcMaximumMres: 10n ** 12n,
    feeBaseMres: Math.floor(rnd() * 2000),
    feeProportionalMillionths: Math.floor(rnd() * 2000),
  });
  for (let i = 0; i < ids.length; i++) {
    for (let k = 0; k < 3; k++) {
      const j = (i + 1 + Math.floor(rnd() * (ids.length - 1))) % ids.length;
      graph.addPrivateChannel({
        shortChannelId: BigInt(i * 3 + k + 1),
        nodeIdA: ids[i]!,
        nodeIdB: ids[j]!,
        policyAToB: policy(),
        policyBToA: policy(),
      }, 0);
    }
  }
  const codes = [
    FailureCode.TEMPORARY_CHANNEL_FAILURE,
    FailureCode.UNKNOWN_NEXT_PEER,
    FailureCode.TEMPORARY_NODE_FAILURE,
    FailureCode.PERMANENT_CHANNEL_FAILURE,
    FailureCode.FEE_INSUFFICIENT, // no update enclosed: the direction is excluded
    FailureCode.INVALID_ONION_HMAC,
  ];
  const options = { gossip: { magic: new Uint8Array(4), nowSecs: NOW }, maxAttempts: 12 };
  let sent = 0;
  for (let payment = 0; payment < 15; payment++) {
    const request: RouteRequest = {
      source: ids[Math.floor(rnd() * 60)]!,
      target: ids[60 + Math.floor(rnd() * 60)]!,
      amountMres: 1_000_000n,
      nowSecs: NOW,
      finalDeltaSecs: 3600,
    };
    let decision = startPayment(graph, request);
    let steps = 0;
    while (decision.kind === "send") {
      const { route, state } = decision;
      sent++;
      // The route uses nothing the state excludes.
      route.hops.forEach((hop, i) => {
        if (i < route.hops.length - 1) assert.ok(!state.excludedNodes.has(nodeKey(hop.nodeId)));
        assert.ok(!state.excludedDirections.has(directionKey(hop.shortChannelId, hop.direction)));
      });
      assert.ok(state.attempts <= 12 && ++steps <= 12);
      const hopIndex = Math.floor(rnd() * route.hops.length);
      const failure = { code: codes[Math.floor(rnd() * codes.length)]!, data: new Uint8Array() };
      decision = nextPaymentStep(
        graph,
        request,
        state,
        route,
        { kind: "failure", attribution: { kind: "attributed", hopIndex, failure } },
        options,
      );
    }
    assert.equal(decision.kind, "give-up");
  }
  assert.ok(sent >= 30, `only ${sent} routes sent`);
});

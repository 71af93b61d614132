import assert from "node:assert/strict";
import { mulberry32 } from "../util/mulberry32.ts";
import { testNode } from "./_gossip_testing.ts";
import { ChannelGraph, type ChannelPolicyFields, nodeKey } from "./graph.ts";
import { shortChannelIdToHintBytes } from "./gossip_channel_id.ts";
import {
  directionKey,
  findRoute,
  forwardingFee,
  type Route,
  RouteError,
  type RouteRequest,
} from "./route_find.ts";

const [S, A, B, C, T] = [1, 2, 3, 4, 5].map(testNode) as [
  ReturnType<typeof testNode>,
  ReturnType<typeof testNode>,
  ReturnType<typeof testNode>,
  ReturnType<typeof testNode>,
  ReturnType<typeof testNode>,
];
const NOW = 1_800_000_000;

function policy(fields: Partial<ChannelPolicyFields> = {}): ChannelPolicyFields {
  return {
    timestamp: 1,
    disabled: false,
    timeLockDeltaSecs: 3600,
    htlcMinimumMres: 1n,
    htlcMaximumMres: 10n ** 15n,
    feeBaseMres: 1000,
    feeProportionalMillionths: 1000,
    ...fields,
  };
}

/** A channel `from`–`to` with `from`'s forwarding policy towards `to` (and back, if given). */
function link(
  graph: ChannelGraph,
  id: bigint,
  from: { id: Uint8Array },
  to: { id: Uint8Array },
  forward: Partial<ChannelPolicyFields> = {},
  extra: { capacityMres?: bigint; back?: Partial<ChannelPolicyFields> } = {},
): void {
  graph.addPrivateChannel({
    shortChannelId: id,
    nodeIdA: from.id,
    nodeIdB: to.id,
    policyAToB: policy(forward),
    ...(extra.back ? { policyBToA: policy(extra.back) } : {}),
    ...(extra.capacityMres !== undefined ? { capacityMres: extra.capacityMres } : {}),
  }, 0);
}

function request(fields: Partial<RouteRequest> = {}): RouteRequest {
  return {
    source: S.id,
    target: T.id,
    amountMres: 1_000_000n,
    nowSecs: NOW,
    finalDeltaSecs: 10_800,
    ...fields,
  };
}

const via = (route: Route) => route.hops.map((h) => nodeKey(h.nodeId));

/** S–A–T (A charges 1000 + 1000 ppm) and S–B–T (B charges 100 + 100 ppm). */
function twoPaths(bt: Partial<ChannelPolicyFields> = {}, btCapacity?: bigint): ChannelGraph {
  const graph = new ChannelGraph();
  link(graph, 1n, S, A);
  link(graph, 2n, A, T);
  link(graph, 3n, S, B);
  link(graph, 4n, B, T, { feeBaseMres: 100, feeProportionalMillionths: 100, ...bt }, {
    ...(btCapacity !== undefined ? { capacityMres: btCapacity } : {}),
  });
  return graph;
}

Deno.test("findRoute() takes the cheaper of two paths and computes its amounts by hand", () => {
  const route = findRoute(twoPaths(), request());
  assert.deepEqual(via(route), [B.key, T.key]);
  // B forwards 1,000,000: fee 100 + 1,000,000 × 100 / 10^6 = 200.
  assert.deepEqual(route.hops.map((h) => [h.shortChannelId, h.amountMres, h.expirySecs]), [
    [3n, 1_000_200n, NOW + 10_800 + 3600],
    [4n, 1_000_000n, NOW + 10_800],
  ]);
  assert.equal(route.feeMres, 200n);
  assert.equal(route.totalAmountMres, 1_000_200n);
  assert.equal(route.totalDelaySecs, 14_400);
});

Deno.test("findRoute() avoids a disabled direction, a too small htlc maximum and capacity", () => {
  assert.deepEqual(via(findRoute(twoPaths({ disabled: true }), request())), [A.key, T.key]);
  assert.deepEqual(via(findRoute(twoPaths({ htlcMaximumMres: 999_999n }), request())), [
    A.key,
    T.key,
  ]);
  assert.deepEqual(via(findRoute(twoPaths({ htlcMinimumMres: 1_000_001n }), request())), [
    A.key,
    T.key,
  ]);
  assert.deepEqual(via(findRoute(twoPaths({}, 999_999n), request())), [A.key, T.key]);
  // At exactly the limits B is still used.
  assert.deepEqual(
    via(findRoute(twoPaths({ htlcMaximumMres: 1_000_000n }, 1_000_000n), request())),
    [B.key, T.key],
  );
});

Deno.test("findRoute() uses the direction's own policy: B's policy towards S is not B's towards T", () => {
  const graph = new ChannelGraph();
  link(graph, 3n, S, B);
  // Only T → B has a policy: B cannot forward towards T.
  graph.addPrivateChannel({
    shortChannelId: 4n,
    nodeIdA: T.id,
    nodeIdB: B.id,
    policyAToB: policy(),
  }, 0);
  assert.throws(
    () => findRoute(graph, request()),
    (e) => e instanceof RouteError && e.reason === "no-route",
  );
});

Deno.test("findRoute() computes three hops' amounts and expiries backwards, rounding fees down", () => {
  const graph = new ChannelGraph();
  link(graph, 10n, S, A);
  link(graph, 11n, A, B, {
    feeBaseMres: 1000,
    feeProportionalMillionths: 2001,
    timeLockDeltaSecs: 600,
  });
  link(graph, 12n, B, T, {
    feeBaseMres: 500,
    feeProportionalMillionths: 100,
    timeLockDeltaSecs: 1200,
  });
  const route = findRoute(graph, request({ amountMres: 10_000_000n }));
  // B: 500 + 10,000,000 × 100 / 10^6 = 1,500 → B receives 10,001,500.
  // A: 1,000 + ⌊10,001,500 × 2,001 / 10^6⌋ = 1,000 + ⌊20,013.0015⌋ = 21,013 → A receives 10,022,513.
  assert.deepEqual(route.hops.map((h) => [h.shortChannelId, h.amountMres, h.expirySecs]), [
    [10n, 10_022_513n, NOW + 10_800 + 1200 + 600],
    [11n, 10_001_500n, NOW + 10_800 + 1200],
    [12n, 10_000_000n, NOW + 10_800],
  ]);
  assert.equal(route.feeMres, 22_513n);
  assert.equal(route.totalDelaySecs, 12_600);
});

Deno.test("findRoute() prices time locks: a 10-day longer lock outweighs a 200,000,000 mres fee", () => {
  const graph = new ChannelGraph();
  link(graph, 1n, S, A);
  link(graph, 2n, A, T, {
    feeBaseMres: 200_000_000,
    feeProportionalMillionths: 0,
    timeLockDeltaSecs: 3600,
  });
  link(graph, 3n, S, B);
  link(graph, 4n, B, T, {
    feeBaseMres: 0,
    feeProportionalMillionths: 0,
    timeLockDeltaSecs: 3600 + 864_000,
  });
  // 1 RNT = 10^11 mres at 10 %/year. Via B: fee 0 + ⌊10^11 × 867,600 × 10^5 / (10^6 ×
  // 31,536,000)⌋ = 275,114,155. Via A: 200,000,000 + ⌊100,200,000,000 × 3,600 × 10^5 /
  // 3.1536 × 10^13⌋ = 200,000,000 + 1,143,835 = 201,143,835.
  const amountMres = 100_000_000_000n;
  assert.deepEqual(via(findRoute(graph, request({ amountMres }))), [A.key, T.key]);
  assert.deepEqual(via(findRoute(graph, request({ amountMres, riskPpmPerYear: 0n }))), [
    B.key,
    T.key,
  ]);
});

Deno.test("findRoute() respects the hop limit (20) and the total time-lock bound", () => {
  const graph = new ChannelGraph();
  const chain = Array.from({ length: 20 }, (_, i) => testNode(10 + i));
  const path = [S, ...chain, T];
  for (let i = 0; i + 1 < path.length; i++) {
    link(graph, BigInt(100 + i), path[i]!, path[i + 1]!, { timeLockDeltaSecs: 60 });
  }
  // S → 20 intermediate nodes → T is 21 channels: one too many.
  assert.throws(() => findRoute(graph, request()), /no route/);
  const shorter = request({ target: chain[19]!.id });
  assert.equal(findRoute(graph, shorter).hops.length, 20);
  assert.throws(() => findRoute(graph, { ...shorter, maxHops: 19 }), /no route/);
  // 19 forwarding hops × 60 s + final 10,800 s = 11,940 s.
  assert.equal(findRoute(graph, shorter).totalDelaySecs, 11_940);
  assert.throws(() => findRoute(graph, { ...shorter, maxTotalDelaySecs: 11_939 }), /no route/);
});

Deno.test("findRoute() honours excluded nodes and directions, and a fee limit", () => {
  const graph = twoPaths();
  assert.deepEqual(via(findRoute(graph, request({ excludedNodes: new Set([B.key]) }))), [
    A.key,
    T.key,
  ]);
  const bt = findRoute(graph, request()).hops[1]!;
  assert.deepEqual(
    via(
      findRoute(graph, request({ excludedDirections: new Set([directionKey(4n, bt.direction)]) })),
    ),
    [A.key, T.key],
  );
  assert.throws(
    () => findRoute(graph, request({ excludedNodes: new Set([A.key, B.key]) })),
    (e) => e instanceof RouteError && e.reason === "no-route",
  );
  assert.throws(() => findRoute(graph, request({ maxFeeMres: 199n })), /no route/);
  assert.equal(findRoute(graph, request({ maxFeeMres: 200n })).feeMres, 200n);
});

Deno.test("findRoute() keeps the first channel within the payer's spendable balance", () => {
  const graph = twoPaths();
  const limits = new Map([[1n, 2_000_000n], [3n, 1_000_199n]]);
  // S–B needs 1,000,200: one short, so the dearer S–A–T.
  assert.deepEqual(via(findRoute(graph, request({ firstHopLimitsMres: limits }))), [A.key, T.key]);
  limits.set(3n, 1_000_200n);
  assert.deepEqual(via(findRoute(graph, request({ firstHopLimitsMres: limits }))), [B.key, T.key]);
  // A channel the map leaves out is not used.
  assert.throws(
    () => findRoute(graph, request({ firstHopLimitsMres: new Map([[2n, 10n ** 12n]]) })),
    /no route/,
  );
});

Deno.test("findRoute() follows an invoice's route hint to a payee without public channels", () => {
  const graph = new ChannelGraph();
  link(graph, 1n, S, A);
  const hintId = (900n << 32n) | 7n;
  const route = findRoute(
    graph,
    request({
      routeHints: [[{
        nodeId: A.id,
        channelId: shortChannelIdToHintBytes(hintId),
        feeBaseMilliResonances: 10,
        feeProportionalMillionths: 500,
        deltaSecs: 7200,
      }]],
    }),
  );
  assert.deepEqual(via(route), [A.key, T.key]);
  assert.equal(route.hops[1]!.shortChannelId, hintId);
  // A payer whose only channel is the hint's own (it is the hint's first node) is not unknown.
  const direct = findRoute(
    new ChannelGraph(),
    request({
      routeHints: [[{
        nodeId: S.id,
        channelId: shortChannelIdToHintBytes(hintId),
        feeBaseMilliResonances: 10,
        feeProportionalMillionths: 500,
        deltaSecs: 7200,
      }]],
    }),
  );
  assert.deepEqual(direct.hops.map((h) => [h.shortChannelId, h.amountMres]), [[
    hintId,
    1_000_000n,
  ]]);
  assert.deepEqual(route.hops.map((h) => [h.amountMres, h.expirySecs]), [
    [1_000_510n, NOW + 10_800 + 7200],
    [1_000_000n, NOW + 10_800],
  ]);
});

Deno.test("findRoute() says which end is unknown, and no-route when they are disconnected", () => {
  const graph = twoPaths();
  const reason = (r: RouteRequest) => {
    try {
      findRoute(graph, r);
    } catch (e) {
      assert.ok(e instanceof RouteError);
      return e.reason;
    }
    return "found";
  };
  assert.equal(reason(request({ target: C.id })), "unknown-payee");
  assert.equal(reason(request({ source: C.id })), "unknown-payer");
  link(graph, 50n, C, testNode(60));
  assert.equal(reason(request({ target: C.id })), "no-route");
  assert.throws(() => findRoute(graph, request({ amountMres: 0n })), RangeError);
  assert.throws(() => findRoute(graph, request({ target: S.id })), RangeError);
});

Deno.test("findRoute() on a seeded random graph: every route keeps the forwarding invariants", () => {
  const rnd = mulberry32(2026);
  const nodes = Array.from({ length: 200 }, () => {
    const id = new Uint8Array(32);
    for (let i = 0; i < 32; i++) id[i] = Math.floor(rnd() * 256);
    return id;
  });
  const graph = new ChannelGraph();
  let nextId = 1n;
  const randomPolicy = () =>
    policy({
      disabled: rnd() < 0.05,
      timeLockDeltaSecs: 600 + Math.floor(rnd() * 20_000),
      htlcMinimumMres: BigInt(Math.floor(rnd() * 1000)),
      htlcMaximumMres: BigInt(Math.floor(rnd() * 5e9)),
      feeBaseMres: Math.floor(rnd() * 5000),
      feeProportionalMillionths: Math.floor(rnd() * 3000),
    });
  for (let i = 0; i < nodes.length; i++) {
    for (let k = 0; k < 2; k++) {
      const j = Math.floor(rnd() * nodes.length);
      if (j === i) continue;
      graph.addPrivateChannel({
        shortChannelId: nextId++,
        nodeIdA: nodes[i]!,
        nodeIdB: nodes[j]!,
        capacityMres: BigInt(Math.floor(rnd() * 1e10)),
        policyAToB: randomPolicy(),
        policyBToA: randomPolicy(),
      }, 0);
    }
  }
  let found = 0;
  for (let trial = 0; trial < 40; trial++) {
    const source = nodes[Math.floor(rnd() * nodes.length)]!;
    const target = nodes[Math.floor(rnd() * nodes.length)]!;
    if (nodeKey(source) === nodeKey(target)) continue;
    const amountMres = BigInt(1 + Math.floor(rnd() * 1e8));
    let route: Route;
    try {
      route = findRoute(graph, { source, target, amountMres, nowSecs: NOW, finalDeltaSecs: 3600 });
    } catch (e) {
      assert.ok(e instanceof RouteError, String(e));
      continue;
    }
    found++;
    const hops = route.hops;
    assert.ok(hops.length >= 1 && hops.length <= 20);
    assert.equal(hops.at(-1)!.amountMres, amountMres);
    assert.equal(hops.at(-1)!.expirySecs, NOW + 3600);
    assert.deepEqual(hops.at(-1)!.nodeId, target);
    assert.ok(route.totalDelaySecs <= 14 * 24 * 3600);
    let from = nodeKey(source);
    for (let i = 0; i < hops.length; i++) {
      const hop = hops[i]!;
      const channel = graph.channel(hop.shortChannelId)!;
      const to = nodeKey(hop.nodeId);
      assert.deepEqual(
        [from, to],
        hop.direction === 0 ? [channel.node1, channel.node2] : [channel.node2, channel.node1],
        "the hop crosses its channel in its direction",
      );
      assert.ok(hop.amountMres <= channel.capacityMres!, "fits the capacity");
      const own = channel.updates[hop.direction]!;
      if (i > 0) {
        // The node before this hop forwards over it under its own policy.
        assert.equal(own.disabled, false);
        assert.ok(hop.amountMres >= own.htlcMinimumMres && hop.amountMres <= own.htlcMaximumMres);
        const prev = hops[i - 1]!;
        assert.equal(prev.amountMres, hop.amountMres + forwardingFee(own, hop.amountMres));
        assert.ok(prev.amountMres >= hop.amountMres);
        assert.equal(prev.expirySecs, hop.expirySecs + own.timeLockDeltaSecs);
      }
      from = to;
    }
  }
  assert.ok(found >= 10, `only ${found} of 40 pairs routed`);
});

Deno.test("findRoute() without the risk term finds the least fee on small graphs (vs every simple path)", () => {
  // With risk 0 a label's cost is its total fee, so a cheaper label also carries a smaller
  // amount: fees grow with the amount and htlc maxima only cut large amounts, so Dijkstra is
  // exact (htlc minima, the risk term and the hop limit would break that; they are off here).
  const rnd = mulberry32(77);
  const outcomes = { routed: 0, none: 0 };
  for (let round = 0; round < 40; round++) {
    const nodes = Array.from({ length: 7 }, (_, i) => testNode(100 + i));
    const graph = new ChannelGraph();
    for (let k = 0; k < 12; k++) {
      const i = Math.floor(rnd() * 7);
      const j = (i + 1 + Math.floor(rnd() * 6)) % 7;
      const randomPolicy = () =>
        policy({
          disabled: rnd() < 0.1,
          htlcMinimumMres: 0n,
          htlcMaximumMres: BigInt(Math.floor(1_000_000 + rnd() * 200_000)),
          feeBaseMres: Math.floor(rnd() * 3000),
          feeProportionalMillionths: Math.floor(rnd() * 50_000),
          timeLockDeltaSecs: 60,
        });
      graph.addPrivateChannel({
        shortChannelId: BigInt(k + 1),
        nodeIdA: nodes[i]!.id,
        nodeIdB: nodes[j]!.id,
        capacityMres: BigInt(Math.floor(1_000_000 + rnd() * 300_000)),
        policyAToB: randomPolicy(),
        policyBToA: randomPolicy(),
      }, 0);
    }
    const [source, target] = [nodes[0]!, nodes[6]!];
    const amount = 1_000_000n;
    // Every simple path, its amounts computed backwards under the same rules.
    let best: bigint | undefined;
    const walk = (at: string, visited: Set<string>, path: { channel: bigint; dir: 0 | 1 }[]) => {
      if (at === target.key) {
        let amt = amount;
        for (let h = path.length - 1; h >= 0; h--) {
          const c = graph.channel(path[h]!.channel)!;
          if (amt > c.capacityMres!) return;
          const p = c.updates[path[h]!.dir]!;
          if (p.disabled || amt > p.htlcMaximumMres) return;
          if (h > 0) amt += forwardingFee(p, amt);
        }
        if (best === undefined || amt - amount < best) best = amt - amount;
        return;
      }
      for (const c of graph.channelsOf(at)) {
        const dir: 0 | 1 = c.node1 === at ? 0 : 1;
        const next = dir === 0 ? c.node2 : c.node1;
        if (visited.has(next)) continue;
        walk(next, new Set([...visited, next]), [...path, { channel: c.shortChannelId, dir }]);
      }
    };
    if (graph.channelsOf(source.key).size === 0 || graph.channelsOf(target.key).size === 0) {
      continue;
    }
    walk(source.key, new Set([source.key]), []);
    const req = {
      source: source.id,
      target: target.id,
      amountMres: amount,
      nowSecs: NOW,
      finalDeltaSecs: 600,
      riskPpmPerYear: 0n,
    };
    if (best === undefined) {
      assert.throws(() => findRoute(graph, req), RouteError, `round ${round}`);
      outcomes.none++;
    } else {
      assert.equal(findRoute(graph, req).feeMres, best, `round ${round}`);
      outcomes.routed++;
    }
  }
  assert.ok(outcomes.routed >= 15 && outcomes.none >= 1, JSON.stringify(outcomes));
});

Deno.test("findRoute() orders costs exactly where doubles cannot tell them apart", () => {
  // Fees of 2^55 + 1 and 2^55 + 2 mres round to the same double; the cheaper must still win.
  const amountMres = 2n ** 55n;
  for (const [aBase, bBase, expected] of [[1, 2, A], [2, 1, B]] as const) {
    const graph = new ChannelGraph();
    const huge = { feeProportionalMillionths: 1_000_000, htlcMaximumMres: 2n ** 63n };
    link(graph, 1n, S, A, huge);
    link(graph, 2n, A, T, { ...huge, feeBaseMres: aBase });
    link(graph, 3n, S, B, huge);
    link(graph, 4n, B, T, { ...huge, feeBaseMres: bBase });
    const route = findRoute(graph, request({ amountMres, riskPpmPerYear: 0n }));
    assert.equal(Number(2n ** 55n + 1n), Number(2n ** 55n + 2n));
    assert.deepEqual(via(route), [expected.key, T.key]);
    assert.equal(route.feeMres, 2n ** 55n + 1n);
  }
});

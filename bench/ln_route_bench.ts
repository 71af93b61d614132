/**
 * How long does `findRoute` take on a graph the size of a young Lightning network? Seeded random
 * graphs of 1,000 and 10,000 nodes, each node opening two channels to random others (2N channels,
 * so each node has about four), random policies (5 % of directions disabled) and
 * capacities. For each size: the median, minimum and 90th percentile over `RUNS` random
 * payer/payee pairs; the worst case (a payer outside the payee's component, so the search
 * visits everything it can reach and fails); and, as the baseline measured in the same run, a
 * plain breadth-first walk over the same adjacency from the same payees (what visiting every
 * node and channel costs without any policy arithmetic).
 *
 * Run: deno run bench/ln_route_bench.ts [SIZES=1000,10000] [RUNS=51]
 *
 * Published figure printed beside ours: Core Lightning PR #453 (Rusty Russell, 2017-12-18,
 * https://github.com/ElementsProject/lightning/pull/453): "routefind over 2M channels on 1M
 * nodes in 43 seconds (half that with optimization turned on)", and 7 s (3.5 s optimised) with a
 * Dijkstra prototype. Same density as ours (4 channels per node), 100–1000× larger, other
 * hardware, 2017 code: a scale reference, not a ratio. No LND figure with its graph size was
 * found to cite.
 */
import { mulberry32 } from "../core/util/mulberry32.ts";
import { ChannelGraph, nodeKey } from "../core/lightning/graph.ts";
import { findRoute, RouteError } from "../core/lightning/route_find.ts";

const sizes = (Deno.args[0] ?? "1000,10000").split(",").map(Number);
const runs = Number(Deno.args[1] ?? 51);
const NOW = 1_800_000_000;

function buildGraph(nodeCount: number, seed: number): { graph: ChannelGraph; ids: Uint8Array[] } {
  const rnd = mulberry32(seed);
  const ids = Array.from({ length: nodeCount }, () => {
    const id = new Uint8Array(32);
    for (let i = 0; i < 32; i++) id[i] = Math.floor(rnd() * 256);
    return id;
  });
  const policy = () => ({
    timestamp: NOW - 60,
    disabled: rnd() < 0.05,
    timeLockDeltaSecs: 600 + Math.floor(rnd() * 20_000),
    htlcMinimumMres: BigInt(Math.floor(rnd() * 1000)),
    htlcMaximumMres: BigInt(Math.floor(1e9 + rnd() * 9e9)),
    feeBaseMres: Math.floor(rnd() * 5000),
    feeProportionalMillionths: Math.floor(rnd() * 3000),
  });
  const graph = new ChannelGraph();
  let id = 1n;
  for (let i = 0; i < nodeCount; i++) {
    for (let k = 0; k < 2; k++) {
      let j = Math.floor(rnd() * nodeCount);
      if (j === i) j = (j + 1) % nodeCount;
      graph.addPrivateChannel({
        shortChannelId: id++,
        nodeIdA: ids[i]!,
        nodeIdB: ids[j]!,
        capacityMres: BigInt(Math.floor(1e9 + rnd() * 1e11)),
        policyAToB: policy(),
        policyBToA: policy(),
      }, 0);
    }
  }
  return { graph, ids };
}

/** The baseline: every node reachable from `start` and every channel of each, once. */
function breadthFirstWalk(graph: ChannelGraph, start: string): number {
  const seen = new Set([start]);
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    for (const c of graph.channelsOf(queue[at]!)) {
      const other = c.node1 === queue[at] ? c.node2 : c.node1;
      if (!seen.has(other)) {
        seen.add(other);
        queue.push(other);
      }
    }
  }
  return seen.size;
}

function stats(ms: number[]): { median: number; min: number; p90: number } {
  const s = [...ms].sort((a, b) => a - b);
  return {
    median: s[Math.floor(s.length / 2)]!,
    min: s[0]!,
    p90: s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]!,
  };
}

const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 1).padStart(8);
console.log(`findRoute on seeded random graphs, ${runs} pairs per size (${Deno.version.deno})`);
console.log(
  "nodes   channels  routed  hops(mean)  route median   min      p90  |  no-route  |  BFS walk median  ratio",
);
for (const n of sizes) {
  const { graph, ids } = buildGraph(n, 7 + n);
  const rnd = mulberry32(99 + n);
  const pairs = Array.from({ length: runs }, () => {
    const s = ids[Math.floor(rnd() * n)]!;
    let t = ids[Math.floor(rnd() * n)]!;
    if (nodeKey(s) === nodeKey(t)) t = ids[(ids.indexOf(t) + 1) % n]!;
    return [s, t] as const;
  });
  // Warm up the JIT on a few pairs outside the measurement.
  for (const [s, t] of pairs.slice(0, 5)) {
    try {
      findRoute(graph, {
        source: s,
        target: t,
        amountMres: 50_000_000n,
        nowSecs: NOW,
        finalDeltaSecs: 3600,
      });
    } catch { /* a pair may have no route */ }
    breadthFirstWalk(graph, nodeKey(t));
  }
  const routeMs: number[] = [];
  const walkMs: number[] = [];
  let routed = 0;
  let hops = 0;
  for (const [s, t] of pairs) {
    const t0 = performance.now();
    try {
      const route = findRoute(graph, {
        source: s,
        target: t,
        amountMres: 50_000_000n,
        nowSecs: NOW,
        finalDeltaSecs: 3600,
      });
      routed++;
      hops += route.hops.length;
    } catch (e) {
      if (!(e instanceof RouteError)) throw e;
    }
    routeMs.push(performance.now() - t0);
    const t1 = performance.now();
    breadthFirstWalk(graph, nodeKey(t));
    walkMs.push(performance.now() - t1);
  }
  // Worst case: a payer on an island of its own, so the whole payee side is searched in vain.
  const island = [new Uint8Array(32).fill(0xfe), new Uint8Array(32).fill(0xff)] as const;
  graph.addPrivateChannel(
    { shortChannelId: 0xffff_ffffn, nodeIdA: island[0], nodeIdB: island[1] },
    0,
  );
  const failMs: number[] = [];
  for (const [, t] of pairs.slice(0, Math.min(11, pairs.length))) {
    const t0 = performance.now();
    try {
      findRoute(graph, {
        source: island[0],
        target: t,
        amountMres: 1000n,
        nowSecs: NOW,
        finalDeltaSecs: 3600,
      });
      throw new Error("the island must not be reachable");
    } catch (e) {
      if (!(e instanceof RouteError)) throw e;
    }
    failMs.push(performance.now() - t0);
  }
  const r = stats(routeMs);
  const w = stats(walkMs);
  console.log(
    `${String(n).padStart(6)} ${String(graph.channelCount - 1).padStart(9)} ${
      String(routed).padStart(6)
    }/${runs} ${(hops / Math.max(1, routed)).toFixed(1).padStart(7)}   ${fmt(r.median)} ms ${
      fmt(r.min)
    } ${fmt(r.p90)}  | ${fmt(stats(failMs).median)} ms | ${fmt(w.median)} ms ${
      (r.median / w.median).toFixed(1).padStart(6)
    }×`,
  );
}
console.log(
  "Core Lightning PR #453 (2017, one laptop): 1M nodes / 2M channels, 43 s (21.5 s optimised);" +
    " Dijkstra prototype 7 s (3.5 s optimised). Different scale and hardware: not a ratio.",
);

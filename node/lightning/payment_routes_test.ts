import assert from "node:assert/strict";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import type { Invoice } from "../../core/lightning/invoice.ts";
import { announce, TestChain, testNode, update } from "../../core/lightning/_gossip_testing.ts";
import { ChannelGraph } from "../../core/lightning/graph.ts";
import { findRoute, forwardingFee } from "../../core/lightning/route_find.ts";
import { openRecordPair } from "./_test_channel.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { channelAlias, FORWARDING_POLICY } from "./htlc_forwarder.ts";
import {
  capacityShortfall,
  FINAL_DELTA_MARGIN_SECS,
  MAX_ROUTE_HINTS,
  ownChannelGraph,
  ownRouteHints,
  paymentRequest,
  routeSummary,
} from "./payment_routes.ts";

const NOW = 1_800_000_000;
const A = new Uint8Array(32).fill(0x0a);
const B = "0b".repeat(32);
const C = new Uint8Array(32).fill(0x0c);

/** A `normal`, connected channel of ours with peer `peerId`, the peer holding `pushMres`. */
function channelWith(peerId: string, pushMres = 10n ** 10n): ChannelRecord {
  const { funder } = openRecordPair(10n ** 8n, pushMres);
  return { ...funder, peerId, state: { ...funder.state, connected: true } };
}

Deno.test("A routes to C through its channel to B and C's route hint, paying B's fee", () => {
  const ab = channelWith(B);
  // C's side: its channel with B, hinted from B.
  const bc = channelWith(B);
  const hints = ownRouteHints([bc]);
  assert.equal(hints.length, 1);
  assert.equal(toHex(hints[0]![0]!.nodeId), B);
  const invoice = {
    payeeKey: C,
    minFinalDeltaSecs: 10_800,
    routeHints: hints,
  } as unknown as Invoice;
  const amount = 10n ** 9n;
  const graph = ownChannelGraph(A, [ab], NOW);
  const request = paymentRequest(A, invoice, amount, [ab], NOW);
  assert.equal(request.finalDeltaSecs, 10_800 + FINAL_DELTA_MARGIN_SECS);
  const route = findRoute(graph, request);
  assert.equal(route.hops.length, 2);
  assert.equal(route.hops[0]!.shortChannelId, channelAlias(ab.channelId));
  assert.equal(route.hops[1]!.shortChannelId, channelAlias(bc.channelId));
  assert.equal(route.feeMres, forwardingFee(FORWARDING_POLICY, amount));
  const summary = routeSummary(route);
  assert.deepEqual(summary.hops.map((h) => h.nodeId), [B, toHex(C)]);
  assert.equal(summary.feeMres, route.feeMres);
});

Deno.test("our spendable balance limits the first hop; unusable channels are left out", () => {
  const ab = channelWith(B);
  const invoice = { payeeKey: fromHex(B), minFinalDeltaSecs: 3600, routeHints: [] };
  const balance = ab.state.localCommit.spec.toOwnerMres;
  const request = paymentRequest(A, invoice as unknown as Invoice, balance + 1n, [ab], NOW);
  assert.throws(() => findRoute(ownChannelGraph(A, [ab], NOW), request), /no route/i);
  const closed = { ...ab, status: "closed" as const };
  assert.equal(ownChannelGraph(A, [closed], NOW).channelCount, 0);
  const offline = { ...ab, state: { ...ab.state, connected: false } };
  assert.equal(ownChannelGraph(A, [offline], NOW).channelCount, 0);
  assert.deepEqual(ownRouteHints([closed, offline]), []);
});

Deno.test("ownRouteHints() keeps the channels whose peers hold the most, at most the cap", () => {
  const channels = Array.from(
    { length: MAX_ROUTE_HINTS + 2 },
    (_, i) => channelWith(B, BigInt(i + 1) * 10n ** 9n),
  );
  const hints = ownRouteHints(channels);
  assert.equal(hints.length, MAX_ROUTE_HINTS);
  const richest = channels[channels.length - 1]!;
  assert.deepEqual(hints[0]![0]!.channelId, richest.channelId.slice(0, 8));
  assert.equal(hints[0]![0]!.feeBaseMilliResonances, FORWARDING_POLICY.feeBaseMres);
  assert.equal(hints[0]![0]!.deltaSecs, FORWARDING_POLICY.timeLockDeltaSecs);
});

Deno.test("capacityShortfall() names our largest spendable balance when no channel can send it", () => {
  const ab = channelWith(B);
  const balance = ab.state.localCommit.spec.toOwnerMres;
  assert.equal(capacityShortfall([ab], balance), undefined);
  assert.match(
    capacityShortfall([ab], balance + 1n)!,
    new RegExp(`^insufficient capacity: our channels can send at most ${balance} mres now`),
  );
  assert.equal(
    capacityShortfall([{ ...ab, status: "closed" }], 1n),
    "no open, connected channel to pay from",
  );
});

Deno.test("A routes over the gossiped graph: its own channel by alias, then B's announced channel", () => {
  // The public graph: B–C announced at 120x1x0 with B's signed update (real keys and signatures).
  const [b, c] = [testNode(1), testNode(2)];
  const chain = new TestChain();
  const announced = new ChannelGraph();
  const scid = (120n << 32n) | (1n << 16n);
  const ann = announce(b, c, scid);
  chain.fund(ann, 10n ** 8n);
  announced.applyChannelAnnouncement(ann, chain.context(NOW));
  announced.applyChannelUpdate(
    update(b, c, scid, { ...FORWARDING_POLICY, timestamp: NOW, htlcMaximumMres: 10n ** 11n }),
    chain.context(NOW),
  );
  const ab = channelWith(b.key);
  const invoice = { payeeKey: c.id, minFinalDeltaSecs: 600, routeHints: [] } as unknown as Invoice;
  const amount = 10n ** 9n;
  const graph = ownChannelGraph(A, [ab], NOW, announced);
  const route = findRoute(graph, paymentRequest(A, invoice, amount, [ab], NOW));
  assert.deepEqual(route.hops.map((h) => h.shortChannelId), [channelAlias(ab.channelId), scid]);
  assert.equal(route.feeMres, forwardingFee(FORWARDING_POLICY, amount));
  // Without the gossiped graph and without hints there is no way to C.
  assert.throws(
    () => findRoute(ownChannelGraph(A, [ab], NOW), paymentRequest(A, invoice, amount, [ab], NOW)),
    /no channel in the graph and the invoice has no route hint/,
  );
});

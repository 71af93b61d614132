import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { fromHex } from "../crypto/keccak.ts";
import { DecodeError } from "../errors.ts";
import { mulberry32 } from "../util/mulberry32.ts";
import { announce, MAGIC, NOW, TestChain, testNode, update } from "./_gossip_testing.ts";
import { GossipError, type GossipErrorReason } from "./gossip_error.ts";
import { GossipRateLimiter } from "./gossip_rate_limit.ts";
import { compareBytes, decodeGossipMessage, encodeGossipMessage } from "./gossip_messages.ts";
import { encodeChannelGraph } from "./graph_codec.ts";
import { signChannelUpdate, signNodeAnnouncement } from "./gossip_signatures.ts";
import { ChannelGraph, GOSSIP_STALE_SECS, nodeKey } from "./graph.ts";

const [A, B, C] = [testNode(1), testNode(2), testNode(3)];
const SCID = (700n << 32n) | 1n;

function rejectsWith(fn: () => unknown, reason: GossipErrorReason): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof GossipError, `expected GossipError, got ${e}`);
    assert.equal(e.reason, reason);
    return true;
  });
}

function graphWithChannel(): { graph: ChannelGraph; chain: TestChain } {
  const chain = new TestChain();
  const ann = announce(A, B, SCID);
  chain.fund(ann, 1_000_000n);
  const graph = new ChannelGraph();
  graph.applyChannelAnnouncement(ann, chain.context());
  return { graph, chain };
}

Deno.test("applyChannelAnnouncement() adds a funded channel with its capacity in mres", () => {
  const { graph } = graphWithChannel();
  const channel = graph.channel(SCID)!;
  assert.equal(channel.capacityMres, 1_000_000_000n);
  assert.equal(graph.nodeCount, 2);
  assert.equal(graph.channelsOf(A.key).size, 1);
  assert.equal(graph.channelsOf(B.key).size, 1);
});

Deno.test("applyChannelAnnouncement() refuses duplicates, bad signatures and unfunded channels", () => {
  const { graph, chain } = graphWithChannel();
  rejectsWith(
    () => graph.applyChannelAnnouncement(announce(A, B, SCID), chain.context()),
    "duplicate",
  );
  const forged = { ...announce(A, C, 5n), fundingSignature2: new Uint8Array(64).fill(1) };
  chain.fund(forged, 10n);
  rejectsWith(() => graph.applyChannelAnnouncement(forged, chain.context()), "bad-signature");
  rejectsWith(
    () => graph.applyChannelAnnouncement(announce(A, C, 6n), chain.context()),
    "funding-not-found",
  );
  // An output at the position, but paying another 2-of-2 (B's and C's funding keys).
  chain.outputs.set(7n, chain.outputs.get(SCID)!);
  rejectsWith(
    () => graph.applyChannelAnnouncement(announce(A, C, 7n), chain.context()),
    "funding-mismatch",
  );
  assert.equal(graph.channelCount, 1);
});

Deno.test("GossipError marks only bad signatures and node keys as the relayer's misbehaviour", () => {
  assert.equal(new GossipError("bad-signature", "x").penalty, "misbehaving");
  assert.equal(new GossipError("bad-node-key", "x").penalty, "misbehaving");
  // A reorganisation may put another output at the position: the relayer saw another chain.
  assert.equal(new GossipError("funding-mismatch", "x").penalty, "ignore");
  assert.equal(new GossipError("htlc-maximum-above-capacity", "x").penalty, "ignore");
  assert.equal(new GossipError("funding-not-found", "x").penalty, "ignore");
  assert.equal(new GossipError("not-newer", "x").penalty, "ignore");
});

Deno.test("applyChannelUpdate() takes a newer update and refuses an equal or older one", () => {
  const { graph, chain } = graphWithChannel();
  const first = update(A, B, SCID, { timestamp: NOW - 100, feeBaseMres: 1 });
  graph.applyChannelUpdate(first, chain.context());
  const direction = first.direction;
  assert.equal(graph.channel(SCID)!.updates[direction]!.feeBaseMres, 1);
  rejectsWith(
    () =>
      graph.applyChannelUpdate(
        update(A, B, SCID, { timestamp: NOW - 100, feeBaseMres: 2 }),
        chain.context(),
      ),
    "not-newer",
  );
  rejectsWith(
    () => graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 200 }), chain.context()),
    "not-newer",
  );
  graph.applyChannelUpdate(
    update(A, B, SCID, { timestamp: NOW - 50, feeBaseMres: 3 }),
    chain.context(),
  );
  assert.equal(graph.channel(SCID)!.updates[direction]!.feeBaseMres, 3);
  // The other direction is independent.
  graph.applyChannelUpdate(update(B, A, SCID, { timestamp: NOW - 300 }), chain.context());
  assert.equal(graph.channel(SCID)!.updates[1 - direction]!.timestamp, NOW - 300);
});

Deno.test("applyChannelUpdate() refuses unknown channels, wrong signers, stale and future times", () => {
  const { graph, chain } = graphWithChannel();
  rejectsWith(
    () => graph.applyChannelUpdate(update(A, B, 99n), chain.context()),
    "unknown-channel",
  );
  // C signs exactly the update that only A may sign.
  const { signature: _, ...fields } = update(A, B, SCID);
  const claimed = signChannelUpdate(fields, C.seed, MAGIC);
  rejectsWith(() => graph.applyChannelUpdate(claimed, chain.context()), "bad-signature");
  rejectsWith(
    () =>
      graph.applyChannelUpdate(
        update(A, B, SCID, { timestamp: NOW - GOSSIP_STALE_SECS - 1 }),
        chain.context(),
      ),
    "stale",
  );
  rejectsWith(
    () => graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW + 3601 }), chain.context()),
    "timestamp-too-new",
  );
  rejectsWith(
    () =>
      graph.applyChannelUpdate(
        update(A, B, SCID, { htlcMaximumMres: 1_000_000_001n }),
        chain.context(),
      ),
    "htlc-maximum-above-capacity",
  );
  assert.equal(graph.channel(SCID)!.updates.filter(Boolean).length, 0);
});

Deno.test("applyChannelUpdate() rate-limits one direction and refills with time", () => {
  const chain = new TestChain();
  const ann = announce(A, B, SCID);
  chain.fund(ann, 1_000_000n);
  const graph = new ChannelGraph(new GossipRateLimiter(2, 300));
  graph.applyChannelAnnouncement(ann, chain.context());
  graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 30 }), chain.context());
  graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 20 }), chain.context());
  rejectsWith(
    () => graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 10 }), chain.context()),
    "rate-limited",
  );
  // The other direction has its own bucket; the first refills after 300 s.
  graph.applyChannelUpdate(update(B, A, SCID, { timestamp: NOW - 10 }), chain.context());
  graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 10 }), chain.context(NOW + 300));
});

Deno.test("applyNodeAnnouncement() needs a channel, a valid signature and a newer timestamp", () => {
  const { graph, chain } = graphWithChannel();
  const ann = (seed: Uint8Array, timestamp: number, alias = "n") =>
    signNodeAnnouncement({ timestamp, alias, addresses: [] }, seed, MAGIC);
  rejectsWith(() => graph.applyNodeAnnouncement(ann(C.seed, NOW), chain.context()), "unknown-node");
  // A private channel does not make a node public.
  graph.addPrivateChannel({ shortChannelId: 99n, nodeIdA: C.id, nodeIdB: B.id }, NOW);
  rejectsWith(() => graph.applyNodeAnnouncement(ann(C.seed, NOW), chain.context()), "unknown-node");
  graph.applyNodeAnnouncement(ann(A.seed, NOW - 10, "alice"), chain.context());
  assert.equal(graph.nodeAnnouncement(A.key)!.alias, "alice");
  rejectsWith(
    () => graph.applyNodeAnnouncement(ann(A.seed, NOW - 10), chain.context()),
    "not-newer",
  );
  const forged = { ...ann(A.seed, NOW - 5), alias: "mallory" };
  rejectsWith(() => graph.applyNodeAnnouncement(forged, chain.context()), "bad-signature");
  rejectsWith(
    () => graph.applyNodeAnnouncement(ann(A.seed, NOW - GOSSIP_STALE_SECS - 1), chain.context()),
    "stale",
  );
  graph.applyNodeAnnouncement(ann(A.seed, NOW - 5, "alice2"), chain.context());
  assert.equal(graph.nodeAnnouncement(A.key)!.alias, "alice2");
});

Deno.test("pruneStale() removes channels whose newest update is two weeks old, and their nodes", () => {
  const { graph, chain } = graphWithChannel();
  graph.applyNodeAnnouncement(
    signNodeAnnouncement({ timestamp: NOW, alias: "a", addresses: [] }, A.seed, MAGIC),
    chain.context(),
  );
  graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW }), chain.context());
  assert.equal(graph.pruneStale(NOW + GOSSIP_STALE_SECS), 0);
  assert.equal(graph.pruneStale(NOW + GOSSIP_STALE_SECS + 1), 1);
  assert.equal(graph.channelCount, 0);
  assert.equal(graph.nodeCount, 0);
  assert.equal(graph.nodeAnnouncement(A.key), undefined);
});

Deno.test("pruneStale() keeps private channels and an announced channel's arrival counts", () => {
  const { graph } = graphWithChannel();
  graph.addPrivateChannel({ shortChannelId: 5n, nodeIdA: A.id, nodeIdB: C.id }, NOW);
  assert.equal(graph.pruneStale(NOW + GOSSIP_STALE_SECS), 0);
  assert.equal(graph.pruneStale(NOW + GOSSIP_STALE_SECS + 1), 1);
  assert.ok(graph.channel(5n));
});

Deno.test("an announcement replaces a private channel with the same id; removeChannel drops it", () => {
  const chain = new TestChain();
  const graph = new ChannelGraph();
  graph.addPrivateChannel({ shortChannelId: SCID, nodeIdA: B.id, nodeIdB: A.id }, NOW);
  assert.equal(graph.channel(SCID)!.announcement, undefined);
  const ann = announce(A, B, SCID);
  chain.fund(ann, 5n);
  graph.applyChannelAnnouncement(ann, chain.context());
  assert.ok(graph.channel(SCID)!.announcement);
  assert.equal(
    graph.addPrivateChannel({ shortChannelId: SCID, nodeIdA: A.id, nodeIdB: C.id }, NOW)
      .announcement,
    ann,
  );
  assert.equal(graph.removeChannel(SCID), true);
  assert.equal(graph.removeChannel(SCID), false);
  assert.equal(graph.channelsOf(nodeKey(A.id)).size, 0);
});

Deno.test("mutated gossip is refused with a GossipError and leaves the graph unchanged", () => {
  const { graph, chain } = graphWithChannel();
  graph.applyChannelUpdate(update(A, B, SCID, { timestamp: NOW - 100 }), chain.context());
  const before = encodeChannelGraph(graph);
  const rnd = mulberry32(5);
  const fresh = [
    encodeGossipMessage({ kind: "channel_announcement", message: announce(A, C, 8n) }),
    encodeGossipMessage({
      kind: "channel_update",
      message: update(A, B, SCID, { timestamp: NOW - 50 }),
    }),
    encodeGossipMessage({
      kind: "node_announcement",
      message: signNodeAnnouncement({ timestamp: NOW, alias: "a", addresses: [] }, A.seed, MAGIC),
    }),
  ];
  chain.fund(announce(A, C, 8n), 1000n);
  let refused = 0;
  for (let round = 0; round < 150; round++) {
    const bytes = fresh[round % 3]!.slice();
    const at = 1 + Math.floor(rnd() * (bytes.length - 1));
    bytes[at]! ^= 1 << Math.floor(rnd() * 8);
    let msg;
    try {
      msg = decodeGossipMessage(bytes);
    } catch (e) {
      assert.ok(e instanceof DecodeError);
      continue;
    }
    assert.throws(() => {
      if (msg.kind === "channel_announcement") {
        graph.applyChannelAnnouncement(msg.message, chain.context());
      } else if (msg.kind === "channel_update") {
        graph.applyChannelUpdate(msg.message, chain.context());
      } else graph.applyNodeAnnouncement(msg.message, chain.context());
    }, GossipError);
    refused++;
  }
  assert.ok(refused > 100, `only ${refused} mutations decoded`);
  assert.deepEqual(encodeChannelGraph(graph), before);
});

Deno.test("applyChannelAnnouncement() refuses a node id with a small-order component", () => {
  // A's key plus a point of order 8: strict Ed25519 could accept its signatures, but it has no
  // ristretto255 onion key, so no route could reach it.
  const torsion = ed25519.Point.fromBytes(
    fromHex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"),
  );
  const mixed = ed25519.Point.fromBytes(A.id).add(torsion).toBytes();
  const chain = new TestChain();
  const honest = announce(B, C, 9n);
  const [nodeId1, nodeId2] = compareBytes(mixed, C.id) < 0 ? [mixed, C.id] : [C.id, mixed];
  const bad = { ...honest, nodeId1, nodeId2 };
  chain.fund(bad, 1000n);
  const graph = new ChannelGraph();
  rejectsWith(() => graph.applyChannelAnnouncement(bad, chain.context()), "bad-node-key");
  assert.equal(graph.channelCount, 0);
});

Deno.test("gossipInRange() replayed into an empty graph rebuilds the public graph", () => {
  const chain = new TestChain();
  const graph = new ChannelGraph();
  const ctx = chain.context();
  for (const [x, y, id] of [[A, B, 1n], [B, C, 2n]] as const) {
    const ann = announce(x, y, id);
    chain.fund(ann, 1_000_000n);
    graph.applyChannelAnnouncement(ann, ctx);
    graph.applyChannelUpdate(update(x, y, id, { timestamp: NOW - 1000 * Number(id) }), ctx);
  }
  graph.applyChannelUpdate(update(C, B, 2n, { timestamp: NOW - 10 }), ctx);
  graph.applyNodeAnnouncement(
    signNodeAnnouncement({ timestamp: NOW - 5, alias: "b", addresses: [] }, B.seed, MAGIC),
    ctx,
  );
  graph.addPrivateChannel({ shortChannelId: 3n, nodeIdA: A.id, nodeIdB: C.id }, NOW);

  const all = graph.gossipInRange({ firstTimestamp: 0, timestampRange: 0xffff_ffff });
  assert.deepEqual(all.map((m) => m.kind), [
    "channel_announcement",
    "channel_update",
    "channel_announcement",
    "channel_update",
    "channel_update",
    "node_announcement",
  ]);
  const replica = new ChannelGraph();
  for (const m of all) {
    const bytes = encodeGossipMessage(m);
    const back = decodeGossipMessage(bytes);
    if (back.kind === "channel_announcement") replica.applyChannelAnnouncement(back.message, ctx);
    else if (back.kind === "channel_update") replica.applyChannelUpdate(back.message, ctx);
    else replica.applyNodeAnnouncement(back.message, ctx);
  }
  assert.equal(replica.channelCount, 2, "the private channel is not gossiped");
  for (const id of [1n, 2n]) {
    assert.deepEqual(replica.channel(id)!.updates, graph.channel(id)!.updates);
    assert.deepEqual(replica.channel(id)!.announcement, graph.channel(id)!.announcement);
  }
  assert.deepEqual(replica.nodeAnnouncement(B.key), graph.nodeAnnouncement(B.key));

  // Only the last 100 s: channel 2 with C's update, and B's node announcement.
  const recent = graph.gossipInRange({ firstTimestamp: NOW - 100, timestampRange: 0xffff_ffff });
  assert.deepEqual(recent.map((m) => m.kind), [
    "channel_announcement",
    "channel_update",
    "node_announcement",
  ]);
  assert.equal(recent[1]!.kind === "channel_update" && recent[1]!.message.timestamp, NOW - 10);
});

import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { announce, MAGIC, NOW, TestChain, testNode, update } from "./_gossip_testing.ts";
import { signNodeAnnouncement } from "./gossip_signatures.ts";
import { ChannelGraph } from "./graph.ts";
import { decodeChannelGraph, encodeChannelGraph } from "./graph_codec.ts";

const [A, B, C] = [testNode(1), testNode(2), testNode(3)];

function sampleGraph(): ChannelGraph {
  const chain = new TestChain();
  const graph = new ChannelGraph();
  const ann = announce(A, B, 11n);
  chain.fund(ann, 1_000_000n);
  graph.applyChannelAnnouncement(ann, chain.context());
  graph.applyChannelUpdate(update(A, B, 11n, { feeBaseMres: 7 }), chain.context());
  graph.applyNodeAnnouncement(
    signNodeAnnouncement(
      {
        timestamp: NOW,
        alias: "bob",
        addresses: [{ network: 1, bytes: new Uint8Array(4), port: 1 }],
      },
      B.seed,
      MAGIC,
    ),
    chain.context(),
  );
  graph.addPrivateChannel({
    shortChannelId: 12n,
    nodeIdA: C.id,
    nodeIdB: A.id,
    capacityMres: 9n,
    policyAToB: {
      timestamp: 0,
      disabled: true,
      timeLockDeltaSecs: 40,
      htlcMinimumMres: 0n,
      htlcMaximumMres: 9n,
      feeBaseMres: 1,
      feeProportionalMillionths: 2,
    },
  }, NOW);
  graph.addPrivateChannel({ shortChannelId: 13n, nodeIdA: B.id, nodeIdB: C.id }, NOW);
  return graph;
}

Deno.test("decodeChannelGraph() restores every channel, policy and node announcement", () => {
  const graph = sampleGraph();
  const bytes = encodeChannelGraph(graph);
  const back = decodeChannelGraph(bytes);
  assert.equal(back.channelCount, 3);
  assert.equal(back.nodeCount, 3);
  assert.deepEqual([...back.channels()], [...graph.channels()]);
  assert.deepEqual(back.nodeAnnouncement(B.key), graph.nodeAnnouncement(B.key));
  assert.deepEqual(encodeChannelGraph(back), bytes);
  assert.equal(back.channelsOf(C.key).size, 2);
});

Deno.test("decodeChannelGraph() rejects truncations, trailing bytes and random input", () => {
  const bytes = encodeChannelGraph(sampleGraph());
  checkTruncations((b) => decodeChannelGraph(b), bytes);
  checkRandomInputs((b) => decodeChannelGraph(b), bytes, 300, 21);
});

Deno.test("decodeChannelGraph() rejects an unknown version, unknown flags and duplicates", () => {
  const empty = encodeChannelGraph(new ChannelGraph());
  assert.deepEqual(empty, new Uint8Array([1, 0, 0]));
  assert.throws(
    () => decodeChannelGraph(new Uint8Array([2, 0, 0])),
    /unknown channel graph version 2/,
  );
  const graph = new ChannelGraph();
  graph.addPrivateChannel({ shortChannelId: 5n, nodeIdA: A.id, nodeIdB: B.id }, 0);
  const one = encodeChannelGraph(graph);
  const flagged = one.slice();
  flagged[2] = 0x10;
  assert.throws(() => decodeChannelGraph(flagged), DecodeError);
  // The same channel twice: count 2, the channel bytes twice.
  const body = one.subarray(2, one.length - 1);
  const twice = new Uint8Array([1, 2, ...body, ...body, 0]);
  assert.throws(() => decodeChannelGraph(twice), /repeats id 5/);
});

Deno.test("decodeChannelGraph() rejects an update filed under another direction", () => {
  const graph = new ChannelGraph();
  const policy = {
    timestamp: 0,
    disabled: false,
    timeLockDeltaSecs: 1,
    htlcMinimumMres: 0n,
    htlcMaximumMres: 1n,
    feeBaseMres: 0,
    feeProportionalMillionths: 0,
  };
  graph.addPrivateChannel(
    { shortChannelId: 5n, nodeIdA: A.id, nodeIdB: B.id, policyAToB: policy },
    0,
  );
  const bytes = encodeChannelGraph(graph);
  const flags = bytes[2]!;
  const moved = bytes.slice();
  moved[2] = flags & 4 ? (flags & ~4) | 8 : (flags & ~8) | 4;
  assert.throws(() => decodeChannelGraph(moved), /another channel or direction/);
});

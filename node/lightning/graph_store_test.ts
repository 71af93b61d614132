import assert from "node:assert/strict";
import { ChannelGraph } from "../../core/lightning/graph.ts";
import {
  announce,
  NOW,
  TestChain,
  testNode,
  update,
} from "../../core/lightning/_gossip_testing.ts";
import { GraphStore } from "./graph_store.ts";

Deno.test("GraphStore keeps announced channels and updates across a reload, not private ones", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-graph-store-" });
  try {
    const [a, b, c] = [testNode(1), testNode(2), testNode(3)];
    const chain = new TestChain();
    const graph = new ChannelGraph();
    const ann = announce(a, b, 77n);
    chain.fund(ann, 10n ** 6n);
    graph.applyChannelAnnouncement(ann, chain.context());
    graph.applyChannelUpdate(update(a, b, 77n, { feeBaseMres: 42 }), chain.context());
    graph.addPrivateChannel({ shortChannelId: 9n, nodeIdA: b.id, nodeIdB: c.id }, NOW);
    const store = new GraphStore(`${dir}/lightning/graph.dat`);
    assert.equal((await store.load()).channelCount, 0); // no file yet
    await store.save(graph);
    const back = await store.load();
    assert.equal(back.channelCount, 1);
    assert.deepEqual(back.channel(77n)?.announcement, ann);
    const held = back.channel(77n)!.updates.find((u) => u !== undefined);
    assert.equal(held?.feeBaseMres, 42);
    assert.equal(back.channel(9n), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("GraphStore names a damaged file and leaves it as it is", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-graph-store-" });
  try {
    const path = `${dir}/graph.dat`;
    await Deno.writeFile(path, new Uint8Array([1, 5, 0xff]));
    await assert.rejects(() => new GraphStore(path).load(), new RegExp(`${path}: `));
    assert.deepEqual(await Deno.readFile(path), new Uint8Array([1, 5, 0xff]));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

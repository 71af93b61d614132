import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { Peer } from "../peer/mod.ts";
import { TestSocks5Server } from "../socks5/_test_server.ts";
import { onionFromPublicKey } from "../wire/mod.ts";
import { connectSecure, createNodeIdentity, SecureTransport } from "../transport/mod.ts";
import { mineTestBlocks, startTestNode, until } from "./_test_nodes.ts";

Deno.test("an outbound --connect peer syncs every block and checkpoint from a listening node, and peers.dat is written", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(REGTEST, evaluator, 6);
  const a = await startTestNode(REGTEST, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const b = await startTestNode(REGTEST, evaluator, [], {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  try {
    const want = toHex(a.node.chainstate.tip().hash);
    await until(
      () => toHex(b.node.chainstate.tip().hash) === want,
      20_000,
      () => b.lines.join("\n"),
    );
    assert.equal(b.manager.sync.stats.blocks, 6);
    const total = blocks.reduce((s, x) => s + x.checkpoint.length, 0);
    assert.equal(b.manager.sync.stats.checkpointBytes, total);
    for (const x of blocks) {
      const got = await b.node.chainstate.getCheckpoint(
        b.node.chainstate.getEntryByHeight(x.block.header.height)!.hash,
      );
      assert.deepEqual(got, x.checkpoint);
    }
    const [pa] = a.manager.connections();
    assert.equal(pa?.kind, "inbound");
    assert.equal(b.manager.connections()[0]?.kind, "manual");
    // A learned B's listening address from its version.
    assert.equal(a.manager.addrMan.size, 1);
    await a.manager.stop();
    const saved = await Deno.readFile(`${a.dir}/peers.dat`);
    assert.equal(new TextDecoder().decode(saved.subarray(0, 8)), "rntpeers");
  } finally {
    await b.close();
    await a.close();
  }
});

Deno.test("a new tip mined on one node is announced and fetched by its peer", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(REGTEST, evaluator, 3);
  const a = await startTestNode(REGTEST, evaluator, blocks.slice(0, 2), {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const b = await startTestNode(REGTEST, evaluator, [], {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
  });
  try {
    await until(() => b.node.chainstate.height() === 2, 20_000, () => b.lines.join("\n"));
    await a.node.chainstate.acceptBlock(blocks[2]!.block, blocks[2]!.checkpoint);
    await until(() => b.node.chainstate.height() === 3, 20_000, () => b.lines.join("\n"));
    assert.equal(toHex(b.node.chainstate.tip().hash), toHex(a.node.chainstate.tip().hash));
  } finally {
    await b.close();
    await a.close();
  }
});

async function client(port: number, nonce: bigint): Promise<{ peer: Peer; id: string }> {
  const identity = createNodeIdentity();
  const transport = new SecureTransport({
    networkMagic: REGTEST.magic,
    identity,
  });
  const conn = await connectSecure(transport, { hostname: "127.0.0.1", port });
  const peer = new Peer({
    id: Number(nonce),
    connection: conn,
    host: "127.0.0.1",
    port,
    inbound: false,
    limits: REGTEST,
  });
  await peer.handshake({
    networkMagic: REGTEST.magic,
    protocolVersion: 1,
    services: 0n,
    bestHeight: 0,
    tipHash: new Uint8Array(32),
    tipLossMicroNats: 0,
    nonce,
    userAgent: "/client/",
    listenPort: 0,
  }, () => false);
  void peer.run(() => {});
  return { peer, id: toHex(identity.publicKey) };
}

Deno.test("at the inbound cap a new peer evicts an unprotected inbound one", async () => {
  const evaluator = new ScriptedEvaluator();
  const a = await startTestNode(REGTEST, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
    maxInbound: 1,
  });
  try {
    const { peer: first } = await client(a.manager.listenPort!, 1n);
    await until(() => a.manager.peers().length === 1, 5000, () => a.lines.join("\n"));
    const { peer: second, id: secondId } = await client(a.manager.listenPort!, 2n);
    assert.match(await first.closed, /closed/);
    await until(() => a.lines.some((l) => /evicted/.test(l)), 5000, () => a.lines.join("\n"));
    await until(
      () => a.manager.peers().map((p) => p.nodeId).join() === secondId,
      5000,
      () => a.lines.join("\n"),
    );
    assert.equal(second.closeReason, undefined);
    second.disconnect("done");
  } finally {
    await a.close();
  }
});

Deno.test("--proxy: outbound peers, .onion ones included, go through the SOCKS5 proxy", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(REGTEST, evaluator, 2);
  const a = await startTestNode(REGTEST, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const onion = onionFromPublicKey(new Uint8Array(32).fill(7));
  const proxy = new TestSocks5Server({
    resolve: (host, port) =>
      host === onion
        ? { hostname: "127.0.0.1", port: a.manager.listenPort! }
        : { hostname: host, port },
  });
  const b = await startTestNode(REGTEST, evaluator, [], {
    connect: [{ host: onion, port: 9555 }],
    proxy: { hostname: "127.0.0.1", port: proxy.port },
  });
  try {
    await until(() => b.node.chainstate.height() === 2, 20_000, () => b.lines.join("\n"));
    assert.deepEqual(proxy.requests.map((r) => [r.addressType, r.host, r.port]), [
      [3, onion, 9555],
    ]);
    assert.equal(b.manager.peers()[0]?.host, onion);
  } finally {
    await b.close();
    await a.close();
    await proxy.close();
  }
});

Deno.test("addresses relay: a node learns a third node's address by getaddr and connects to it", async () => {
  const evaluator = new ScriptedEvaluator();
  const listen = { hostname: "127.0.0.1", port: 0 };
  const a = await startTestNode(REGTEST, evaluator, [], { listen });
  const c = await startTestNode(REGTEST, evaluator, [], {
    listen,
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
  });
  await until(() => a.manager.peers().length === 1, 10_000, () => a.lines.join("\n"));
  const b = await startTestNode(REGTEST, evaluator, [], {
    listen,
    addnode: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
  });
  try {
    const cAddress = `127.0.0.1:${c.manager.listenPort}`;
    await until(
      () =>
        b.manager.connections().some((x) => x.peer.address === cAddress && x.kind === "outbound"),
      15_000,
      () => b.lines.join("\n"),
    );
    assert.ok(b.manager.addrMan.size >= 1);
  } finally {
    await b.close();
    await c.close();
    await a.close();
  }
});

import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { mineBlock } from "../../core/chain/_test_util.ts";
import { CHUNK_BYTES, chunkHashes, merkleProof } from "../../core/checkpoint/chunks.ts";
import {
  heartbeatWallet,
  ScriptedEvaluator,
  signTx,
  TestChain,
} from "../../core/consensus/testing/block_builder.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { mineTestBlocks, startTestNode, until } from "../connman/_test_nodes.ts";
import { Peer } from "../peer/mod.ts";
import { connectSecure, createNodeIdentity, SecureTransport } from "../transport/mod.ts";
import { type Message, Services } from "../wire/mod.ts";

const params = REGTEST;

Deno.test("a node syncing from two peers fetches blocks and checkpoint chunks from both", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, 12);
  const listen = { hostname: "127.0.0.1", port: 0 };
  const a = await startTestNode(params, evaluator, blocks, { listen });
  const b = await startTestNode(params, evaluator, blocks, { listen });
  const c = await startTestNode(params, evaluator, [], {
    connect: [
      { host: "127.0.0.1", port: a.manager.listenPort! },
      { host: "127.0.0.1", port: b.manager.listenPort! },
    ],
  });
  try {
    await until(() => c.manager.peers().length === 2, 10_000, () => c.lines.join("\n"));
    await until(() => c.node.chainstate.height() === 12, 20_000, () => c.lines.join("\n"));
    assert.equal(toHex(c.node.chainstate.tip().hash), toHex(a.node.chainstate.tip().hash));
    const total = blocks.reduce((s, x) => s + x.checkpoint.length, 0);
    const received = c.manager.peers().map((p) => p.bytesRecv);
    for (const r of received) assert.ok(r > total / 5, `one peer sent only ${r} of ${total} bytes`);
  } finally {
    await c.close();
    await b.close();
    await a.close();
  }
});

Deno.test("requests a silent peer never answers time out and go to another peer", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, 4);
  const a = await startTestNode(params, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const c = await startTestNode(params, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
    sync: { requestTimeoutMs: 300 },
  });
  // The silent peer announces the whole chain first, then ignores every request.
  const transport = new SecureTransport({
    networkMagic: params.magic,
    identity: createNodeIdentity(),
  });
  const conn = await connectSecure(transport, {
    hostname: "127.0.0.1",
    port: c.manager.listenPort!,
  });
  const silent = new Peer({
    id: 99,
    connection: conn,
    host: "127.0.0.1",
    port: 0,
    inbound: false,
    limits: params,
  });
  const asked: Message["type"][] = [];
  try {
    await silent.handshake({
      networkMagic: params.magic,
      protocolVersion: 1,
      services: Services.network | Services.checkpoints,
      bestHeight: 4,
      tipHash: new Uint8Array(32),
      tipLossMicroNats: 0,
      nonce: 5n,
      userAgent: "/silent/",
      listenPort: 0,
    }, () => false);
    void silent.run((_, m) => {
      asked.push(m.type);
    });
    silent.send({ type: "headers", headers: blocks.map((b) => b.block.header) });
    await until(() => asked.includes("getdata"), 5000, () => asked.join());
    const added = await c.manager.connectTo({ host: "127.0.0.1", port: a.manager.listenPort! });
    assert.ok(added.ready);
    await until(() => c.node.chainstate.height() === 4, 20_000, () => c.lines.join("\n"));
    assert.ok(asked.includes("getckpt"));
    assert.equal(silent.closeReason, undefined, "a slow peer is not punished");
  } finally {
    silent.disconnect("done");
    await c.close();
    await a.close();
  }
});

Deno.test("a block whose checkpoint fails evaluation gets its sender disconnected and discouraged", async () => {
  const evaluator = new ScriptedEvaluator();
  const chain = new TestChain(params);
  const bad = await mineBlock(chain, evaluator, 1, { wrongLossNats: 9.5 });
  const c = await startTestNode(params, evaluator, [], {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const identity = createNodeIdentity();
  const transport = new SecureTransport({ networkMagic: params.magic, identity });
  const conn = await connectSecure(transport, {
    hostname: "127.0.0.1",
    port: c.manager.listenPort!,
  });
  const liar = new Peer({
    id: 7,
    connection: conn,
    host: "127.0.0.1",
    port: 0,
    inbound: false,
    limits: params,
  });
  try {
    await liar.handshake({
      networkMagic: params.magic,
      protocolVersion: 1,
      services: Services.network | Services.checkpoints,
      bestHeight: 1,
      tipHash: new Uint8Array(32),
      tipLossMicroNats: 0,
      nonce: 3n,
      userAgent: "/liar/",
      listenPort: 0,
    }, () => false);
    const hashes = chunkHashes(bad.checkpoint);
    const running = liar.run((p, m) => {
      if (m.type === "getdata") p.send({ type: "block", block: bad.block });
      if (m.type === "getckpt") {
        const start = m.chunkIndex * CHUNK_BYTES;
        p.send({
          type: "ckptchunk",
          blockHash: m.blockHash,
          chunkIndex: m.chunkIndex,
          chunk: bad.checkpoint.subarray(start, start + CHUNK_BYTES),
          proof: merkleProof(hashes, m.chunkIndex),
        });
      }
    });
    liar.send({ type: "headers", headers: [bad.block.header] });
    assert.match(await running, /closed/);
    await until(() => c.manager.sync.stats.invalidBlocks === 1, 5000, () => c.lines.join("\n"));
    assert.equal(c.node.chainstate.height(), 0);
    const ban = c.manager.bans.list().find((b) => b.address === `id:${toHex(identity.publicKey)}`);
    assert.ok(ban, c.lines.join("\n"));
    assert.equal(ban.reason, "invalid-block");
  } finally {
    liar.disconnect("done");
    await c.close();
  }
});

Deno.test("with acceptance without checkpoints off, checkpoints pruned on every peer are reported and retried slowly, the peer kept", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, params.keepCheckpoints + 2);
  const a = await startTestNode(params, evaluator, blocks, {
    listen: { hostname: "127.0.0.1", port: 0 },
  });
  const b = await startTestNode(params, evaluator, [], {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
    sync: { requestTimeoutMs: 200, assumePrunedDepth: 0 },
  });
  try {
    await until(
      () => b.lines.some((l) => /no peer can serve block .* \(height 1\)/.test(l)),
      10_000,
      () => b.lines.join("\n"),
    );
    assert.equal(b.node.chainstate.height(), 0);
    assert.equal(b.manager.peers().length, 1);
    assert.deepEqual(a.manager.bans.list(), []);
    assert.deepEqual(b.manager.bans.list(), []);
  } finally {
    await b.close();
    await a.close();
  }
});

Deno.test("a transaction accepted on one node is announced, fetched and accepted by its peer", async () => {
  const evaluator = new ScriptedEvaluator();
  const blocks = await mineTestBlocks(params, evaluator, params.coinbaseMaturity + 1);
  const listen = { hostname: "127.0.0.1", port: 0 };
  const a = await startTestNode(params, evaluator, blocks, { listen });
  const b = await startTestNode(params, evaluator, blocks, {
    connect: [{ host: "127.0.0.1", port: a.manager.listenPort! }],
  });
  try {
    await until(() => b.manager.peers().length === 1, 10_000, () => b.lines.join("\n"));
    const owner = heartbeatWallet(params, 0);
    const coinbase = blocks[0]!.block.txs[0]!;
    const value = coinbase.outputs[0]!.value;
    const tx = signTx(
      params,
      {
        version: 1,
        inputs: [{ prevout: { txid: txid(params.magic, coinbase), vout: 0 }, sequence: 0 }],
        outputs: [{ value: value - 10_000n, address: heartbeatWallet(params, 3).address }],
        locktime: 0,
      },
      [{ value, address: owner.address }],
      [owner],
    );
    const entry = await a.node.mempool.acceptTx(tx);
    await until(() => b.node.mempool.has(entry.txid), 10_000, () => b.lines.join("\n"));
  } finally {
    await b.close();
    await a.close();
  }
});

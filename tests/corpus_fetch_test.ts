/**
 * The evaluation corpus fetched from peers in verified chunks (PROTOCOL §4, §8.5), with real
 * `rnt node --regtest` processes on loopback:
 *
 * 1. B starts with `--corpus fetch` (not using the bundled copy) and no peer but a raw test
 *    client R, which serves chunks 0–2 honestly and a corrupted chunk 3: B keeps the three
 *    verified chunks on disk, drops R and discourages it (`invalid-chunk`).
 * 2. B is killed with SIGKILL mid-fetch and restarted with `--connect A` (A uses the bundled
 *    corpus and holds fixture blocks): B resumes with its three chunks, fetches the other five
 *    from A, and only then downloads and evaluates A's blocks, reaching A's tip with no block
 *    marked invalid on the way.
 * 3. C starts with `--corpus fetch --connect B`: B serves the corpus it fetched.
 *
 * And a node given a corpus file that does not match the pinned root refuses to start.
 *
 * @module
 */
import assert from "node:assert/strict";
import { chunkHashes, merkleProof } from "../core/checkpoint/chunks.ts";
import { genesisEntry } from "../core/consensus/genesis.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { Peer } from "../net/peer/mod.ts";
import { connectSecure, createNodeIdentity, SecureTransport } from "../net/transport/mod.ts";
import { Services } from "../net/wire/mod.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import {
  connectArgs,
  type P2pNode,
  startP2pNode,
  stopAll,
  tipOf,
  waitForTip,
  waitUntil,
} from "./p2p_helpers.ts";

const params = REGTEST;
const pin = params.evalCorpus!;
const CHUNK = pin.chunkBytes;

/**
 * A raw client that connects to `port` and answers `getcorpus`: chunks below `honestBelow` with
 * the real bytes and proof, the others with one byte flipped (same proof).
 */
async function corpusPeer(port: number, corpus: Uint8Array, honestBelow: number) {
  const identity = createNodeIdentity();
  const transport = new SecureTransport({ networkMagic: params.magic, identity });
  const conn = await connectSecure(transport, { hostname: "127.0.0.1", port });
  const peer = new Peer({
    id: 0,
    connection: conn,
    host: "127.0.0.1",
    port,
    inbound: false,
    limits: params,
  });
  const genesis = genesisEntry(params);
  await peer.handshake({
    networkMagic: params.magic,
    protocolVersion: 1,
    services: Services.network,
    bestHeight: 0,
    tipHash: genesis.hash,
    tipLossMicroNats: genesis.header.sampleLossMicroNats,
    nonce: 99n,
    userAgent: "/corpus-test/",
    listenPort: 0,
  }, () => false);
  const hashes = chunkHashes(corpus);
  const asked: number[] = [];
  const running = peer.run((p, m) => {
    if (m.type !== "getcorpus") return;
    const i = m.chunkIndex;
    asked.push(i);
    const chunk = corpus.slice(i * CHUNK, (i + 1) * CHUNK);
    if (i >= honestBelow) chunk[100]! ^= 0x01;
    p.send({
      type: "corpuschunk",
      root: m.root,
      chunkIndex: i,
      chunk,
      proof: merkleProof(hashes, i),
    });
  });
  return { peer, nodeId: toHex(identity.publicKey), asked, running };
}

function chunkFiles(datadir: string): string[] {
  return [...Deno.readDirSync(`${datadir}/corpus/${pin.rootHex}`)].map((e) => e.name).sort();
}

Deno.test("a node started without the corpus fetches it in verified chunks, survives SIGKILL mid-fetch, then syncs and serves it", async () => {
  await using da = await tempDir();
  await using db = await tempDir();
  await using dc = await tempDir();
  const nodes: (P2pNode | undefined)[] = [];
  try {
    const corpus = await loadEvalCorpus();
    const a = await startP2pNode(da.path);
    nodes.push(a);
    await importChainFixture(a.proc, await readChainFixture(), 4);
    const tipA = await tipOf(a);
    assert.equal(tipA.height, 4);

    // 1. Only a lying peer: three honest chunks, then a corrupted one.
    const b1 = await startP2pNode(db.path, ["--corpus", "fetch"]);
    nodes.push(b1);
    const r = await corpusPeer(b1.port, corpus, 3);
    const closed = await Promise.race([
      r.running,
      new Promise<string>((res) => setTimeout(() => res("still open"), 20_000)),
    ]);
    assert.notEqual(closed, "still open", b1.proc.log.slice(-3000));
    assert.ok(r.asked.includes(3), `asked ${r.asked}`);
    await waitUntil(
      async () =>
        (await b1.proc.rpc<{ address: string }[]>("listbanned")).some((b) =>
          b.address === `id:${r.nodeId}`
        ),
      10_000,
      () => b1.proc.log.slice(-3000),
    );
    const ban = (await b1.proc.rpc<{ address: string; reason: string }[]>("listbanned"))
      .find((b) => b.address === `id:${r.nodeId}`)!;
    assert.equal(ban.reason, "invalid-chunk");
    assert.match(b1.proc.log, /corpus: chunk 2 verified from peer \d+ \(3\/8 chunks/);
    assert.deepEqual(chunkFiles(db.path), ["chunk-00000", "chunk-00001", "chunk-00002"]);
    // Nothing was evaluated or judged for lack of data.
    assert.equal(await b1.proc.rpc<number>("getblockcount"), 0);

    // 2. Killed mid-fetch; restarted with an honest peer it resumes and completes.
    await b1.proc.stop("SIGKILL");
    nodes[1] = undefined;
    const b = await startP2pNode(db.path, ["--corpus", "fetch", ...connectArgs(a)]);
    nodes.push(b);
    assert.match(
      b.proc.log,
      /corpus: 3 of 8 chunks verified in .*; the rest is fetched from peers/,
    );
    await waitUntil(
      () => Promise.resolve(/corpus: complete \(8 chunks/.test(b.proc.log)),
      60_000,
      () => b.proc.log.slice(-3000),
    );
    const fetchedAgain = [...b.proc.log.matchAll(/corpus: chunk (\d+) verified/g)].map((m) =>
      Number(m[1])
    ).sort();
    assert.deepEqual(fetchedAgain, [3, 4, 5, 6, 7], "only the missing chunks are fetched");
    await waitForTip([a, b], tipA.hash, 120_000);
    const log = b.proc.log;
    const completeAt = log.indexOf("corpus: complete");
    const firstVerified = log.search(/verified height=/);
    assert.ok(firstVerified > completeAt, "a block was evaluated before the corpus was complete");
    const tips = await b.proc.rpc<{ status: string }[]>("getchaintips");
    assert.ok(tips.every((t) => t.status !== "invalid"), JSON.stringify(tips));
    assert.equal(chunkFiles(db.path).length, 8);

    // 3. B serves the corpus it fetched.
    const c = await startP2pNode(dc.path, ["--corpus", "fetch", ...connectArgs(b)]);
    nodes.push(c);
    await waitUntil(
      () => Promise.resolve(/corpus: complete \(8 chunks/.test(c.proc.log)),
      60_000,
      () => c.proc.log.slice(-3000),
    );
  } finally {
    await stopAll(nodes);
  }
});

Deno.test("rnt node refuses a corpus file that does not match the pinned root, and takes one that does", async () => {
  await using d = await tempDir();
  const corpus = await loadEvalCorpus();
  const bad = corpus.slice();
  bad[CHUNK * 5 + 17]! ^= 0x20;
  await Deno.writeFile(`${d.path}/bad.txt`, bad);
  await Deno.mkdir(`${d.path}/node`, { recursive: true });
  const refused = NodeProcess.spawn(`${d.path}/node`, undefined, ["--corpus", `${d.path}/bad.txt`]);
  const status = await refused.exited();
  assert.equal(status.code, 1);
  assert.match(
    refused.log,
    new RegExp(
      `corpus from ${d.path}/bad\\.txt is wrong: corpus Merkle root [0-9a-f]{64} is not the network's ${pin.rootHex}`,
    ),
  );
  await Deno.writeFile(`${d.path}/good.txt`, corpus);
  const ok = await NodeProcess.start(`${d.path}/node`, undefined, [
    "--corpus",
    `${d.path}/good.txt`,
  ]);
  try {
    assert.match(
      ok.log,
      new RegExp(`corpus: ${d.path}/good\\.txt, 8162884 bytes, root ${pin.rootHex} verified`),
    );
  } finally {
    await ok.stop();
  }
});

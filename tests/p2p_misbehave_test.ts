/**
 * A misbehaving raw peer (a test client speaking our encrypted transport) is dropped and
 * discouraged by a real `rnt node --regtest`, while the node keeps serving a well-behaved peer:
 * garbage instead of a handshake, an undecodable message, an oversized frame length, a checkpoint
 * chunk that does not match its header's root, and a flood of invalid blocks.
 *
 * @module
 */
import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import { genesisEntry } from "../core/consensus/genesis.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { buildChildBlock } from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { blockId } from "../core/primitives/block.ts";
import { Peer } from "../net/peer/mod.ts";
import {
  type ByteStream,
  createNodeIdentity,
  denoConnStream,
  deriveSessionKeys,
  FSChaCha20,
  handshakeKeyMaterial,
  type SecureConnection,
  SecureTransport,
  transportSalt,
} from "../net/transport/mod.ts";
import { type Message, Services } from "../net/wire/mod.ts";
import { tempDir } from "./helpers.ts";
import { connectArgs, type P2pNode, startP2pNode, stopAll, waitUntil } from "./p2p_helpers.ts";

const params = REGTEST;

interface RawPeer {
  peer: Peer;
  conn: SecureConnection;
  /** The TCP stream under the encryption (to write raw bytes). */
  stream: ByteStream;
  /** Our node id, hex: the node discourages loopback peers by node id. */
  nodeId: string;
  /** Messages received after the handshake. */
  inbox: Message[];
  /** Length-field cipher of our direction, as it stands after the handshake. */
  lengthCipher: FSChaCha20;
}

/** Connects to `port`, runs the transport handshake (capturing the keys) and version/verack. */
async function rawPeer(port: number): Promise<RawPeer> {
  const identity = createNodeIdentity();
  const transport = new SecureTransport({ networkMagic: params.magic, identity });
  const ephemeralSecretKey = x25519.utils.randomSecretKey();
  const tcp = denoConnStream(await Deno.connect({ hostname: "127.0.0.1", port }));
  const firstBytes: number[] = [];
  const stream: ByteStream = {
    async read(buffer) {
      const n = await tcp.read(buffer);
      for (let i = 0; i < (n ?? 0) && firstBytes.length < 32; i++) firstBytes.push(buffer[i]!);
      return n;
    },
    write: (bytes) => tcp.write(bytes),
    close: () => tcp.close(),
  };
  const conn = await transport.initiate(stream, { ephemeralSecretKey });
  const responderKey = new Uint8Array(firstBytes);
  const shared = x25519.getSharedSecret(ephemeralSecretKey, responderKey);
  const keys = deriveSessionKeys(
    handshakeKeyMaterial(x25519.getPublicKey(ephemeralSecretKey), responderKey, shared),
    transportSalt(params.magic),
  );
  const lengthCipher = new FSChaCha20(keys.initiatorL);
  lengthCipher.crypt(new Uint8Array(3)); // the identity packet's length field
  // Every later frame (version, verack, pongs…) advances the node's length cipher too: keep ours
  // in step, so a length field we forge decrypts on the node exactly as written.
  const send = conn.send.bind(conn), sendDecoy = conn.sendDecoy.bind(conn);
  conn.send = (contents) => (lengthCipher.crypt(new Uint8Array(3)), send(contents));
  conn.sendDecoy = (length) => (lengthCipher.crypt(new Uint8Array(3)), sendDecoy(length));
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
    services: Services.network | Services.checkpoints,
    bestHeight: 0,
    tipHash: genesis.hash,
    tipLossMicroNats: genesis.header.sampleLossMicroNats,
    nonce: 7n,
    userAgent: "/raw-test/",
    listenPort: 0,
  }, () => false);
  const inbox: Message[] = [];
  void peer.run((_, m) => {
    inbox.push(m);
  });
  return { peer, conn, stream, nodeId: toHex(identity.publicKey), inbox, lengthCipher };
}

interface Banned {
  address: string;
  reason: string;
}

async function expectDropped(node: P2pNode, raw: RawPeer, reason: string): Promise<void> {
  const closed = await Promise.race([
    raw.peer.closed,
    new Promise<string>((r) => setTimeout(() => r("still open"), 15_000)),
  ]);
  assert.notEqual(closed, "still open", `node kept a peer that should be dropped for ${reason}`);
  const bans = await node.proc.rpc<Banned[]>("listbanned");
  const ban = bans.find((b) => b.address === `id:${raw.nodeId}`);
  assert.ok(ban, `no ban for ${reason}: ${JSON.stringify(bans)}`);
  assert.equal(ban.reason, reason);
}

async function waitFor(raw: RawPeer, type: Message["type"]): Promise<Message> {
  let found: Message | undefined;
  await waitUntil(
    () => Promise.resolve((found = raw.inbox.find((m) => m.type === type)) !== undefined),
    10_000,
    () => `no ${type}: got ${raw.inbox.map((m) => m.type).join(",")}`,
  );
  return found!;
}

Deno.test("a misbehaving raw peer is dropped and discouraged while the node keeps serving others", async () => {
  await using dn = await tempDir();
  await using dp = await tempDir();
  const nodes: (P2pNode | undefined)[] = [];
  try {
    const node = await startP2pNode(dn.path);
    nodes.push(node);
    const good = await startP2pNode(dp.path, connectArgs(node));
    nodes.push(good);
    await waitUntil(
      async () => (await good.proc.rpc<number>("getconnectioncount")) === 1,
      20_000,
      () => good.proc.log,
    );
    const goodId = (await good.proc.rpc<{ id: number }[]>("getpeerinfo"))[0]!.id;

    // Garbage instead of a handshake: the node closes the connection.
    const junk = await Deno.connect({ hostname: "127.0.0.1", port: node.port });
    await junk.write(crypto.getRandomValues(new Uint8Array(200)));
    const buf = new Uint8Array(4096);
    let end: number | null | "reset" = 0;
    while (end !== null && end !== "reset") {
      end = await junk.read(buf).catch(() => "reset" as const);
    }
    junk.close();

    // An undecodable message (unknown id 0x7f).
    const a = await rawPeer(node.port);
    await a.conn.send(new Uint8Array([0x7f, 1, 2, 3]));
    await expectDropped(node, a, "decode");

    // A frame length above 4 MiB, announced in the encrypted length field.
    const b = await rawPeer(node.port);
    await b.conn.sendDecoy(0); // resolves once every frame queued before it is written
    const big = 4 * 1024 * 1024 + 1;
    const field = new Uint8Array([big & 0xff, (big >> 8) & 0xff, (big >> 16) & 0xff]);
    b.lengthCipher.crypt(field);
    await b.stream.write(field);
    await expectDropped(node, b, "protocol");

    // A checkpoint chunk that does not match the root of the header the node asked it for.
    const c = await rawPeer(node.port);
    const child = buildChildBlock(params, genesisEntry(params));
    const childHash = blockId(params.magic, child.header);
    c.peer.send({ type: "headers", headers: [child.header] });
    const ask = await waitFor(c, "getckpt");
    assert.equal(ask.type === "getckpt" && toHex(ask.blockHash), toHex(childHash));
    c.peer.send({
      type: "ckptchunk",
      blockHash: childHash,
      chunkIndex: 0,
      chunk: new Uint8Array(child.header.checkpointSize).fill(0x5a),
      proof: [],
    });
    await expectDropped(node, c, "invalid-chunk");

    // A flood of invalid blocks (wrong transaction root): the first one already drops the peer.
    const d = await rawPeer(node.port);
    for (let i = 0; i < 50 && d.peer.closeReason === undefined; i++) {
      const bad = buildChildBlock(params, genesisEntry(params), {
        timestampSecs: genesisEntry(params).header.timestampSecs + 60 + i,
        mutateHeader: (h) => ({ ...h, txRoot: new Uint8Array(32).fill(i) }),
      });
      d.peer.send({ type: "block", block: bad });
    }
    await expectDropped(node, d, "invalid-block");

    // The node still serves the good peer on the same connection, and RPC.
    const peers = await good.proc.rpc<{ id: number }[]>("getpeerinfo");
    assert.deepEqual(peers.map((p) => p.id), [goodId]);
    assert.equal(await node.proc.rpc("getconnectioncount"), 1);
    assert.equal(await node.proc.rpc("getblockcount"), 0);
    assert.match(node.proc.log, /discouraging id:[0-9a-f]+ for 24 h: invalid-block/);

    // clearbanned lifts the discouragements.
    await node.proc.rpc("clearbanned");
    assert.deepEqual(await node.proc.rpc("listbanned"), []);
  } finally {
    await stopAll(nodes);
  }
});

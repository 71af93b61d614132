import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { ProtocolError } from "../../core/errors.ts";
import { createMemoryPipe, createNodeIdentity, SecureTransport } from "../transport/mod.ts";
import { type Message, Services, type VersionPayload } from "../wire/mod.ts";
import { Peer, type PeerOptions } from "./peer.ts";

const params = REGTEST;

function version(nonce: bigint, magic = params.magic): VersionPayload {
  return {
    networkMagic: magic,
    protocolVersion: 1,
    services: Services.network,
    bestHeight: 0,
    tipHash: new Uint8Array(32),
    tipLossMicroNats: 5_000_000,
    nonce,
    userAgent: "/test/",
    listenPort: 0,
  };
}

async function pair(
  options: Partial<PeerOptions> = {},
): Promise<[Peer, Peer]> {
  const t1 = new SecureTransport({ networkMagic: params.magic, identity: createNodeIdentity() });
  const t2 = new SecureTransport({ networkMagic: params.magic, identity: createNodeIdentity() });
  const [s1, s2] = createMemoryPipe();
  const [c1, c2] = await Promise.all([t1.initiate(s1), t2.accept(s2)]);
  const make = (connection: typeof c1, id: number, inbound: boolean) =>
    new Peer({ id, connection, host: "127.0.0.1", port: 1, inbound, limits: params, ...options });
  return [make(c1, 1, false), make(c2, 2, true)];
}

async function connected(options: Partial<PeerOptions> = {}): Promise<[Peer, Peer]> {
  const [a, b] = await pair(options);
  await Promise.all([a.handshake(version(1n), () => false), b.handshake(version(2n), () => false)]);
  return [a, b];
}

Deno.test("version/verack: both sides learn the other's version and become ready", async () => {
  const [a, b] = await connected();
  assert.equal(a.version?.nonce, 2n);
  assert.equal(b.version?.nonce, 1n);
  assert.ok(a.ready && b.ready);
  assert.equal(a.nodeId.length, 64);
  a.disconnect("done");
  b.disconnect("done");
});

Deno.test("a peer echoing one of our own nonces is a connection to ourselves and is dropped", async () => {
  const [a, b] = await pair();
  const results = await Promise.allSettled([
    a.handshake(version(5n), (n) => n === 5n),
    b.handshake(version(5n), () => false),
  ]);
  assert.equal(results[0].status, "rejected");
  assert.match(String((results[0] as PromiseRejectedResult).reason), /connected to self/);
  assert.equal(a.closeReason, "connected to self");
  assert.equal(a.misbehavior, undefined);
  b.disconnect("done");
});

Deno.test("a version with another network's magic is misbehaviour", async () => {
  const [a, b] = await pair();
  const other = new Uint8Array([1, 2, 3, 4]);
  const results = await Promise.allSettled([
    a.handshake(version(1n), () => false),
    b.handshake(version(2n, other), () => false),
  ]);
  assert.equal(results[0].status, "rejected");
  assert.equal(a.misbehavior?.reason, "wrong-magic");
  b.disconnect("done");
});

Deno.test("a message before the handshake finishes is misbehaviour", async () => {
  const [a, b] = await pair({ handshakeTimeoutMs: 2000 });
  b.send({ type: "getaddr" });
  await assert.rejects(a.handshake(version(1n), () => false), ProtocolError);
  assert.equal(a.misbehavior?.reason, "protocol");
  b.disconnect("done");
});

Deno.test("the handshake times out when the peer stays silent", async () => {
  const [a, b] = await pair({ handshakeTimeoutMs: 50 });
  await assert.rejects(a.handshake(version(1n), () => false), /timed out/);
  b.disconnect("done");
});

Deno.test("messages reach the handler; pings are answered and measured", async () => {
  const [a, b] = await connected({ pingIntervalMs: 30, pingTimeoutMs: 2000 });
  const got: Message[] = [];
  const runA = a.run(() => {});
  const runB = b.run((_, m) => {
    got.push(m);
  });
  a.send({ type: "getaddr" });
  while (a.pingMs === undefined || got.length === 0) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(got.map((m) => m.type), ["getaddr"]);
  assert.ok(a.pingMs >= 0);
  assert.ok(a.bytesSent > 0 && b.bytesRecv > 0);
  a.disconnect("done");
  assert.equal(await runA, "done");
  assert.equal(await runB, "Peer closed the connection");
});

Deno.test("an unanswered ping disconnects after the timeout", async () => {
  const [a, b] = await connected({ pingIntervalMs: 20, pingTimeoutMs: 60 });
  const runA = a.run(() => {});
  assert.equal(await runA, "ping timeout");
  assert.equal(a.misbehavior, undefined);
  b.disconnect("done");
});

Deno.test("an undecodable message disconnects with a decode misbehaviour", async () => {
  const t1 = new SecureTransport({ networkMagic: params.magic, identity: createNodeIdentity() });
  const t2 = new SecureTransport({ networkMagic: params.magic, identity: createNodeIdentity() });
  const [s1, s2] = createMemoryPipe();
  const [c1, c2] = await Promise.all([t1.initiate(s1), t2.accept(s2)]);
  const a = new Peer({ id: 1, connection: c1, host: "h", port: 1, inbound: false, limits: params });
  const b = new Peer({ id: 2, connection: c2, host: "h", port: 1, inbound: true, limits: params });
  await Promise.all([a.handshake(version(1n), () => false), b.handshake(version(2n), () => false)]);
  const run = b.run(() => {});
  await c1.send(new Uint8Array([0x7f]));
  assert.match(await run, /undecodable message/);
  assert.equal(b.misbehavior?.reason, "decode");
  a.disconnect("done");
});

Deno.test("a handler's ProtocolError disconnects and is kept for discouragement", async () => {
  const [a, b] = await connected();
  const run = b.run(() => {
    throw new ProtocolError("invalid-block", "bad block");
  });
  a.send({ type: "getaddr" });
  assert.equal(await run, "misbehaving: bad block");
  assert.equal(b.misbehavior?.reason, "invalid-block");
  a.disconnect("done");
});

Deno.test("more messages per second than the cap is a flood", async () => {
  const [a, b] = await connected({ maxMessagesPerSecond: 10 });
  const run = b.run(() => {});
  for (let i = 0; i < 20; i++) a.send({ type: "getaddr" });
  assert.match(await run, /more than 10 messages/);
  assert.equal(b.misbehavior?.reason, "flood");
  a.disconnect("done");
});

Deno.test("a second version after the handshake is misbehaviour", async () => {
  const [a, b] = await connected();
  const run = b.run(() => {});
  a.send({ type: "version", ...version(9n) });
  assert.match(await run, /duplicate version/);
  assert.equal(b.misbehavior?.reason, "protocol");
  a.disconnect("done");
});

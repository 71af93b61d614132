import assert from "node:assert/strict";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import { ProtocolError } from "../../core/errors.ts";
import { createTappedPipe } from "./_tapped_pipe.ts";
import { createMemoryPipe } from "./memory_pipe.ts";
import { createNodeIdentity } from "./node_identity.ts";
import { identityTranscript, SecureTransport } from "./secure_transport.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const MAGIC = hexToBytes("726e7401");
const ALICE = createNodeIdentity(new Uint8Array(32).fill(0xa1));
const BOB = createNodeIdentity(new Uint8Array(32).fill(0xb0));
const CAROL = createNodeIdentity(new Uint8Array(32).fill(0xc4));

function transport(identity = ALICE, networkMagic = MAGIC): SecureTransport {
  return new SecureTransport({ networkMagic, identity });
}

Deno.test("SecureTransport handshake authenticates both node ids and agrees on a session id", async () => {
  const [a, b] = createMemoryPipe();
  const [toBob, toAlice] = await Promise.all([
    transport(ALICE).initiate(a, { expectedPeerId: BOB.publicKey }),
    transport(BOB).accept(b, { expectedPeerId: ALICE.publicKey }),
  ]);
  assert.deepEqual(toBob.peerId, BOB.publicKey);
  assert.deepEqual(toAlice.peerId, ALICE.publicKey);
  assert.deepEqual(toBob.sessionId, toAlice.sessionId);
  await toBob.send(new TextEncoder().encode("ping"));
  assert.equal(new TextDecoder().decode(await toAlice.receive()), "ping");
  await toAlice.send(new TextEncoder().encode("pong"));
  assert.equal(new TextDecoder().decode(await toBob.receive()), "pong");
  toBob.close();
  toAlice.close();
});

Deno.test("SecureTransport handshake with fixed keys matches the pinned wire bytes", async () => {
  const { a, b, tap } = createTappedPipe();
  const [toBob, toAlice] = await Promise.all([
    transport(ALICE).initiate(a, { ephemeralSecretKey: new Uint8Array(32).fill(0x01) }),
    transport(BOB).accept(b, { ephemeralSecretKey: new Uint8Array(32).fill(0x02) }),
  ]);
  const initiatorWire = concatBytes(...tap.aToB);
  const responderWire = concatBytes(...tap.bToA);
  assert.equal(initiatorWire.length, 32 + 116);
  assert.equal(responderWire.length, 32 + 116);
  // Pinned: computed once by this implementation; any change to the handshake breaks it.
  assert.deepEqual({
    sessionId: bytesToHex(toBob.sessionId),
    initiatorWire: bytesToHex(sha256(initiatorWire)),
    responderWire: bytesToHex(sha256(responderWire)),
  }, PINNED);
  toBob.close();
  toAlice.close();
});

Deno.test("SecureTransport handshake fails on both sides when the network magic differs", async () => {
  const [a, b] = createMemoryPipe();
  const [initiator, responder] = await Promise.allSettled([
    transport(ALICE, hexToBytes("726e7401")).initiate(a),
    transport(BOB, hexToBytes("726e7402")).accept(b),
  ]);
  assert.equal(initiator.status, "rejected");
  assert.ok(initiator.reason instanceof ProtocolError, String(initiator.reason));
  assert.equal(responder.status, "rejected");
  assert.ok(responder.reason instanceof ProtocolError, String(responder.reason));
  assert.ok(a.closed && b.closed);
});

Deno.test("SecureTransport handshake rejects a responder whose identity signature is forged", async () => {
  // Mallory claims Bob's node id but can only sign with her own key.
  const mallory = { secretKey: CAROL.secretKey, publicKey: BOB.publicKey };
  const [a, b] = createMemoryPipe();
  const [initiator, responder] = await Promise.allSettled([
    transport(ALICE).initiate(a),
    transport(mallory).accept(b),
  ]);
  assert.equal(initiator.status, "rejected");
  assert.ok(initiator.reason instanceof ProtocolError);
  assert.match(initiator.reason.message, /signature is invalid/);
  assert.equal(responder.status, "rejected");
});

Deno.test("SecureTransport handshake rejects an initiator whose identity signature is forged", async () => {
  const mallory = { secretKey: CAROL.secretKey, publicKey: ALICE.publicKey };
  const [a, b] = createMemoryPipe();
  const [initiator, responder] = await Promise.allSettled([
    transport(mallory).initiate(a),
    transport(BOB).accept(b),
  ]);
  assert.equal(responder.status, "rejected");
  assert.ok(responder.reason instanceof ProtocolError);
  assert.match(responder.reason.message, /signature is invalid/);
  // The initiator finished its side; its connection then sees the responder hang up.
  if (initiator.status === "fulfilled") {
    await assert.rejects(initiator.value.receive());
    initiator.value.close();
  }
});

Deno.test("SecureTransport.initiate() with an expected peer id rejects another responder before revealing itself", async () => {
  const { a, b, tap } = createTappedPipe();
  const [initiator, responder] = await Promise.allSettled([
    transport(ALICE).initiate(a, { expectedPeerId: BOB.publicKey }),
    transport(CAROL).accept(b),
  ]);
  assert.equal(initiator.status, "rejected");
  assert.match((initiator.reason as Error).message, /not the expected one/);
  assert.equal(responder.status, "rejected");
  assert.equal(concatBytes(...tap.aToB).length, 32, "only the ephemeral key left the initiator");
});

Deno.test("SecureTransport.accept() rejects a low-order ephemeral key", async () => {
  const [a, b] = createMemoryPipe();
  const accepted = transport(BOB).accept(b);
  await a.write(new Uint8Array(32));
  await assert.rejects(accepted, ProtocolError);
  a.close();
});

Deno.test("SecureTransport.accept() rejects a peer that hangs up mid-handshake", async () => {
  const [a, b] = createMemoryPipe();
  const accepted = transport(BOB).accept(b);
  await a.write(new Uint8Array(20).fill(9));
  a.close();
  await assert.rejects(accepted, ProtocolError);
  assert.ok(b.closed);
});

Deno.test("SecureTransport.initiate() gives up when its signal aborts", async () => {
  const [a, b] = createMemoryPipe();
  const controller = new AbortController();
  const started = transport(ALICE).initiate(a, { signal: controller.signal });
  controller.abort(new Error("handshake timeout"));
  await assert.rejects(started, /handshake timeout/);
  assert.ok(a.closed);
  b.close();
});

Deno.test("identityTranscript() binds the signer's role, so a signature cannot be reflected", () => {
  const key = new Uint8Array(32).fill(1);
  const initiator = identityTranscript("initiator", MAGIC, key, key, key);
  const responder = identityTranscript("responder", MAGIC, key, key, key);
  assert.equal(initiator.length, 15 + 1 + 4 + 96);
  assert.notDeepEqual(initiator, responder);
});

const PINNED = {
  sessionId: "efac79165b879df139d08642df26320151b65e446cad83cb6db94dc422c7cccf",
  initiatorWire: "30868fffed6d79649db526ad1879d707b70ce0894235ae0bddaac7bb9b3f7438",
  responderWire: "e76f73548b301beaf86009dc625e11091a7a8c5563df87bf004826e02eaae078",
};

import assert from "node:assert/strict";
import { x25519 } from "@noble/curves/ed25519.js";
import { concatBytes, hexToBytes } from "@noble/hashes/utils.js";
import { ProtocolError } from "../../core/errors.ts";
import { createTappedPipe } from "./_tapped_pipe.ts";
import { ConnectionClosedError } from "./connection_closed_error.ts";
import { deriveSessionKeys, handshakeKeyMaterial, transportSalt } from "./key_derivation.ts";
import { createNodeIdentity } from "./node_identity.ts";
import { allocatePacket, PacketEncryptor } from "./packet_cipher.ts";
import { MAX_FRAME_CONTENTS_BYTES } from "./secure_connection.ts";
import { SecureTransport } from "./secure_transport.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const MAGIC = hexToBytes("726e7401");
const ALICE = createNodeIdentity(new Uint8Array(32).fill(0xa1));
const BOB = createNodeIdentity(new Uint8Array(32).fill(0xb0));
const ALICE_EPHEMERAL = new Uint8Array(32).fill(0x01);
const BOB_EPHEMERAL = new Uint8Array(32).fill(0x02);
const encoder = new TextEncoder();

/** Alice (initiator) and Bob (responder) over a tapped pipe, handshake done, tap cleared. */
async function connectedPair(bobMaxFrameBytes?: number) {
  const { a, b, tap } = createTappedPipe();
  const bobTransport = new SecureTransport({
    networkMagic: MAGIC,
    identity: BOB,
    ...(bobMaxFrameBytes === undefined ? {} : { maxFrameBytes: bobMaxFrameBytes }),
  });
  const [alice, bob] = await Promise.all([
    new SecureTransport({ networkMagic: MAGIC, identity: ALICE })
      .initiate(a, { ephemeralSecretKey: ALICE_EPHEMERAL }),
    bobTransport.accept(b, { ephemeralSecretKey: BOB_EPHEMERAL }),
  ]);
  tap.aToB.length = 0;
  tap.bToA.length = 0;
  return { alice, bob, a, b, tap };
}

/** Alice's sending cipher, rebuilt from the fixed ephemeral keys, past her identity packet. */
function aliceRawEncryptor(): PacketEncryptor {
  const ei = x25519.getPublicKey(ALICE_EPHEMERAL);
  const er = x25519.getPublicKey(BOB_EPHEMERAL);
  const shared = x25519.getSharedSecret(ALICE_EPHEMERAL, er);
  const keys = deriveSessionKeys(handshakeKeyMaterial(ei, er, shared), transportSalt(MAGIC));
  const encryptor = new PacketEncryptor(keys.initiatorL, keys.initiatorP);
  encryptor.encrypt(new Uint8Array(96));
  return encryptor;
}

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

Deno.test("SecureConnection carries 1,000 messages each way in order across rekeys", async () => {
  const { alice, bob } = await connectedPair();
  const count = 1000;
  const message = (from: string, i: number) => encoder.encode(`${from} #${i} `.repeat(1 + (i % 7)));
  const sending = Promise.all([
    (async () => {
      for (let i = 0; i < count; i++) await alice.send(message("alice", i));
    })(),
    (async () => {
      for (let i = 0; i < count; i++) await bob.send(message("bob", i));
    })(),
  ]);
  for (let i = 0; i < count; i++) {
    assert.deepEqual(await bob.receive(), message("alice", i));
    assert.deepEqual(await alice.receive(), message("bob", i));
  }
  await sending;
  alice.close();
  bob.close();
});

Deno.test("SecureConnection wire bytes contain no plaintext of the payload", async () => {
  const { alice, bob, tap } = await connectedPair();
  const secret = encoder.encode(
    "THE-PLAINTEXT-PAYLOAD-THAT-MUST-NOT-APPEAR-ON-THE-WIRE ".repeat(40),
  );
  await alice.send(secret);
  await alice.send(new Uint8Array(4096)); // all zeros: the ciphertext must not be
  assert.deepEqual(await bob.receive(), secret);
  assert.deepEqual(await bob.receive(), new Uint8Array(4096));
  const wire = concatBytes(...tap.aToB);
  assert.equal(wire.length, secret.length + 4096 + 2 * 20);
  for (let i = 0; i + 8 <= 64; i++) {
    assert.ok(!contains(wire, secret.subarray(i, i + 8)), `plaintext window at ${i} leaked`);
  }
  assert.ok(!contains(wire, new Uint8Array(16)), "16 zero bytes on the wire");
  alice.close();
  bob.close();
});

Deno.test("SecureConnection.receive() ends the connection on a tampered frame", async () => {
  // Offsets: length field, header, contents, tag.
  for (const offset of [0, 3, 10, -1]) {
    const { alice, bob, tap, b } = await connectedPair();
    tap.hold = true;
    await alice.send(encoder.encode("hello bob, this is alice"));
    const frame = tap.aToB[0]!.slice();
    frame[offset < 0 ? frame.length + offset : offset]! ^= 0x04;
    b.push(frame);
    // A flipped length bit announces a longer frame: the stream then ends inside it.
    if (offset === 0) b.end();
    await assert.rejects(bob.receive(), ProtocolError, `flip at ${offset}`);
    await assert.rejects(bob.receive(), ProtocolError, "the failure is sticky");
    assert.ok(bob.closed && b.closed);
    await assert.rejects(bob.send(new Uint8Array(1)), ProtocolError);
    alice.close();
  }
});

Deno.test("SecureConnection.receive() rejects a replayed frame", async () => {
  const { alice, bob, tap, b } = await connectedPair();
  tap.hold = true;
  await alice.send(encoder.encode("pay 1 coin"));
  const frame = tap.aToB[0]!;
  b.push(frame);
  assert.equal(new TextDecoder().decode(await bob.receive()), "pay 1 coin");
  b.push(frame);
  b.end(); // The replayed length decrypts to noise; if it is small, the stream ends inside it.
  await assert.rejects(bob.receive(), ProtocolError);
  alice.close();
});

Deno.test("SecureConnection.receive() rejects reordered frames", async () => {
  const { alice, bob, tap, b } = await connectedPair();
  tap.hold = true;
  await alice.send(encoder.encode("first"));
  await alice.send(encoder.encode("second"));
  b.push(tap.aToB[1]!);
  b.push(tap.aToB[0]!);
  b.end(); // The out-of-place length decrypts to noise; if it is small, the stream ends inside it.
  await assert.rejects(bob.receive(), ProtocolError);
  alice.close();
});

Deno.test("SecureConnection.receive() rejects a frame truncated by the end of the stream", async () => {
  for (const keep of [1, 3, 10, 40]) {
    const { alice, bob, tap, b } = await connectedPair();
    tap.hold = true;
    await alice.send(encoder.encode("a frame that will be cut short"));
    const frame = tap.aToB[0]!;
    assert.ok(keep < frame.length);
    b.push(frame.subarray(0, keep));
    b.end();
    await assert.rejects(
      bob.receive(),
      (e: Error) => e instanceof ProtocolError && /ended inside/.test(e.message),
    );
    alice.close();
  }
});

Deno.test("SecureConnection.receive() rejects an oversized length before the payload arrives", async () => {
  const { alice, bob, tap, b } = await connectedPair();
  tap.hold = true;
  const raw = aliceRawEncryptor();
  // Rebuilt keys really are Alice's: Bob accepts a frame made with them.
  b.push(raw.encrypt(encoder.encode("from the raw peer")));
  assert.equal(new TextDecoder().decode(await bob.receive()), "from the raw peer");
  const huge = allocatePacket(MAX_FRAME_CONTENTS_BYTES + 1);
  raw.encryptInPlace(huge.frame);
  b.push(huge.frame.subarray(0, 3)); // only the length field: Bob must not wait for more
  await assert.rejects(
    bob.receive(),
    (e: Error) => e instanceof ProtocolError && /exceeds/.test(e.message),
  );
  alice.close();
});

Deno.test("SecureConnection honours a lower maxFrameBytes and accepts exactly the cap", async () => {
  const { alice, bob } = await connectedPair(1000);
  await alice.send(new Uint8Array(1000).fill(1));
  assert.equal((await bob.receive()).length, 1000);
  await alice.send(new Uint8Array(1001));
  await assert.rejects(bob.receive(), ProtocolError);
  alice.close();
});

Deno.test("SecureConnection.send() carries a 4 MiB frame and refuses a larger one", async () => {
  const { alice, bob } = await connectedPair();
  const big = new Uint8Array(MAX_FRAME_CONTENTS_BYTES);
  for (let i = 0; i < big.length; i += 4096) big[i] = i / 4096;
  await alice.send(big);
  assert.deepEqual(await bob.receive(), big);
  await assert.rejects(alice.send(new Uint8Array(MAX_FRAME_CONTENTS_BYTES + 1)), RangeError);
  alice.close();
  bob.close();
});

Deno.test("SecureConnection.receive() skips decoy frames", async () => {
  const { alice, bob } = await connectedPair();
  await alice.sendDecoy(100);
  await alice.send(encoder.encode("real"));
  assert.equal(new TextDecoder().decode(await bob.receive()), "real");
  alice.close();
  bob.close();
});

Deno.test("SecureConnection.send() keeps call order for concurrent sends", async () => {
  const { alice, bob } = await connectedPair();
  await Promise.all(Array.from({ length: 50 }, (_, i) => alice.send(new Uint8Array([i]))));
  const got = await Promise.all(Array.from({ length: 50 }, () => bob.receive()));
  assert.deepEqual(got.map((m) => m[0]), Array.from({ length: 50 }, (_, i) => i));
  alice.close();
  bob.close();
});

Deno.test("SecureConnection.close() ends pending receives here and there with ConnectionClosedError", async () => {
  const { alice, bob } = await connectedPair();
  const pending = alice.receive();
  const remote = bob.receive();
  alice.close();
  await assert.rejects(pending, ConnectionClosedError);
  await assert.rejects(remote, ConnectionClosedError);
  await assert.rejects(alice.send(new Uint8Array(1)), ConnectionClosedError);
  alice.close();
});

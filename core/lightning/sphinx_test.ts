import assert from "node:assert/strict";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { mulberry32 } from "../util/mulberry32.ts";
import { deriveOnionKey, onionKeyPairFromNodeSeed, onionPublicKeyOfNode } from "./onion_keys.ts";
import {
  buildHopPayloads,
  buildOnion,
  generateFiller,
  HOP_PAYLOADS_BYTES,
  MAX_HOPS,
  ONION_PACKET_BYTES,
  OnionError,
  type OnionHop,
  peelHopPayloads,
  peelOnion,
} from "./sphinx.ts";
import onionVector from "./testdata/onion-test.json" with { type: "json" };
import errorVector from "./testdata/onion-error-test.json" with { type: "json" };

const SHARED_SECRETS = errorVector.generate.hops.map((h) => fromHex(h.hop_shared_secret));
const ASSOCIATED_DATA = new Uint8Array(32).fill(0x42);

/** The vector's payloads carry their BigSize prefix already; strip it. */
function vectorPayloads(): Uint8Array[] {
  return onionVector.generate.hops.map((h) => {
    const bytes = fromHex(h.payload);
    return bytes[0] === 0xfd ? bytes.slice(3) : bytes.slice(1);
  });
}

function nodes(count: number) {
  return Array.from(
    { length: count },
    (_, i) => onionKeyPairFromNodeSeed(new Uint8Array(32).fill(i + 1)),
  );
}

function route(count: number, payloadBytes = 40): OnionHop[] {
  return nodes(count).map((n, i) => ({
    publicKey: n.publicKey,
    payload: new Uint8Array(payloadBytes).fill(i + 1),
  }));
}

Deno.test("deriveOnionKey() matches BOLT 4's ammag and um keys", () => {
  for (const hop of errorVector.generate.hops) {
    const ss = fromHex(hop.hop_shared_secret);
    assert.equal(toHex(deriveOnionKey("ammag", ss)), hop.ammag_key);
    if ("um_key" in hop) assert.equal(toHex(deriveOnionKey("um", ss)), hop.um_key);
  }
});

Deno.test("buildHopPayloads() reproduces BOLT 4 onion-test.json's hop_payloads and HMAC", () => {
  const onion = fromHex(onionVector.onion);
  const { hopPayloads, hmac } = buildHopPayloads(
    SHARED_SECRETS,
    vectorPayloads(),
    fromHex(onionVector.generate.associated_data),
    fromHex(onionVector.generate.session_key),
  );
  // Skip the version byte and the 33-byte secp256k1 key: everything after is curve-free.
  assert.equal(toHex(hopPayloads), toHex(onion.subarray(34, 34 + HOP_PAYLOADS_BYTES)));
  assert.equal(toHex(hmac), toHex(onion.subarray(34 + HOP_PAYLOADS_BYTES)));
});

Deno.test("peelHopPayloads() peels BOLT 4 onion-test.json hop by hop to every payload", () => {
  const onion = fromHex(onionVector.onion);
  let routing: Uint8Array = onion.slice(34, 34 + HOP_PAYLOADS_BYTES);
  let mac: Uint8Array = onion.slice(34 + HOP_PAYLOADS_BYTES);
  const payloads = vectorPayloads();
  SHARED_SECRETS.forEach((ss, i) => {
    const hop = peelHopPayloads(ss, routing, mac, ASSOCIATED_DATA);
    assert.equal(toHex(hop.payload), toHex(payloads[i]!));
    assert.equal(hop.nextHmac.every((b) => b === 0), i === SHARED_SECRETS.length - 1);
    routing = hop.nextHopPayloads;
    mac = hop.nextHmac;
  });
});

Deno.test("generateFiller() is what the forwarding hops' appended zeros become", () => {
  const payloads = vectorPayloads();
  const slots = payloads.map((p) => (p.length < 0xfd ? 1 : 3) + p.length + 32);
  const filler = generateFiller(SHARED_SECRETS, slots);
  assert.equal(filler.length, slots.slice(0, -1).reduce((a, b) => a + b, 0));
  // At the last hop, the filler is the tail of its hop_payloads (before its own decryption).
  const onion = fromHex(onionVector.onion);
  let routing: Uint8Array = onion.slice(34, 34 + HOP_PAYLOADS_BYTES);
  let mac: Uint8Array = onion.slice(34 + HOP_PAYLOADS_BYTES);
  for (let i = 0; i < SHARED_SECRETS.length - 1; i++) {
    const hop = peelHopPayloads(SHARED_SECRETS[i]!, routing, mac, ASSOCIATED_DATA);
    routing = hop.nextHopPayloads;
    mac = hop.nextHmac;
  }
  assert.equal(toHex(routing.subarray(HOP_PAYLOADS_BYTES - filler.length)), toHex(filler));
});

Deno.test("onionPublicKeyOfNode() gives the key that onionKeyPairFromNodeSeed() holds", () => {
  for (let i = 0; i < 4; i++) {
    const seed = new Uint8Array(32).fill(40 + i);
    assert.deepEqual(
      onionPublicKeyOfNode(keyPairFromSeed(seed).publicKey),
      onionKeyPairFromNodeSeed(seed).publicKey,
    );
  }
  assert.throws(() => onionPublicKeyOfNode(new Uint8Array(32)), RangeError);
});

for (const hopCount of [1, 5, MAX_HOPS]) {
  Deno.test(`peelOnion() walks a ${hopCount}-hop onion: every payload, same size, final signal`, () => {
    const keys = nodes(hopCount);
    const hops = route(hopCount, hopCount === MAX_HOPS ? 30 : 60);
    const built = buildOnion(new Uint8Array(32).fill(7), hops, ASSOCIATED_DATA);
    let packet: Uint8Array | null = built.packet;
    for (let i = 0; i < hopCount; i++) {
      assert.ok(packet);
      assert.equal(packet.length, ONION_PACKET_BYTES);
      const peeled = peelOnion(packet, keys[i]!.privateScalar, ASSOCIATED_DATA);
      assert.deepEqual(peeled.payload, hops[i]!.payload);
      assert.deepEqual(peeled.sharedSecret, built.sharedSecrets[i]);
      assert.equal(peeled.nextPacket === null, i === hopCount - 1, `final signal at hop ${i}`);
      packet = peeled.nextPacket;
    }
  });
}

Deno.test("peelOnion() gives each hop a different ephemeral key (unlinkable across hops)", () => {
  const keys = nodes(3);
  let packet: Uint8Array | null =
    buildOnion(new Uint8Array(32).fill(8), route(3), ASSOCIATED_DATA).packet;
  const seen = new Set<string>();
  for (const key of keys) {
    seen.add(toHex(packet!.subarray(1, 33)));
    packet = peelOnion(packet!, key.privateScalar, ASSOCIATED_DATA).nextPacket;
  }
  assert.equal(seen.size, 3);
});

Deno.test("peelOnion() rejects a flipped bit anywhere in the packet at the next hop", () => {
  const keys = nodes(3);
  const built = buildOnion(new Uint8Array(32).fill(9), route(3), ASSOCIATED_DATA);
  // The packet hop 1 receives from hop 0.
  const forwarded = peelOnion(built.packet, keys[0]!.privateScalar, ASSOCIATED_DATA).nextPacket!;
  // One bit in every byte of the packet (a different bit position from byte to byte).
  const positions = Array.from({ length: ONION_PACKET_BYTES }, (_, i) => i);
  for (const at of positions) {
    const tampered = forwarded.slice();
    tampered[at]! ^= 1 << (at % 8);
    assert.throws(
      () => peelOnion(tampered, keys[1]!.privateScalar, ASSOCIATED_DATA),
      (e: unknown) => e instanceof OnionError && e.reason !== "invalid-onion-payload",
      `bit flip at byte ${at} was accepted`,
    );
  }
});

Deno.test("peelOnion() rejects the wrong key, other associated data and a bad version", () => {
  const keys = nodes(2);
  const { packet } = buildOnion(new Uint8Array(32).fill(10), route(2), ASSOCIATED_DATA);
  const reason = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      return e instanceof OnionError ? e.reason : String(e);
    }
    return "accepted";
  };
  assert.equal(
    reason(() => peelOnion(packet, keys[1]!.privateScalar, ASSOCIATED_DATA)),
    "invalid-onion-hmac",
  );
  assert.equal(
    reason(() => peelOnion(packet, keys[0]!.privateScalar, new Uint8Array(32))),
    "invalid-onion-hmac",
  );
  const v1 = packet.slice();
  v1[0] = 1;
  assert.equal(
    reason(() => peelOnion(v1, keys[0]!.privateScalar, ASSOCIATED_DATA)),
    "invalid-onion-version",
  );
  const zeroKey = packet.slice();
  zeroKey.fill(0, 1, 33);
  assert.equal(
    reason(() => peelOnion(zeroKey, keys[0]!.privateScalar, ASSOCIATED_DATA)),
    "invalid-onion-key",
  );
  assert.equal(
    reason(() => peelOnion(packet.subarray(1), keys[0]!.privateScalar, ASSOCIATED_DATA)),
    "invalid-onion-version",
  );
});

Deno.test("buildOnion() refuses routes that do not fit", () => {
  assert.throws(() => buildOnion(new Uint8Array(32), [], ASSOCIATED_DATA), /1 to 20 hops/);
  assert.throws(
    () => buildOnion(new Uint8Array(32), route(21, 2), ASSOCIATED_DATA),
    /1 to 20 hops/,
  );
  assert.throws(
    () => buildOnion(new Uint8Array(32), route(5, 300), ASSOCIATED_DATA),
    /more than 1300/,
  );
  assert.throws(
    () => buildOnion(new Uint8Array(32), route(1, 1), ASSOCIATED_DATA),
    /at least 2 bytes/,
  );
  const bad = route(1);
  bad[0]!.publicKey = new Uint8Array(32).fill(0xff);
  assert.throws(() => buildOnion(new Uint8Array(32), bad, ASSOCIATED_DATA), /hop 0 public key/);
});

Deno.test("peelOnion() throws only OnionError for random packets and random keys", () => {
  const random = mulberry32(4);
  const key = nodes(1)[0]!;
  const valid = buildOnion(new Uint8Array(32).fill(11), route(2), ASSOCIATED_DATA).packet;
  for (let i = 0; i < 200; i++) {
    const packet = Uint8Array.from(
      { length: ONION_PACKET_BYTES },
      () => Math.floor(random() * 256),
    );
    packet[0] = 0;
    // Half of them keep a valid ephemeral key, so the HMAC check is reached, not just the decode.
    if (i % 2 === 0) packet.set(valid.subarray(1, 33), 1);
    assert.throws(() => peelOnion(packet, key.privateScalar, ASSOCIATED_DATA), OnionError);
  }
});

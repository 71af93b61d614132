import assert from "node:assert/strict";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { announce, MAGIC, testNode, update } from "./_gossip_testing.ts";
import {
  compareBytes,
  decodeChannelAnnouncement,
  decodeChannelUpdate,
  decodeNodeAnnouncement,
  encodeChannelAnnouncement,
  encodeChannelUpdate,
  encodeNodeAnnouncement,
} from "./gossip_messages.ts";
import {
  signNodeAnnouncement,
  verifyChannelAnnouncement,
  verifyChannelUpdate,
  verifyNodeAnnouncement,
} from "./gossip_signatures.ts";

const [A, B] = [testNode(1), testNode(2)];
const TESTNET = new Uint8Array([0xd9, 0x52, 0x4e, 0x02]);

Deno.test("signChannelAnnouncement() puts the lesser node id first with its funding key", () => {
  const ab = announce(A, B, 77n);
  assert.deepEqual(announce(B, A, 77n), ab);
  assert.ok(verifyChannelAnnouncement(ab, MAGIC));
  assert.ok(compareBytes(ab.nodeId1, ab.nodeId2) < 0);
  const [first, second] = compareBytes(A.id, B.id) < 0 ? [A, B] : [B, A];
  assert.deepEqual(ab.nodeId1, first.id);
  assert.deepEqual(ab.fundingKey1, keyPairFromSeed(first.fundingSeed).publicKey);
  assert.deepEqual(ab.fundingKey2, keyPairFromSeed(second.fundingSeed).publicKey);
});

Deno.test("verifyChannelAnnouncement() fails when any byte of the message is flipped", () => {
  const bytes = encodeChannelAnnouncement(announce(A, B, 77n));
  // Every fifth byte, so each of the four signatures and every signed field is hit.
  for (let i = 0; i < bytes.length; i += 5) {
    const flipped = bytes.slice();
    flipped[i]! ^= 1;
    let decoded;
    try {
      decoded = decodeChannelAnnouncement(flipped);
    } catch {
      continue; // a flip that breaks the node order does not even decode
    }
    assert.equal(verifyChannelAnnouncement(decoded, MAGIC), false, `byte ${i}`);
  }
});

Deno.test("verifyChannelAnnouncement() fails on another network's magic", () => {
  assert.equal(verifyChannelAnnouncement(announce(A, B, 77n), TESTNET), false);
});

Deno.test("verifyChannelUpdate() accepts the origin's signature only", () => {
  const u = update(A, B, 77n);
  assert.ok(verifyChannelUpdate(u, A.id, MAGIC));
  assert.equal(verifyChannelUpdate(u, B.id, MAGIC), false);
  assert.equal(verifyChannelUpdate(u, A.id, TESTNET), false);
  const bytes = encodeChannelUpdate(u);
  for (const i of [0, 63, 64, 72, 80, 81, 85, 93, 101, 108]) {
    const flipped = bytes.slice();
    flipped[i]! ^= 1;
    let decoded;
    try {
      decoded = decodeChannelUpdate(flipped);
    } catch {
      continue;
    }
    assert.equal(verifyChannelUpdate(decoded, A.id, MAGIC), false, `byte ${i}`);
  }
});

Deno.test("verifyNodeAnnouncement() fails when a byte is flipped", () => {
  const ann = signNodeAnnouncement(
    {
      timestamp: 1_796_000_000,
      alias: "alice",
      addresses: [{ network: 1, bytes: new Uint8Array([10, 0, 0, 1]), port: 9735 }],
    },
    A.seed,
    MAGIC,
  );
  assert.deepEqual(ann.nodeId, A.id);
  assert.ok(verifyNodeAnnouncement(ann, MAGIC));
  assert.equal(verifyNodeAnnouncement(ann, TESTNET), false);
  const bytes = encodeNodeAnnouncement(ann);
  for (let i = 0; i < bytes.length; i += 7) {
    const flipped = bytes.slice();
    flipped[i]! ^= 1;
    let decoded;
    try {
      decoded = decodeNodeAnnouncement(flipped);
    } catch {
      continue;
    }
    assert.equal(verifyNodeAnnouncement(decoded, MAGIC), false, `byte ${i}`);
  }
});

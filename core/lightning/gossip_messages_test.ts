import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { announce, testNode, update } from "./_gossip_testing.ts";
import {
  CHANNEL_ANNOUNCEMENT_BYTES,
  CHANNEL_UPDATE_BYTES,
  type ChannelUpdate,
  decodeChannelAnnouncement,
  decodeChannelUpdate,
  decodeGossipMessage,
  decodeNodeAnnouncement,
  encodeChannelAnnouncement,
  encodeChannelUpdate,
  encodeGossipMessage,
  encodeNodeAnnouncement,
  type NodeAnnouncement,
} from "./gossip_messages.ts";

const [A, B] = [testNode(1), testNode(2)];
const ANNOUNCEMENT = announce(A, B, (700n << 32n) | (3n << 16n) | 1n);
const UPDATE = update(A, B, ANNOUNCEMENT.shortChannelId, {
  disabled: true,
  htlcMinimumMres: 5n,
  htlcMaximumMres: 2n ** 64n - 1n,
  feeBaseMres: 0xffff_ffff,
});
const NODE_ANN: NodeAnnouncement = {
  signature: new Uint8Array(64).fill(7),
  nodeId: A.id,
  timestamp: 1_796_000_000,
  alias: "résonance ⚡",
  addresses: [
    { network: 1, bytes: new Uint8Array([127, 0, 0, 1]), port: 9735 },
    { network: 2, bytes: new Uint8Array(16).fill(0x20), port: 1 },
    { network: 4, bytes: new Uint8Array(32).fill(9), port: 65535 },
  ],
};

Deno.test("channel_announcement encodes to 392 bytes and round-trips", () => {
  const bytes = encodeChannelAnnouncement(ANNOUNCEMENT);
  assert.equal(bytes.length, CHANNEL_ANNOUNCEMENT_BYTES);
  assert.deepEqual(decodeChannelAnnouncement(bytes), ANNOUNCEMENT);
  assert.deepEqual(encodeChannelAnnouncement(decodeChannelAnnouncement(bytes)), bytes);
  // Fixed offsets: the short channel id (little-endian) at 256, node ids at 264 and 296.
  assert.equal(new DataView(bytes.buffer).getBigUint64(256, true), ANNOUNCEMENT.shortChannelId);
  assert.deepEqual(bytes.slice(264, 296), ANNOUNCEMENT.nodeId1);
  assert.deepEqual(bytes.slice(360, 392), ANNOUNCEMENT.fundingKey2);
});

Deno.test("channel_update encodes to 109 bytes, round-trips and keeps flags", () => {
  const bytes = encodeChannelUpdate(UPDATE);
  assert.equal(bytes.length, CHANNEL_UPDATE_BYTES);
  const back = decodeChannelUpdate(bytes);
  assert.deepEqual(back, UPDATE);
  assert.equal(back.disabled, true);
  assert.equal(bytes[80], UPDATE.direction | 2); // flags after signature 64, id 8, timestamp 8
  assert.deepEqual(encodeChannelUpdate(back), bytes);
});

Deno.test("node_announcement round-trips with a UTF-8 alias and three address kinds", () => {
  const bytes = encodeNodeAnnouncement(NODE_ANN);
  assert.deepEqual(decodeNodeAnnouncement(bytes), NODE_ANN);
  assert.deepEqual(encodeNodeAnnouncement(decodeNodeAnnouncement(bytes)), bytes);
  const empty = { ...NODE_ANN, alias: "", addresses: [] };
  assert.deepEqual(decodeNodeAnnouncement(encodeNodeAnnouncement(empty)), empty);
});

Deno.test("gossip decoders reject every truncation and a trailing byte", () => {
  checkTruncations(decodeChannelAnnouncement, encodeChannelAnnouncement(ANNOUNCEMENT));
  checkTruncations(decodeChannelUpdate, encodeChannelUpdate(UPDATE));
  checkTruncations(decodeNodeAnnouncement, encodeNodeAnnouncement(NODE_ANN));
});

Deno.test("gossip decoders only ever throw DecodeError on seeded random input", () => {
  checkRandomInputs(decodeChannelAnnouncement, encodeChannelAnnouncement(ANNOUNCEMENT), 400, 11);
  checkRandomInputs(decodeChannelUpdate, encodeChannelUpdate(UPDATE), 400, 12);
  checkRandomInputs(decodeNodeAnnouncement, encodeNodeAnnouncement(NODE_ANN), 400, 13);
});

function rejects(decode: (b: Uint8Array) => unknown, bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(() => decode(bytes), (e: unknown) => {
    assert.ok(e instanceof DecodeError, `expected DecodeError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

Deno.test("decodeChannelAnnouncement() rejects node ids out of order and equal funding keys", () => {
  const bytes = encodeChannelAnnouncement(ANNOUNCEMENT);
  const swapped = bytes.slice();
  swapped.set(bytes.subarray(296, 328), 264);
  swapped.set(bytes.subarray(264, 296), 296);
  rejects(decodeChannelAnnouncement, swapped, /node_id_1 must sort before node_id_2/);
  const sameNode = bytes.slice();
  sameNode.set(bytes.subarray(264, 296), 296);
  rejects(decodeChannelAnnouncement, sameNode, /node_id_1 must sort before node_id_2/);
  const sameFunding = bytes.slice();
  sameFunding.set(bytes.subarray(328, 360), 360);
  rejects(decodeChannelAnnouncement, sameFunding, /funding keys must differ/);
});

Deno.test("decodeChannelUpdate() rejects unknown flag bits and a minimum above the maximum", () => {
  const bytes = encodeChannelUpdate(UPDATE);
  for (const bit of [4, 8, 0x80]) {
    const flagged = bytes.slice();
    flagged[80]! |= bit;
    rejects(decodeChannelUpdate, flagged, /unknown flag bits/);
  }
  const inverted = bytes.slice();
  const view = new DataView(inverted.buffer);
  view.setBigUint64(85, 10n, true); // htlc minimum
  view.setBigUint64(93, 9n, true); // htlc maximum
  rejects(decodeChannelUpdate, inverted, /htlc minimum 10 exceeds maximum 9/);
});

Deno.test("decodeChannelUpdate() rejects a timestamp beyond 2^53 - 1", () => {
  const bytes = encodeChannelUpdate(UPDATE);
  new DataView(bytes.buffer).setBigUint64(72, 2n ** 53n, true);
  rejects(decodeChannelUpdate, bytes, /exceeds 2\^53 - 1/);
});

Deno.test("decodeNodeAnnouncement() rejects a bad alias, address or address count", () => {
  const bytes = encodeNodeAnnouncement(NODE_ANN);
  const aliasAt = 64 + 32 + 8;
  const notUtf8 = bytes.slice();
  notUtf8[aliasAt] = 0xff;
  rejects(decodeNodeAnnouncement, notUtf8, /alias is not UTF-8/);
  const afterNul = bytes.slice();
  afterNul[aliasAt + 31] = 0x41;
  rejects(decodeNodeAnnouncement, afterNul, /alias has bytes after its NUL/);
  const countAt = aliasAt + 32;
  const unknownNetwork = bytes.slice();
  unknownNetwork[countAt + 1] = 3;
  rejects(decodeNodeAnnouncement, unknownNetwork, /unknown network 3/);
  const tooMany = bytes.slice();
  tooMany[countAt] = 9;
  rejects(decodeNodeAnnouncement, tooMany, /exceeds maximum 8/);
  const mapped = encodeNodeAnnouncement({
    ...NODE_ANN,
    addresses: [{
      network: 2,
      bytes: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]),
      port: 1,
    }],
  });
  rejects(decodeNodeAnnouncement, mapped, /IPv4-mapped/);
});

Deno.test("gossip encoders refuse values their decoders would refuse", () => {
  const u: ChannelUpdate = { ...UPDATE, htlcMinimumMres: 2n, htlcMaximumMres: 1n };
  assert.throws(() => encodeChannelUpdate(u), RangeError);
  assert.throws(() => encodeChannelUpdate({ ...UPDATE, timeLockDeltaSecs: 2 ** 32 }), RangeError);
  assert.throws(
    () => encodeChannelAnnouncement({ ...ANNOUNCEMENT, nodeId1: ANNOUNCEMENT.nodeId2 }),
    /nodeId1 must sort before nodeId2/,
  );
  assert.throws(() => encodeNodeAnnouncement({ ...NODE_ANN, alias: "x".repeat(33) }), RangeError);
  assert.throws(() => encodeNodeAnnouncement({ ...NODE_ANN, alias: "a\0b" }), /NUL/);
  const nine = Array.from({ length: 9 }, () => NODE_ANN.addresses[0]!);
  assert.throws(() => encodeNodeAnnouncement({ ...NODE_ANN, addresses: nine }), RangeError);
});

Deno.test("gossip messages put each field at the offset PROTOCOL §9.9 states", () => {
  const u = encodeChannelUpdate(UPDATE);
  const view = new DataView(u.buffer);
  assert.equal(view.getBigUint64(64, true), UPDATE.shortChannelId);
  assert.equal(view.getBigUint64(72, true), BigInt(UPDATE.timestamp));
  assert.equal(view.getUint32(81, true), UPDATE.timeLockDeltaSecs);
  assert.equal(view.getBigUint64(85, true), UPDATE.htlcMinimumMres);
  assert.equal(view.getBigUint64(93, true), UPDATE.htlcMaximumMres);
  assert.equal(view.getUint32(101, true), UPDATE.feeBaseMres);
  assert.equal(view.getUint32(105, true), UPDATE.feeProportionalMillionths);
  const n = encodeNodeAnnouncement(NODE_ANN);
  assert.deepEqual(n.slice(64, 96), NODE_ANN.nodeId);
  assert.equal(new DataView(n.buffer).getBigUint64(96, true), BigInt(NODE_ANN.timestamp));
  assert.equal(new TextDecoder().decode(n.slice(104, 104 + 14)), NODE_ANN.alias);
  assert.equal(n[136], NODE_ANN.addresses.length);
  assert.deepEqual([...n.subarray(137, 144)], [1, 127, 0, 0, 1, 0x07, 0x26]); // port 9735 LE
  const a = encodeChannelAnnouncement(ANNOUNCEMENT);
  assert.deepEqual(a.slice(296, 328), ANNOUNCEMENT.nodeId2);
  assert.deepEqual(a.slice(328, 360), ANNOUNCEMENT.fundingKey1);
});

Deno.test("decodeGossipMessage() dispatches on the id byte and refuses other ids", () => {
  const messages = [
    { kind: "channel_announcement", message: ANNOUNCEMENT },
    { kind: "node_announcement", message: NODE_ANN },
    { kind: "channel_update", message: UPDATE },
  ] as const;
  assert.deepEqual(messages.map((m) => encodeGossipMessage(m)[0]), [0xb0, 0xb1, 0xb2]);
  for (const m of messages) {
    const bytes = encodeGossipMessage(m);
    assert.deepEqual(decodeGossipMessage(bytes), m);
    checkTruncations(decodeGossipMessage, bytes);
  }
  rejects(decodeGossipMessage, new Uint8Array([0xb3, 0]), /not a gossip message id: 0xb3/);
  rejects(decodeGossipMessage, new Uint8Array(), /empty/);
});

import assert from "node:assert/strict";
import { checkRandomInputs, checkTruncations, expectDecodeError } from "../encoding/_testing.ts";
import {
  type ChannelMessage,
  ChannelMessageId,
  decodeChannelMessage,
  encodeChannelMessage,
  MAX_FAIL_REASON_BYTES,
} from "./channel_messages.ts";
import { ONION_PACKET_BYTES } from "./sphinx.ts";

const channelId = new Uint8Array(32).fill(0xc4);
const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

const SAMPLES: ChannelMessage[] = [
  {
    type: "update_add_htlc",
    channelId,
    id: 7n,
    amountMres: 123_456_789n,
    paymentHash: bytes(32, 1),
    expirySecs: 1_800_000_000,
    onion: bytes(ONION_PACKET_BYTES, 2),
  },
  { type: "update_fulfill_htlc", channelId, id: 2n ** 64n - 1n, preimage: bytes(32, 3) },
  { type: "update_fail_htlc", channelId, id: 0n, reason: bytes(292, 4) },
  { type: "update_fail_htlc", channelId, id: 1n, reason: new Uint8Array(0) },
  { type: "update_fee", channelId, feeratePerByte: 0xffff_ffff },
  {
    type: "update_fail_malformed_htlc",
    channelId,
    id: 9n,
    sha256OfOnion: bytes(32, 9),
    failureCode: 0xc005,
  },
  { type: "commitment_signed", channelId, signature: bytes(64, 5) },
  {
    type: "revoke_and_ack",
    channelId,
    perCommitmentSecret: bytes(32, 6),
    nextPerCommitmentPoint: bytes(32, 7),
  },
  {
    type: "channel_reestablish",
    channelId,
    nextCommitmentNumber: 2n ** 48n - 1n,
    nextRevocationNumber: 0n,
    yourLastPerCommitmentSecret: bytes(32, 0),
    myCurrentPerCommitmentPoint: bytes(32, 8),
  },
];

Deno.test("encodeChannelMessage() and decodeChannelMessage() round-trip every message", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeChannelMessage(message);
    assert.equal(id, ChannelMessageId[message.type]);
    const decoded = decodeChannelMessage(id, payload);
    assert.deepEqual(decoded, message);
    assert.deepEqual(encodeChannelMessage(decoded).payload, payload);
  }
});

Deno.test("channel message ids are BOLT 2's and lie in the ln_* range", () => {
  for (const id of Object.values(ChannelMessageId)) assert.ok(id >= 0x80 && id <= 0xbf);
  assert.deepEqual(Object.values(ChannelMessageId), [
    0x80,
    0x82,
    0x83,
    0x84,
    0x85,
    0x86,
    0x87,
    0x88,
  ]);
});

Deno.test("update_add_htlc has its fields at fixed offsets", () => {
  const { payload } = encodeChannelMessage(SAMPLES[0]!);
  assert.equal(payload.length, 32 + 8 + 8 + 32 + 8 + ONION_PACKET_BYTES);
  const view = new DataView(payload.buffer);
  assert.equal(view.getBigUint64(32, true), 7n);
  assert.equal(view.getBigUint64(40, true), 123_456_789n);
  assert.equal(payload[48], 1);
  assert.equal(view.getBigUint64(80, true), 1_800_000_000n);
  assert.equal(payload[88], 2);
});

Deno.test("decodeChannelMessage() rejects every truncation and a trailing byte", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeChannelMessage(message);
    checkTruncations((b) => decodeChannelMessage(id, b), payload);
  }
});

Deno.test("decodeChannelMessage() rejects unknown ids, long reasons, big commitment numbers and expiries", () => {
  expectDecodeError(() => decodeChannelMessage(0x81, new Uint8Array(40)), "id 0x81");
  expectDecodeError(() => decodeChannelMessage(0x89, new Uint8Array(40)), "id 0x89");
  const long = encodeChannelMessage({
    type: "update_fail_htlc",
    channelId,
    id: 0n,
    reason: bytes(MAX_FAIL_REASON_BYTES, 1),
  }).payload;
  // Raise the CompactSize length (0xfd 00 04 = 1024) to 1025 and add a byte.
  const longer = new Uint8Array(long.length + 1);
  longer.set(long);
  longer[41] = 0x01;
  longer[42] = 0x04;
  expectDecodeError(() => decodeChannelMessage(0x83, longer), "reason of 1025 bytes");
  const reestablish = encodeChannelMessage(SAMPLES[8]!).payload.slice();
  reestablish[38] = 1; // next_commitment_number = 2^48 + (2^48 - 1)
  expectDecodeError(() => decodeChannelMessage(0x88, reestablish), "commitment number ≥ 2^48");
  const add = encodeChannelMessage(SAMPLES[0]!).payload.slice();
  add[87] = 0x80; // expiry above 2^53 − 1
  expectDecodeError(() => decodeChannelMessage(0x80, add), "expiry above 2^53 − 1");
});

Deno.test("decodeChannelMessage() only ever throws DecodeError on random input", () => {
  let seed = 1;
  for (const message of SAMPLES) {
    const { id, payload } = encodeChannelMessage(message);
    checkRandomInputs((b) => decodeChannelMessage(id, b), payload, 300, seed++);
  }
});

Deno.test("encodeChannelMessage() refuses fields of the wrong size", () => {
  assert.throws(
    () => encodeChannelMessage({ ...SAMPLES[6]!, signature: bytes(63, 0) } as ChannelMessage),
    RangeError,
  );
  assert.throws(
    () => encodeChannelMessage({ ...SAMPLES[2]!, reason: bytes(1025, 0) } as ChannelMessage),
    RangeError,
  );
});

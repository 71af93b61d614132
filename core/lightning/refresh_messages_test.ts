import assert from "node:assert/strict";
import { checkRandomInputs, checkTruncations, expectDecodeError } from "../encoding/_testing.ts";
import { ChannelMessageId } from "./channel_messages.ts";
import { isOpenMessageId, OpenMessageId } from "./channel_open_messages.ts";
import {
  CHANNEL_ANNOUNCEMENT_MESSAGE_ID,
  CHANNEL_UPDATE_MESSAGE_ID,
  NODE_ANNOUNCEMENT_MESSAGE_ID,
} from "./gossip_messages.ts";
import { GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID } from "./gossip_query.ts";
import {
  decodeRefreshMessage,
  encodeRefreshMessage,
  isRefreshMessageId,
  type RefreshMessage,
  RefreshMessageId,
} from "./refresh_messages.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const id32 = bytes(32, 0xc4);

const SAMPLES: RefreshMessage[] = [
  { type: "refresh_propose", channelId: id32, feeResonances: 369n, commitSignature: bytes(64, 1) },
  {
    type: "refresh_accept",
    channelId: id32,
    commitSignature: bytes(64, 2),
    refreshSignature: bytes(64, 3),
  },
  { type: "refresh_complete", channelId: id32, refreshSignature: bytes(64, 4) },
];

Deno.test("encodeRefreshMessage() and decodeRefreshMessage() round-trip every message", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeRefreshMessage(message);
    assert.equal(id, RefreshMessageId[message.type]);
    const decoded = decodeRefreshMessage(id, payload);
    assert.deepEqual(decoded, message);
    assert.deepEqual(encodeRefreshMessage(decoded).payload, payload);
  }
});

Deno.test("refresh_* payloads have their fields at fixed offsets", () => {
  const [propose, accept, complete] = SAMPLES.map((m) => encodeRefreshMessage(m).payload);
  assert.equal(propose!.length, 32 + 8 + 64);
  assert.equal(new DataView(propose!.buffer, propose!.byteOffset).getBigUint64(32, true), 369n);
  assert.deepEqual(propose!.slice(40), bytes(64, 1));
  assert.equal(accept!.length, 32 + 64 + 64);
  assert.deepEqual(accept!.slice(96), bytes(64, 3));
  assert.equal(complete!.length, 32 + 64);
});

Deno.test("refresh message ids clash with no update, open or gossip message", () => {
  const taken = new Set<number>([
    ...Object.values(ChannelMessageId),
    ...Object.values(OpenMessageId),
    CHANNEL_ANNOUNCEMENT_MESSAGE_ID,
    NODE_ANNOUNCEMENT_MESSAGE_ID,
    CHANNEL_UPDATE_MESSAGE_ID,
    GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID,
  ]);
  for (const id of Object.values(RefreshMessageId)) {
    assert.ok(id >= 0x80 && id <= 0xbf, `0x${id.toString(16)}`);
    assert.ok(!taken.has(id), `0x${id.toString(16)} is taken`);
    assert.ok(isRefreshMessageId(id) && !isOpenMessageId(id));
  }
  assert.ok(!isRefreshMessageId(0x9f) && !isRefreshMessageId(0xa3) && !isRefreshMessageId(0x97));
});

Deno.test("decodeRefreshMessage() rejects every truncation, a trailing byte and unknown ids", () => {
  for (const message of SAMPLES) {
    const { id, payload } = encodeRefreshMessage(message);
    checkTruncations((b) => decodeRefreshMessage(id, b), payload);
  }
  expectDecodeError(() => decodeRefreshMessage(0xa3, new Uint8Array(96)), "id 0xa3");
  expectDecodeError(() => decodeRefreshMessage(0x9f, new Uint8Array(96)), "id 0x9f");
});

Deno.test("decodeRefreshMessage() only ever throws DecodeError on random input", () => {
  let seed = 7;
  for (const message of SAMPLES) {
    const { id, payload } = encodeRefreshMessage(message);
    checkRandomInputs((b) => decodeRefreshMessage(id, b), payload, 300, seed++);
  }
});

Deno.test("encodeRefreshMessage() refuses fields of the wrong size or range", () => {
  assert.throws(
    () => encodeRefreshMessage({ ...SAMPLES[2]!, channelId: bytes(31, 0) } as RefreshMessage),
    /channel id must be 32 bytes, got 31/,
  );
  assert.throws(
    () =>
      encodeRefreshMessage({ ...SAMPLES[1]!, refreshSignature: bytes(63, 0) } as RefreshMessage),
    /refresh signature must be 64 bytes, got 63/,
  );
  assert.throws(
    () => encodeRefreshMessage({ ...SAMPLES[0]!, feeResonances: -1n } as RefreshMessage),
    /refresh fee is not a u64: -1/,
  );
});

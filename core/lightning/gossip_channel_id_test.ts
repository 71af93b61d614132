import assert from "node:assert/strict";
import {
  formatShortChannelId,
  shortChannelIdFromHintBytes,
  shortChannelIdOf,
  shortChannelIdParts,
  shortChannelIdToHintBytes,
} from "./gossip_channel_id.ts";

Deno.test("shortChannelIdOf() packs height, tx index and output index most significant first", () => {
  const id = shortChannelIdOf({ height: 0x01020304, txIndex: 0x0506, outputIndex: 0x0708 });
  assert.equal(id, 0x0102030405060708n);
  assert.deepEqual(shortChannelIdParts(id), {
    height: 0x01020304,
    txIndex: 0x0506,
    outputIndex: 0x0708,
  });
  assert.equal(formatShortChannelId(id), "16909060x1286x1800");
  const max = shortChannelIdOf({ height: 2 ** 32 - 1, txIndex: 65535, outputIndex: 65535 });
  assert.equal(max, 2n ** 64n - 1n);
});

Deno.test("shortChannelIdOf() refuses parts out of range", () => {
  assert.throws(() => shortChannelIdOf({ height: 2 ** 32, txIndex: 0, outputIndex: 0 }), /height/);
  assert.throws(() => shortChannelIdOf({ height: 1, txIndex: 65536, outputIndex: 0 }), /txIndex/);
  assert.throws(() => shortChannelIdOf({ height: 1, txIndex: 0, outputIndex: -1 }), /outputIndex/);
  assert.throws(() => shortChannelIdParts(2n ** 64n), RangeError);
});

Deno.test("a route hint's channel id is the short channel id as u64 big-endian", () => {
  const id = shortChannelIdOf({ height: 700, txIndex: 3, outputIndex: 1 });
  const bytes = shortChannelIdToHintBytes(id);
  assert.deepEqual([...bytes], [0, 0, 2, 188, 0, 3, 0, 1]);
  assert.equal(shortChannelIdFromHintBytes(bytes), id);
  assert.throws(() => shortChannelIdFromHintBytes(new Uint8Array(7)), RangeError);
});

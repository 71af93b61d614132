import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import {
  decodeGossipTimestampFilter,
  encodeGossipTimestampFilter,
  inGossipWindow,
} from "./gossip_query.ts";

Deno.test("gossip_timestamp_filter round-trips as u64 ‖ u32 and refuses other lengths", () => {
  const filter = { firstTimestamp: 1_800_000_000, timestampRange: 0xffff_ffff };
  const bytes = encodeGossipTimestampFilter(filter);
  assert.equal(bytes.length, 12);
  assert.equal(new DataView(bytes.buffer).getBigUint64(0, true), 1_800_000_000n);
  assert.deepEqual(decodeGossipTimestampFilter(bytes), filter);
  for (const n of [0, 11, 13]) {
    assert.throws(() => decodeGossipTimestampFilter(new Uint8Array(n)), DecodeError);
  }
  const huge = bytes.slice();
  new DataView(huge.buffer).setBigUint64(0, 2n ** 53n, true);
  assert.throws(() => decodeGossipTimestampFilter(huge), DecodeError);
  assert.throws(
    () => encodeGossipTimestampFilter({ firstTimestamp: -1, timestampRange: 1 }),
    RangeError,
  );
  assert.throws(
    () => encodeGossipTimestampFilter({ firstTimestamp: 1, timestampRange: 2 ** 32 }),
    RangeError,
  );
});

Deno.test("inGossipWindow() includes the first second and excludes first + range", () => {
  const filter = { firstTimestamp: 100, timestampRange: 10 };
  assert.deepEqual([99, 100, 109, 110].map((t) => inGossipWindow(filter, t)), [
    false,
    true,
    true,
    false,
  ]);
});

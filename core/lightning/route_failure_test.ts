import assert from "node:assert/strict";
import { channelUpdateOfFailure, FailureCode, failureWithUpdate } from "./route_failure.ts";
import type { ChannelUpdate } from "./gossip_messages.ts";

const UPDATE: ChannelUpdate = {
  signature: new Uint8Array(64).fill(3),
  shortChannelId: 9n,
  timestamp: 5,
  direction: 1,
  disabled: true,
  timeLockDeltaSecs: 60,
  htlcMinimumMres: 1n,
  htlcMaximumMres: 100n,
  feeBaseMres: 2,
  feeProportionalMillionths: 3,
};

Deno.test("failureWithUpdate() lays out each code's prefix, length and update", () => {
  const withAmount = failureWithUpdate(
    FailureCode.FEE_INSUFFICIENT,
    UPDATE,
    new Uint8Array(8).fill(1),
  );
  assert.equal(withAmount.data.length, 8 + 2 + 109);
  assert.deepEqual([...withAmount.data.subarray(8, 10)], [0, 109]);
  assert.deepEqual(channelUpdateOfFailure(withAmount), UPDATE);
  const disabled = failureWithUpdate(FailureCode.CHANNEL_DISABLED, UPDATE);
  assert.equal(disabled.data.length, 2 + 2 + 109);
  assert.deepEqual(channelUpdateOfFailure(disabled), UPDATE);
  assert.deepEqual(
    channelUpdateOfFailure(failureWithUpdate(FailureCode.TEMPORARY_CHANNEL_FAILURE, UPDATE)),
    UPDATE,
  );
  assert.throws(
    () => failureWithUpdate(FailureCode.PERMANENT_NODE_FAILURE, UPDATE),
    /carries no channel_update/,
  );
  assert.throws(
    () => failureWithUpdate(FailureCode.FEE_INSUFFICIENT, UPDATE, new Uint8Array(4)),
    /8-byte prefix/,
  );
});

Deno.test("channelUpdateOfFailure() ignores codes without an update and garbled data", () => {
  const good = failureWithUpdate(FailureCode.EXPIRY_TOO_SOON, UPDATE);
  assert.equal(
    channelUpdateOfFailure({ code: FailureCode.UNKNOWN_NEXT_PEER, data: good.data }),
    undefined,
  );
  assert.equal(
    channelUpdateOfFailure({ code: good.code, data: good.data.subarray(0, 50) }),
    undefined,
  );
  assert.equal(channelUpdateOfFailure({ code: good.code, data: new Uint8Array(1) }), undefined);
  const badFlags = good.data.slice();
  badFlags[2 + 80] = 0xf0;
  assert.equal(channelUpdateOfFailure({ code: good.code, data: badFlags }), undefined);
  assert.equal(
    channelUpdateOfFailure({ code: good.code, data: new Uint8Array([...good.data, 0]) }),
    undefined,
  );
});

import assert from "node:assert/strict";
import type { ChannelUpdate } from "./gossip_messages.ts";
import { channelUpdateOfFailure, FailureCode } from "./route_failure.ts";
import { checkFinalHop, checkForward, type ForwardRequest } from "./route_forward.ts";

const NOW = 1_800_000_000;
const UPDATE: ChannelUpdate = {
  signature: new Uint8Array(64).fill(1),
  shortChannelId: 7n,
  timestamp: NOW - 60,
  direction: 0,
  disabled: false,
  timeLockDeltaSecs: 600,
  htlcMinimumMres: 1000n,
  htlcMaximumMres: 10n ** 9n,
  feeBaseMres: 1000,
  feeProportionalMillionths: 100,
};
// Forwarding 1,000,000 costs 1000 + 100 = 1100: the exact incoming amount is 1,001,100.
const OK: ForwardRequest = {
  incomingAmountMres: 1_001_100n,
  incomingExpirySecs: NOW + 10_000 + 600,
  payload: {
    amountToForwardMres: 1_000_000n,
    outgoingExpirySecs: NOW + 10_000,
    shortChannelId: 7n,
  },
  outgoingUpdate: UPDATE,
  nowSecs: NOW,
};

function code(request: ForwardRequest): number | undefined {
  return checkForward(request)?.code;
}

Deno.test("checkForward() accepts the exact fee and delta, and refuses one mres or second less", () => {
  assert.equal(checkForward(OK), undefined);
  assert.equal(code({ ...OK, incomingAmountMres: 1_001_099n }), FailureCode.FEE_INSUFFICIENT);
  assert.equal(
    code({ ...OK, incomingExpirySecs: NOW + 10_599 }),
    FailureCode.INCORRECT_CLTV_EXPIRY,
  );
  const fee = checkForward({ ...OK, incomingAmountMres: 1_001_099n })!;
  assert.deepEqual(channelUpdateOfFailure(fee), UPDATE);
  assert.equal(new DataView(fee.data.buffer).getBigUint64(0), 1_001_099n);
});

Deno.test("checkForward() names each policy failure and encloses the current update", () => {
  const cases: [Partial<ForwardRequest>, number][] = [
    [{ outgoingUpdate: undefined }, FailureCode.UNKNOWN_NEXT_PEER],
    [{ outgoingUpdate: { ...UPDATE, shortChannelId: 8n } }, FailureCode.UNKNOWN_NEXT_PEER],
    [{ outgoingUpdate: { ...UPDATE, disabled: true } }, FailureCode.CHANNEL_DISABLED],
    [{ payload: { ...OK.payload, amountToForwardMres: 999n } }, FailureCode.AMOUNT_BELOW_MINIMUM],
    [
      { outgoingUpdate: { ...UPDATE, htlcMaximumMres: 999_999n } },
      FailureCode.TEMPORARY_CHANNEL_FAILURE,
    ],
    [{ nowSecs: NOW + 10_000 - 3599 }, FailureCode.EXPIRY_TOO_SOON],
    [{ maxExpiryAheadSecs: 10_599 }, FailureCode.EXPIRY_TOO_FAR],
  ];
  for (const [change, expected] of cases) {
    const failure = checkForward({ ...OK, ...change });
    assert.equal(failure?.code, expected, `expected 0x${expected.toString(16)}`);
    if (expected & 0x1000) {
      assert.ok(channelUpdateOfFailure(failure!), "UPDATE codes carry the update");
    }
  }
  assert.throws(
    () => checkForward({ ...OK, payload: { amountToForwardMres: 1n, outgoingExpirySecs: NOW } }),
    RangeError,
  );
});

Deno.test("checkFinalHop() accepts the invoice's HTLC and hides which detail was wrong", () => {
  const secret = new Uint8Array(32).fill(9);
  const final = {
    incomingAmountMres: 1_000_000n,
    incomingExpirySecs: NOW + 10_800,
    payload: {
      amountToForwardMres: 1_000_000n,
      outgoingExpirySecs: NOW + 10_800,
      paymentSecret: secret,
      totalAmountMres: 1_000_000n,
    },
    paymentSecret: secret,
    invoiceAmountMres: 1_000_000n as bigint | undefined,
    minFinalDeltaSecs: 10_800,
    nowSecs: NOW,
  };
  assert.equal(checkFinalHop(final), undefined);
  assert.equal(checkFinalHop({ ...final, invoiceAmountMres: undefined }), undefined);
  const details = FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS;
  assert.equal(checkFinalHop({ ...final, paymentSecret: new Uint8Array(32) })?.code, details);
  assert.equal(checkFinalHop({ ...final, invoiceAmountMres: 1_000_001n })?.code, details);
  assert.equal(checkFinalHop({ ...final, nowSecs: NOW + 1 })?.code, details);
  assert.equal(
    checkFinalHop({ ...final, incomingExpirySecs: NOW + 10_799 })?.code,
    FailureCode.FINAL_INCORRECT_CLTV_EXPIRY,
  );
  assert.equal(
    checkFinalHop({ ...final, incomingAmountMres: 999_999n })?.code,
    FailureCode.FINAL_INCORRECT_HTLC_AMOUNT,
  );
  // More than the payload says is allowed (BOLT 4), a payer may blur the route's length.
  assert.equal(
    checkFinalHop({ ...final, incomingAmountMres: 1_000_001n, incomingExpirySecs: NOW + 10_801 }),
    undefined,
  );
  const forwarding = { ...final, payload: { ...final.payload, shortChannelId: 1n } };
  assert.equal(checkFinalHop(forwarding)?.code, details);
});

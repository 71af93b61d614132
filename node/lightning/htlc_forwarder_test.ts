import assert from "node:assert/strict";
import type { ChannelHtlc } from "../../core/lightning/channel_types.ts";
import { attributeError } from "../../core/lightning/error_onion.ts";
import { paymentHashOf } from "../../core/lightning/invoice.ts";
import { onionKeyPairFromNodeSeed } from "../../core/lightning/onion_keys.ts";
import { FailureCode } from "../../core/lightning/route_failure.ts";
import { encodeHopPayload } from "../../core/lightning/route_payload.ts";
import { buildOnion, peelOnion } from "../../core/lightning/sphinx.ts";
import { forwardingFee } from "../../core/lightning/route_find.ts";
import {
  channelAlias,
  FORWARDING_POLICY,
  judgeForward,
  malformedFailurePacket,
  ownChannelUpdate,
} from "./htlc_forwarder.ts";

const hop = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xbb));
const payee = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xcc));
const paymentHash = paymentHashOf(new Uint8Array(32).fill(1));
const NOW = 1_800_000_000;
const OUT = 0x0102030405060708n;
const OUT_AMOUNT = 10_000_000n;
const OUT_EXPIRY = NOW + 12_000;
const update = ownChannelUpdate(
  OUT,
  new Uint8Array(32).fill(1),
  new Uint8Array(32).fill(2),
  10n ** 11n,
  NOW,
);
const updateOf = (scid: bigint) => scid === OUT ? update : undefined;

/** An HTLC to the hop whose onion forwards `OUT_AMOUNT` over `scid` to the payee. */
function htlc(amountMres: bigint, expirySecs: number, scid = OUT) {
  const onion = buildOnion(new Uint8Array(32).fill(7), [
    {
      publicKey: hop.publicKey,
      payload: encodeHopPayload({
        amountToForwardMres: OUT_AMOUNT,
        outgoingExpirySecs: OUT_EXPIRY,
        shortChannelId: scid,
      }),
    },
    {
      publicKey: payee.publicKey,
      payload: encodeHopPayload({
        amountToForwardMres: OUT_AMOUNT,
        outgoingExpirySecs: OUT_EXPIRY,
        paymentSecret: new Uint8Array(32).fill(2),
      }),
    },
  ], paymentHash);
  const h: ChannelHtlc = {
    id: 3n,
    offeredBy: "remote",
    amountMres,
    paymentHash,
    expirySecs,
    onion: onion.packet,
  };
  return { h, sharedSecrets: onion.sharedSecrets };
}

const FEE = forwardingFee(FORWARDING_POLICY, OUT_AMOUNT);
const IN_EXPIRY = OUT_EXPIRY + FORWARDING_POLICY.timeLockDeltaSecs;

Deno.test("judgeForward() sends on the peeled onion when fee and expiry delta are paid", () => {
  const { h } = htlc(OUT_AMOUNT + FEE, IN_EXPIRY);
  const plan = judgeForward(h, hop.privateScalar, updateOf, NOW);
  assert.equal(plan?.kind, "forward");
  if (plan?.kind !== "forward") return;
  assert.equal(plan.shortChannelId, OUT);
  assert.equal(plan.amountMres, OUT_AMOUNT);
  assert.equal(plan.expirySecs, OUT_EXPIRY);
  // The next node peels what we send on: it is the payee.
  const next = peelOnion(plan.onion, payee.privateScalar, paymentHash);
  assert.equal(next.nextPacket, null);
});

Deno.test("judgeForward() leaves an onion without a next hop to the payee's judgement", () => {
  const onion = buildOnion(new Uint8Array(32).fill(7), [{
    publicKey: hop.publicKey,
    payload: encodeHopPayload({
      amountToForwardMres: OUT_AMOUNT,
      outgoingExpirySecs: OUT_EXPIRY,
      paymentSecret: new Uint8Array(32).fill(2),
    }),
  }], paymentHash);
  const h = { ...htlc(OUT_AMOUNT, IN_EXPIRY).h, onion: onion.packet };
  assert.equal(judgeForward(h, hop.privateScalar, updateOf, NOW), undefined);
  // A damaged onion too (judgeIncomingHtlc answers it as malformed).
  const bad = { ...h, onion: h.onion.map((b, i) => i === 40 ? b ^ 1 : b) };
  assert.equal(judgeForward(bad, hop.privateScalar, updateOf, NOW), undefined);
});

/** The failure code the payer decrypts from a failure verdict (hop index 0). */
function payerReads(v: ReturnType<typeof judgeForward>, sharedSecrets: Uint8Array[]) {
  assert.equal(v?.kind, "fail");
  const got = attributeError(sharedSecrets, (v as { reason: Uint8Array }).reason);
  assert.equal(got.kind, "attributed");
  assert.equal((got as { hopIndex: number }).hopIndex, 0);
  return (got as { failure: { code: number } }).failure.code;
}

Deno.test("judgeForward() fails a short fee, a short delta and an unknown channel, readable by the payer", () => {
  const short = htlc(OUT_AMOUNT + FEE - 1n, IN_EXPIRY);
  assert.equal(
    payerReads(judgeForward(short.h, hop.privateScalar, updateOf, NOW), short.sharedSecrets),
    FailureCode.FEE_INSUFFICIENT,
  );
  const early = htlc(OUT_AMOUNT + FEE, IN_EXPIRY - 1);
  assert.equal(
    payerReads(judgeForward(early.h, hop.privateScalar, updateOf, NOW), early.sharedSecrets),
    FailureCode.INCORRECT_CLTV_EXPIRY,
  );
  const unknown = htlc(OUT_AMOUNT + FEE, IN_EXPIRY, 99n);
  assert.equal(
    payerReads(judgeForward(unknown.h, hop.privateScalar, updateOf, NOW), unknown.sharedSecrets),
    FailureCode.UNKNOWN_NEXT_PEER,
  );
});

Deno.test("malformedFailurePacket() reports the next node's malformed code to the payer", () => {
  const { sharedSecrets } = htlc(OUT_AMOUNT + FEE, IN_EXPIRY);
  const hash = new Uint8Array(32).fill(9);
  const got = attributeError(
    sharedSecrets,
    malformedFailurePacket(sharedSecrets[0]!, FailureCode.INVALID_ONION_HMAC, hash),
  );
  assert.equal(got.kind, "attributed");
  if (got.kind !== "attributed") return;
  assert.equal(got.hopIndex, 0);
  assert.equal(got.failure.code, FailureCode.INVALID_ONION_HMAC);
  assert.deepEqual(got.failure.data, hash);
});

Deno.test("channelAlias() reads the channel id's first 8 bytes big-endian", () => {
  const id = new Uint8Array(32).fill(0xff);
  id.set([1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(channelAlias(id), 0x0102030405060708n);
  // The update's direction follows the node ids' order.
  assert.equal(update.direction, 0);
  const back = ownChannelUpdate(
    OUT,
    new Uint8Array(32).fill(2),
    new Uint8Array(32).fill(1),
    1n,
    NOW,
  );
  assert.equal(back.direction, 1);
});

import assert from "node:assert/strict";
import type { ChannelHtlc } from "../../core/lightning/channel_types.ts";
import { attributeError } from "../../core/lightning/error_onion.ts";
import { paymentHashOf } from "../../core/lightning/invoice.ts";
import { onionKeyPairFromNodeSeed } from "../../core/lightning/onion_keys.ts";
import { FailureCode } from "../../core/lightning/route_failure.ts";
import { encodeHopPayload } from "../../core/lightning/route_payload.ts";
import { buildOnion } from "../../core/lightning/sphinx.ts";
import { failureCodeName, judgeIncomingHtlc, type PayeeInvoice } from "./incoming_htlc.ts";

const payee = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xbb));
const other = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xcc));
const preimage = new Uint8Array(32).fill(1);
const paymentHash = paymentHashOf(preimage);
const secret = new Uint8Array(32).fill(2);
const NOW = 1_800_000_000;
const invoice: PayeeInvoice = {
  preimage,
  paymentSecret: secret,
  amountMres: 5_000_000n,
  minFinalDeltaSecs: 3600,
};

/** An HTLC paying `amountMres` with a one-hop onion (or `hops` keys) built as the payer does. */
function htlc(options: {
  amountMres?: bigint;
  payloadAmountMres?: bigint;
  expirySecs?: number;
  paymentSecret?: Uint8Array;
  hops?: Uint8Array[];
}) {
  const amountMres = options.amountMres ?? 5_000_000n;
  const expirySecs = options.expirySecs ?? NOW + 4000;
  const payload = encodeHopPayload({
    amountToForwardMres: options.payloadAmountMres ?? amountMres,
    outgoingExpirySecs: expirySecs,
    paymentSecret: options.paymentSecret ?? secret,
    totalAmountMres: amountMres,
  });
  const keys = options.hops ?? [payee.publicKey];
  const onion = buildOnion(
    new Uint8Array(32).fill(7),
    keys.map((publicKey, i) => ({
      publicKey,
      payload: i + 1 < keys.length
        ? encodeHopPayload({
          amountToForwardMres: amountMres,
          outgoingExpirySecs: expirySecs,
          shortChannelId: 1n,
        })
        : payload,
    })),
    paymentHash,
  );
  const h: ChannelHtlc = {
    id: 0n,
    offeredBy: "remote",
    amountMres,
    paymentHash,
    expirySecs,
    onion: onion.packet,
  };
  return { h, sharedSecrets: onion.sharedSecrets };
}

const known = (hash: Uint8Array) =>
  hash.every((b, i) => b === paymentHash[i]) ? invoice : undefined;

/** The code the payer reads from a failure verdict. */
function payerReads(v: ReturnType<typeof judgeIncomingHtlc>, sharedSecrets: Uint8Array[]) {
  assert.equal(v.kind, "fail");
  const got = attributeError(sharedSecrets, (v as { reason: Uint8Array }).reason);
  assert.equal(got.kind, "attributed");
  return (got as { failure: { code: number } }).failure.code;
}

Deno.test("judgeIncomingHtlc() fulfills an HTLC that pays our invoice with its secret", () => {
  const { h } = htlc({});
  assert.deepEqual(judgeIncomingHtlc(h, payee.privateScalar, known, NOW), {
    kind: "fulfill",
    preimage,
  });
  const more = htlc({ amountMres: 6_000_000n }).h;
  assert.equal(judgeIncomingHtlc(more, payee.privateScalar, known, NOW).kind, "fulfill");
});

Deno.test("judgeIncomingHtlc() fails unknown invoices, wrong secrets, short amounts and early expiries so the payer can read why", () => {
  const details = FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS;
  const unknown = htlc({});
  assert.equal(
    payerReads(
      judgeIncomingHtlc(unknown.h, payee.privateScalar, () => undefined, NOW),
      unknown.sharedSecrets,
    ),
    details,
  );
  const wrongSecret = htlc({ paymentSecret: new Uint8Array(32).fill(9) });
  assert.equal(
    payerReads(
      judgeIncomingHtlc(wrongSecret.h, payee.privateScalar, known, NOW),
      wrongSecret.sharedSecrets,
    ),
    details,
  );
  const short = htlc({ amountMres: 4_000_000n });
  assert.equal(
    payerReads(judgeIncomingHtlc(short.h, payee.privateScalar, known, NOW), short.sharedSecrets),
    details,
  );
  const early = htlc({ expirySecs: NOW + 100 });
  assert.equal(
    payerReads(judgeIncomingHtlc(early.h, payee.privateScalar, known, NOW), early.sharedSecrets),
    details,
  );
  const lessThanOnion = htlc({ payloadAmountMres: 7_000_000n });
  assert.equal(
    payerReads(
      judgeIncomingHtlc(lessThanOnion.h, payee.privateScalar, known, NOW),
      lessThanOnion.sharedSecrets,
    ),
    FailureCode.FINAL_INCORRECT_HTLC_AMOUNT,
  );
});

Deno.test("judgeIncomingHtlc() answers unknown_next_peer to an onion that goes on (no forwarding yet)", () => {
  const twoHops = htlc({ hops: [payee.publicKey, other.publicKey] });
  assert.equal(
    payerReads(
      judgeIncomingHtlc(twoHops.h, payee.privateScalar, known, NOW),
      twoHops.sharedSecrets,
    ),
    FailureCode.UNKNOWN_NEXT_PEER,
  );
});

Deno.test("judgeIncomingHtlc() reports an onion for another key or damaged as malformed", () => {
  const forOther = htlc({ hops: [other.publicKey] }).h;
  const v = judgeIncomingHtlc(forOther, payee.privateScalar, known, NOW);
  assert.equal(v.kind, "malformed");
  assert.equal((v as { code: number }).code, FailureCode.INVALID_ONION_HMAC);
  const damaged = { ...htlc({}).h };
  damaged.onion[0] = 1;
  const w = judgeIncomingHtlc(damaged, payee.privateScalar, known, NOW);
  assert.equal((w as { code: number }).code, FailureCode.INVALID_ONION_VERSION);
});

Deno.test("failureCodeName() gives BOLT 4 names, else the hex code", () => {
  assert.equal(
    failureCodeName(FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS),
    "incorrect_or_unknown_payment_details",
  );
  assert.equal(failureCodeName(0x1234), "0x1234");
});

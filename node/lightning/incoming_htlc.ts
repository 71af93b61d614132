/**
 * What the payee does with an HTLC irrevocably committed to it (BOLT 4 at the final hop): peel
 * the onion with the node key, read the hop payload, find the invoice by payment hash and run
 * `checkFinalHop` (payment secret, amounts, expiry). The answer is a fulfill with the invoice's
 * preimage, a failure wrapped for the payer (an error packet, §9.4), or a malformed-onion failure.
 * Onions with a next hop are `htlc_forwarder.ts`'s (`judgeForward`, run first by the service);
 * here, without a forwarder, such an onion fails with `unknown_next_peer`.
 *
 * @module
 */
import { sha256 } from "@noble/hashes/sha2.js";
import type { ChannelHtlc } from "../../core/lightning/channel_types.ts";
import { createErrorPacket, type FailureMessage } from "../../core/lightning/error_onion.ts";
import { checkFinalHop } from "../../core/lightning/route_forward.ts";
import { decodeHopPayload } from "../../core/lightning/route_payload.ts";
import { FailureCode } from "../../core/lightning/route_failure.ts";
import { OnionError, peelOnion } from "../../core/lightning/sphinx.ts";

/** An invoice as the payee kept it. */
export interface PayeeInvoice {
  readonly preimage: Uint8Array;
  readonly paymentSecret: Uint8Array;
  readonly amountMres: bigint | undefined;
  readonly minFinalDeltaSecs: number;
}

/** The payee's answer to one HTLC. */
export type IncomingVerdict =
  | { readonly kind: "fulfill"; readonly preimage: Uint8Array }
  | { readonly kind: "fail"; readonly reason: Uint8Array; readonly failure: FailureMessage }
  | { readonly kind: "malformed"; readonly sha256OfOnion: Uint8Array; readonly code: number };

const MALFORMED_CODE = {
  "invalid-onion-version": FailureCode.INVALID_ONION_VERSION,
  "invalid-onion-key": FailureCode.INVALID_ONION_KEY,
  "invalid-onion-hmac": FailureCode.INVALID_ONION_HMAC,
  "invalid-onion-payload": FailureCode.INVALID_ONION_PAYLOAD,
} as const;

/**
 * Judges `htlc` at the payee holding the onion key `onionScalar`; `invoiceOf` finds the invoice
 * of a payment hash; `nowSecs` is the chain's median-time-past.
 */
export function judgeIncomingHtlc(
  htlc: ChannelHtlc,
  onionScalar: bigint,
  invoiceOf: (paymentHash: Uint8Array) => PayeeInvoice | undefined,
  nowSecs: number,
): IncomingVerdict {
  let peeled;
  try {
    peeled = peelOnion(htlc.onion, onionScalar, htlc.paymentHash);
  } catch (e) {
    if (!(e instanceof OnionError)) throw e;
    return { kind: "malformed", sha256OfOnion: sha256(htlc.onion), code: MALFORMED_CODE[e.reason] };
  }
  const fail = (failure: FailureMessage): IncomingVerdict => ({
    kind: "fail",
    reason: createErrorPacket(peeled.sharedSecret, failure),
    failure,
  });
  if (peeled.nextPacket !== null) {
    return fail({ code: FailureCode.UNKNOWN_NEXT_PEER, data: new Uint8Array(0) });
  }
  let payload;
  try {
    payload = decodeHopPayload(peeled.payload);
  } catch {
    // BOLT 4: the type and offset of the bad record; rnt reports none (type 0, offset 0).
    return fail({ code: FailureCode.INVALID_ONION_PAYLOAD, data: new Uint8Array(3) });
  }
  const invoice = invoiceOf(htlc.paymentHash);
  const details = (): FailureMessage => {
    const data = new Uint8Array(16);
    const view = new DataView(data.buffer);
    view.setBigUint64(0, htlc.amountMres);
    view.setBigUint64(8, BigInt(nowSecs));
    return { code: FailureCode.INCORRECT_OR_UNKNOWN_PAYMENT_DETAILS, data };
  };
  if (!invoice) return fail(details());
  const failure = checkFinalHop({
    incomingAmountMres: htlc.amountMres,
    incomingExpirySecs: htlc.expirySecs,
    payload,
    paymentSecret: invoice.paymentSecret,
    invoiceAmountMres: invoice.amountMres,
    minFinalDeltaSecs: invoice.minFinalDeltaSecs,
    nowSecs,
  });
  return failure ? fail(failure) : { kind: "fulfill", preimage: invoice.preimage };
}

/** The BOLT 4 name of a failure code (`incorrect_or_unknown_payment_details`), or its hex. */
export function failureCodeName(code: number): string {
  const entry = Object.entries(FailureCode).find(([, v]) => v === code);
  return entry ? entry[0].toLowerCase() : `0x${code.toString(16).padStart(4, "0")}`;
}

/**
 * rnt Lightning invoices: BOLT 11's bech32 format with rnt's prefixes and an Ed25519 payee
 * signature (PROTOCOL.md §9.2).
 *
 * ```
 * invoice = bech32(hrp, data), no length limit
 * hrp     = "ln" + network hrp ("lnrnt", "lntrnt", "lnrrnt") + optional amount (invoice_amount.ts)
 * data    = timestamp (35 bits) ‖ tagged fields ‖ signature (103 words: 64 bytes + 3 zero bits)
 * fields  = p payment hash, s payment secret, d description, x expiry, c min final delta (s),
 *           n payee Ed25519 key (32 bytes), r route hints, 9 features
 * signed  = taggedHash("rnt/ln-invoice", magic, u8 len(hrp) ‖ hrp ‖ data words, one byte each)
 * ```
 *
 * An Ed25519 signature does not reveal its key, so `n` is required and the signature is checked
 * with it (strict RFC 8032). The payment hash is keccak256d of the preimage, as the chain's
 * `hash(H)` policy checks.
 *
 * @module
 */
import { bech32 } from "@scure/base";
import { type NetworkName, type NetworkParams, NETWORKS } from "../consensus/params.ts";
import { keccak256d } from "../crypto/keccak.ts";
import { keyPairFromSeed, sign, verify } from "../crypto/ed25519.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { decodeInvoiceAmount, encodeInvoiceAmount } from "./invoice_amount.ts";
import { InvoiceError } from "./invoice_error.ts";
import {
  bytesToWords,
  FieldType,
  pushField,
  readCommonFields,
  splitDataPart,
  TIMESTAMP_WORDS,
  trailingBits,
  uintToWords,
  wordsToBytes,
} from "./invoice_fields.ts";

/** Tag of the signed invoice hash. */
export const INVOICE_SIGNATURE_TAG = "rnt/ln-invoice";
/** Words of the Ed25519 signature (512 bits + 3 zero bits). */
export const SIGNATURE_WORDS = 103;
/** Words of the `n` field (32 bytes + 4 padding bits). */
export const PAYEE_KEY_WORDS = 52;
/** Expiry when `x` is absent (BOLT 11). */
export const DEFAULT_EXPIRY_SECS = 3600;
/**
 * Min final delta when `c` is absent. rnt timelocks are seconds of median-time-past (block
 * times are organic), so this is BOLT 11's 18 blocks at ten minutes: 3 hours.
 */
export const DEFAULT_MIN_FINAL_DELTA_SECS = 10_800;
/** Longest invoice text read: what a QR code holds in alphanumeric mode. */
export const MAX_INVOICE_CHARS = 7089;
/** Bytes of one route-hint hop: node id 32, channel id 8, fee base 4, fee ppm 4, delta 4. */
export const ROUTE_HINT_HOP_BYTES = 52;
/** Largest description: 1023 words of 5 bits. */
export const MAX_DESCRIPTION_BYTES = 639;

/** One hop of a private route the payee suggests (BOLT 11 `r`, with rnt sizes). */
export interface RouteHintHop {
  /** 32-byte Ed25519 node id of the channel's start. */
  nodeId: Uint8Array;
  /** 8-byte id of the channel. */
  channelId: Uint8Array;
  /** Fee base in milli-resonances (u32). */
  feeBaseMilliResonances: number;
  /** Proportional fee in millionths (u32). */
  feeProportionalMillionths: number;
  /** Timelock delta of the channel in seconds (u32). */
  deltaSecs: number;
}

/** What the payee puts in an invoice (the payee key comes from the signing key). */
export interface InvoiceRequest {
  /** Network whose prefix the invoice carries. */
  network: NetworkName;
  /** Amount in milli-resonances; absent for "any amount". */
  amountMilliResonances?: bigint;
  /** Creation time, seconds since 1970 (< 2^35). */
  timestamp: number;
  /** 32-byte keccak256d of the payment preimage. */
  paymentHash: Uint8Array;
  /** 32-byte payment secret (the payer puts it in the final onion payload). */
  paymentSecret: Uint8Array;
  /** Description (UTF-8, at most 639 bytes). */
  description: string;
  /** Seconds after `timestamp` the invoice stays payable (default 3600). */
  expirySecs?: number;
  /** Smallest timelock delta (seconds) the final HTLC may have (default 10800). */
  minFinalDeltaSecs?: number;
  /** Private routes to the payee, one `r` field each. */
  routeHints?: RouteHintHop[][];
}

/** A decoded and verified invoice. */
export interface Invoice {
  /** Network of the prefix. */
  network: NetworkName;
  /** Amount in milli-resonances, or undefined for "any amount". */
  amountMilliResonances: bigint | undefined;
  /** Creation time, seconds since 1970. */
  timestamp: number;
  /** 32-byte payment hash. */
  paymentHash: Uint8Array;
  /** 32-byte payment secret. */
  paymentSecret: Uint8Array;
  /** Description. */
  description: string;
  /** Seconds after `timestamp` the invoice stays payable. */
  expirySecs: number;
  /** Smallest final timelock delta in seconds. */
  minFinalDeltaSecs: number;
  /** Private routes to the payee. */
  routeHints: RouteHintHop[][];
  /** Set feature bits (odd, unknown ones; even unknown ones are refused). */
  features: number[];
  /** 32-byte Ed25519 payee node key (`n`). */
  payeeKey: Uint8Array;
  /** 64-byte Ed25519 signature. */
  signature: Uint8Array;
}

/** Options of {@linkcode decodeInvoice}. */
export interface DecodeInvoiceOptions {
  /** Refuse invoices of any other network (`wrong-network`). */
  network?: NetworkName;
  /** Refuse invoices whose timestamp + expiry is before this time (`expired`). */
  nowSecs?: number;
}

/** keccak256d(preimage): the payment hash an invoice carries and an HTLC's `hash(H)` checks. */
export function paymentHashOf(preimage: Uint8Array): Uint8Array {
  return keccak256d(preimage);
}

/** The invoice prefix of a network: `ln` + its address HRP. */
export function invoicePrefix(network: NetworkName): string {
  return `ln${NETWORKS[network].hrp}`;
}

/**
 * Encodes and signs an invoice with the payee's 32-byte Ed25519 seed (whose public key becomes
 * `n`). Deterministic: the same request and key give the same text.
 *
 * @example
 * ```ts
 * import { decodeInvoice, encodeInvoice } from "./invoice.ts";
 * const text = encodeInvoice({
 *   network: "regtest", amountMilliResonances: 250_000_000n, timestamp: 1_700_000_000,
 *   paymentHash: new Uint8Array(32).fill(1), paymentSecret: new Uint8Array(32).fill(2),
 *   description: "1 cup coffee",
 * }, new Uint8Array(32).fill(7));
 * console.log(text.slice(0, 12)); // "lnrrnt2500u1"
 * console.log(decodeInvoice(text, { network: "regtest" }).description); // "1 cup coffee"
 * ```
 */
export function encodeInvoice(request: InvoiceRequest, payeeSeed: Uint8Array): string {
  const params = NETWORKS[request.network];
  const hrp = invoicePrefix(request.network) +
    (request.amountMilliResonances === undefined
      ? ""
      : encodeInvoiceAmount(request.amountMilliResonances));
  if (
    !Number.isInteger(request.timestamp) || request.timestamp < 0 || request.timestamp >= 2 ** 35
  ) {
    throw new RangeError(`invoice timestamp must be 0 to 2^35 − 1, got ${request.timestamp}`);
  }
  checkBytes(request.paymentHash, 32, "payment hash");
  checkBytes(request.paymentSecret, 32, "payment secret");
  const description = new TextEncoder().encode(request.description);
  if (description.length > MAX_DESCRIPTION_BYTES) {
    throw new RangeError(
      `description is ${description.length} bytes, more than ${MAX_DESCRIPTION_BYTES}`,
    );
  }
  const words: number[] = uintToWords(request.timestamp, TIMESTAMP_WORDS);
  pushField(words, FieldType.paymentHash, bytesToWords(request.paymentHash));
  pushField(words, FieldType.paymentSecret, bytesToWords(request.paymentSecret));
  pushField(words, FieldType.description, bytesToWords(description));
  const expiry = request.expirySecs ?? DEFAULT_EXPIRY_SECS;
  if (expiry !== DEFAULT_EXPIRY_SECS) {
    pushField(words, FieldType.expiry, uintToWords(checkU32(expiry, "expiry")));
  }
  const delta = request.minFinalDeltaSecs ?? DEFAULT_MIN_FINAL_DELTA_SECS;
  pushField(words, FieldType.minFinalDelta, uintToWords(checkU32(delta, "min final delta")));
  pushField(words, FieldType.payeeKey, bytesToWords(keyPairFromSeed(payeeSeed).publicKey));
  for (const route of request.routeHints ?? []) {
    pushField(words, FieldType.routeHint, bytesToWords(encodeRouteHint(route)));
  }
  const data = Uint8Array.from(words);
  const signature = sign(payeeSeed, invoiceSigningHash(params, hrp, data));
  const all = new Uint8Array(data.length + SIGNATURE_WORDS);
  all.set(data);
  all.set(bytesToWords(signature), data.length);
  return bech32.encode(hrp, all, false);
}

/**
 * Decodes an invoice, checks its signature with its `n` key, and (when asked) its network and
 * expiry. Throws {@linkcode InvoiceError} with a reason for anything wrong; never anything else
 * for any input string.
 */
export function decodeInvoice(text: string, options: DecodeInvoiceOptions = {}): Invoice {
  // BOLT 11's URI form: `lightning:` before the invoice.
  const { hrp, words } = decodeBech32(text.trim().replace(/^lightning:/i, ""));
  const { params, amountText } = parsePrefix(hrp);
  if (options.network !== undefined && options.network !== params.name) {
    throw new InvoiceError(
      "wrong-network",
      `invoice is for ${params.name} (${invoicePrefix(params.name)}), not ${options.network}`,
    );
  }
  const amount = amountText === "" ? undefined : decodeInvoiceAmount(amountText);
  const part = splitDataPart(words, SIGNATURE_WORDS);
  const fields = readCommonFields(part.fields, PAYEE_KEY_WORDS);
  if (!fields.paymentHash) {
    throw new InvoiceError("missing-field", "invoice has no payment hash (p)");
  }
  if (!fields.paymentSecret) {
    throw new InvoiceError("missing-field", "invoice has no payment secret (s)");
  }
  if (fields.description === undefined) {
    throw new InvoiceError("missing-field", "invoice has no description (d)");
  }
  if (!fields.payeeKey) throw new InvoiceError("missing-field", "invoice has no payee key (n)");
  const unknownEven = fields.features.find((bit) => bit % 2 === 0);
  if (unknownEven !== undefined) {
    throw new InvoiceError(
      "unknown-feature",
      `invoice requires unknown feature bit ${unknownEven}`,
    );
  }
  const routeHints = fields.routeHints.map(decodeRouteHint);
  if (trailingBits(part.signature) !== 0) {
    throw new InvoiceError("malformed", "invoice signature has nonzero padding bits");
  }
  const signature = wordsToBytes(part.signature);
  const signed = invoiceSigningHash(params, hrp, words.subarray(0, words.length - SIGNATURE_WORDS));
  if (!verify(signature, signed, fields.payeeKey)) {
    throw new InvoiceError(
      "bad-signature",
      "invoice signature does not verify with its payee key (n)",
    );
  }
  const expirySecs = fields.expirySecs ?? DEFAULT_EXPIRY_SECS;
  if (options.nowSecs !== undefined && options.nowSecs > part.timestamp + expirySecs) {
    const at = new Date((part.timestamp + expirySecs) * 1000).toISOString();
    throw new InvoiceError("expired", `invoice expired at ${at}`);
  }
  return {
    network: params.name,
    amountMilliResonances: amount,
    timestamp: part.timestamp,
    paymentHash: fields.paymentHash,
    paymentSecret: fields.paymentSecret,
    description: fields.description,
    expirySecs,
    minFinalDeltaSecs: fields.minFinalDelta ?? DEFAULT_MIN_FINAL_DELTA_SECS,
    routeHints,
    features: fields.features,
    payeeKey: fields.payeeKey,
    signature,
  };
}

/**
 * The 32-byte hash the payee signs: taggedHash("rnt/ln-invoice", magic, u8 len(hrp) ‖ hrp ‖
 * data), with `data` the words before the signature, one byte (0..31) per word.
 */
export function invoiceSigningHash(
  params: NetworkParams,
  hrp: string,
  dataWords: Uint8Array,
): Uint8Array {
  const hrpBytes = new TextEncoder().encode(hrp);
  return taggedHash(
    INVOICE_SIGNATURE_TAG,
    params.magic,
    Uint8Array.of(hrpBytes.length),
    hrpBytes,
    dataWords,
  );
}

/** Bech32 (BIP 173, not bech32m) without the 90-character limit, with reasons for each failure. */
export function decodeBech32(text: string): { hrp: string; words: Uint8Array } {
  if (text.length > MAX_INVOICE_CHARS) {
    throw new InvoiceError(
      "bad-bech32",
      `invoice is ${text.length} characters, more than ${MAX_INVOICE_CHARS}`,
    );
  }
  if (text !== text.toLowerCase() && text !== text.toUpperCase()) {
    throw new InvoiceError("bad-bech32", "invoice mixes upper and lower case");
  }
  const lower = text.toLowerCase();
  const sep = lower.lastIndexOf("1");
  if (sep < 1 || lower.length - sep - 1 < 6) {
    throw new InvoiceError("bad-bech32", "invoice has no bech32 separator '1' before its data");
  }
  if (!/^[\x21-\x7e]+$/.test(lower)) {
    throw new InvoiceError("bad-bech32", "invoice has a character outside printable ASCII");
  }
  const bad = [...lower.slice(sep + 1)].find((c) =>
    !"qpzry9x8gf2tvdw0s3jn54khce6mua7l".includes(c)
  );
  if (bad !== undefined) {
    throw new InvoiceError("bad-bech32", `invoice has a character '${bad}' outside bech32`);
  }
  let decoded;
  try {
    decoded = bech32.decode(lower as `${string}1${string}`, false);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/checksum/i.test(message)) {
      throw new InvoiceError(
        "bad-checksum",
        "invoice checksum is wrong (a typo or an incomplete copy?)",
      );
    }
    throw new InvoiceError("bad-bech32", `invoice is not bech32: ${message}`);
  }
  return { hrp: decoded.prefix, words: Uint8Array.from(decoded.words) };
}

/** The network and amount text of an HRP; prefixes are tried longest first. */
function parsePrefix(hrp: string): { params: NetworkParams; amountText: string } {
  const candidates = Object.values(NETWORKS)
    .map((params) => ({ params, prefix: invoicePrefix(params.name) }))
    .sort((a, b) => b.prefix.length - a.prefix.length);
  for (const { params, prefix } of candidates) {
    if (hrp.startsWith(prefix)) return { params, amountText: hrp.slice(prefix.length) };
  }
  const known = candidates.map((c) => c.prefix).join(", ");
  throw new InvoiceError(
    "unknown-prefix",
    `invoice prefix '${hrp}' is not an rnt network (${known})`,
  );
}

function encodeRouteHint(route: readonly RouteHintHop[]): Uint8Array {
  if (route.length === 0) throw new RangeError("a route hint needs at least one hop");
  const out = new Uint8Array(route.length * ROUTE_HINT_HOP_BYTES);
  const view = new DataView(out.buffer);
  route.forEach((hop, i) => {
    const at = i * ROUTE_HINT_HOP_BYTES;
    checkBytes(hop.nodeId, 32, "route hint node id");
    checkBytes(hop.channelId, 8, "route hint channel id");
    out.set(hop.nodeId, at);
    out.set(hop.channelId, at + 32);
    view.setUint32(at + 40, checkU32(hop.feeBaseMilliResonances, "fee base"));
    view.setUint32(at + 44, checkU32(hop.feeProportionalMillionths, "proportional fee"));
    view.setUint32(at + 48, checkU32(hop.deltaSecs, "route hint delta"));
  });
  return out;
}

function decodeRouteHint(bytes: Uint8Array): RouteHintHop[] {
  if (bytes.length === 0 || bytes.length % ROUTE_HINT_HOP_BYTES !== 0) {
    throw new InvoiceError(
      "malformed",
      `invoice route hint (r) is ${bytes.length} bytes, not a multiple of ${ROUTE_HINT_HOP_BYTES}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hops: RouteHintHop[] = [];
  for (let at = 0; at < bytes.length; at += ROUTE_HINT_HOP_BYTES) {
    hops.push({
      nodeId: bytes.slice(at, at + 32),
      channelId: bytes.slice(at + 32, at + 40),
      feeBaseMilliResonances: view.getUint32(at + 40),
      feeProportionalMillionths: view.getUint32(at + 44),
      deltaSecs: view.getUint32(at + 48),
    });
  }
  return hops;
}

function checkBytes(b: Uint8Array, n: number, what: string): void {
  if (b.length !== n) throw new RangeError(`${what} must be ${n} bytes, got ${b.length}`);
}

function checkU32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new RangeError(`${what} must be an integer 0 to 2^32 − 1, got ${n}`);
  }
  return n;
}

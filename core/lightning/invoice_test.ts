import assert from "node:assert/strict";
import { bech32 } from "@scure/base";
import { type NetworkName, NETWORKS } from "../consensus/params.ts";
import { keyPairFromSeed, sign } from "../crypto/ed25519.ts";
import { keccak_256 } from "@noble/hashes/sha3.js";
import { toHex } from "../crypto/keccak.ts";
import { mulberry32 } from "../util/mulberry32.ts";
import {
  decodeBech32,
  decodeInvoice,
  DEFAULT_EXPIRY_SECS,
  DEFAULT_MIN_FINAL_DELTA_SECS,
  encodeInvoice,
  type InvoiceRequest,
  invoiceSigningHash,
  paymentHashOf,
} from "./invoice.ts";
import { decodeInvoiceAmount, encodeInvoiceAmount } from "./invoice_amount.ts";
import { InvoiceError, type InvoiceErrorReason } from "./invoice_error.ts";
import {
  bytesToWords,
  FieldType,
  pushField,
  readCommonFields,
  splitDataPart,
  uintToWords,
  wordsToBytes,
} from "./invoice_fields.ts";
import vectors from "./testdata/bolt11-vectors.json" with { type: "json" };

/** BOLT 11's signature: 65 bytes (r, s, recovery id) = 104 words; its `n` is 33 bytes = 53. */
const BOLT11_SIGNATURE_WORDS = 104;
const BOLT11_PAYEE_KEY_WORDS = 53;

const PAYEE_SEED = new Uint8Array(32).fill(0x5e);
const NOW = 1_780_000_000;

function request(overrides: Partial<InvoiceRequest> = {}): InvoiceRequest {
  return {
    network: "regtest",
    amountMilliResonances: 250_000_000n,
    timestamp: NOW,
    paymentHash: paymentHashOf(new Uint8Array(32).fill(1)),
    paymentSecret: new Uint8Array(32).fill(2),
    description: "1 cup coffee",
    ...overrides,
  };
}

function reasonOf(f: () => unknown): InvoiceErrorReason | "accepted" | string {
  try {
    f();
  } catch (e) {
    return e instanceof InvoiceError ? e.reason : `not an InvoiceError: ${e}`;
  }
  return "accepted";
}

/** Signs hand-built data words the way encodeInvoice does (to build invoices it refuses to). */
function signWords(network: NetworkName, hrp: string, words: number[], seed = PAYEE_SEED): string {
  const data = Uint8Array.from(words);
  const signature = sign(seed, invoiceSigningHash(NETWORKS[network], hrp, data));
  return bech32.encode(hrp, [...data, ...bytesToWords(signature)], false);
}

/** The words of a regtest invoice without the fields in `omit`, plus `extra` fields. */
function handBuiltWords(omit: number[], extra: [number, ArrayLike<number>][] = []): number[] {
  const words = uintToWords(NOW, 7);
  const fields: [number, ArrayLike<number>][] = [
    [FieldType.paymentHash, bytesToWords(new Uint8Array(32).fill(1))],
    [FieldType.paymentSecret, bytesToWords(new Uint8Array(32).fill(2))],
    [FieldType.description, bytesToWords(new TextEncoder().encode("tea"))],
    [FieldType.payeeKey, bytesToWords(keyPairFromSeed(PAYEE_SEED).publicKey)],
  ];
  for (const [type, data] of fields) if (!omit.includes(type)) pushField(words, type, data);
  for (const [type, data] of extra) pushField(words, type, data);
  return words;
}

// --- The bech32 layer, amounts and tagged fields against BOLT 11's own examples -------------

for (const v of vectors.valid) {
  Deno.test(`readCommonFields() reads BOLT 11 example: ${v.name}`, () => {
    const { hrp, words } = decodeBech32(v.invoice);
    assert.equal(hrp, `lnbc${v.amount.toLowerCase()}`);
    if (v.amount !== "") {
      assert.equal(decodeInvoiceAmount(v.amount.toLowerCase()), BigInt(v.milli_units!));
    }
    const part = splitDataPart(words, BOLT11_SIGNATURE_WORDS);
    assert.equal(part.timestamp, v.timestamp);
    const fields = readCommonFields(part.fields, BOLT11_PAYEE_KEY_WORDS);
    assert.equal(toHex(fields.paymentHash!), v.payment_hash);
    assert.equal(fields.description, v.description);
    assert.equal(fields.expirySecs, v.expiry);
    assert.equal(fields.minFinalDelta, v.min_final_delta);
    assert.equal(fields.paymentSecret && toHex(fields.paymentSecret), v.payment_secret);
    assert.deepEqual(fields.features, v.features ?? []);
    assert.equal(fields.skipped, v.skipped ?? 0);
    // Packing: the fields re-packed with pushField() give back the exact data words.
    const repacked = uintToWords(part.timestamp, 7);
    for (const f of part.fields) pushField(repacked, f.type, f.words);
    assert.deepEqual(repacked, [...words.subarray(0, words.length - BOLT11_SIGNATURE_WORDS)]);
    if (v.signed_data) {
      // BOLT 11 signs hrp ‖ data words as bytes, zero-padded to a whole byte.
      const data = words.subarray(0, words.length - BOLT11_SIGNATURE_WORDS);
      const padded = wordsToBytes(Uint8Array.from([...data, 0, 0]))
        .subarray(0, Math.ceil((data.length * 5) / 8));
      assert.equal(toHex(new TextEncoder().encode(hrp)) + toHex(padded), v.signed_data);
    }
  });
}

Deno.test("readCommonFields() reads BOLT 11's route hint entry byte for byte", () => {
  const v = vectors.valid.find((x) => x.route_hint)!;
  const { words } = decodeBech32(v.invoice);
  const fields = readCommonFields(splitDataPart(words, BOLT11_SIGNATURE_WORDS).fields, 53);
  assert.equal(fields.routeHints.length, 1);
  const r = fields.routeHints[0]!;
  assert.equal(r.length, 51); // 82 words: 33 + 8 + 4 + 4 + 2 bytes
  const view = new DataView(r.buffer, r.byteOffset);
  const hint = v.route_hint!;
  assert.equal(toHex(r.subarray(0, 33)), hint.pubkey);
  const [block, tx, out] = hint.short_channel_id.split("x").map(Number);
  assert.equal(view.getUint32(33) >>> 8, block);
  assert.equal(view.getUint32(36) >>> 8 & 0xffffff, tx);
  assert.equal(view.getUint16(39), out);
  assert.equal(view.getUint32(41), hint.fee_base_msat);
  assert.equal(view.getUint32(45), hint.fee_proportional_millionths);
  assert.equal(view.getUint16(49), hint.cltv_expiry_delta);
});

Deno.test("readCommonFields() reports BOLT 11's unknown even feature 100", () => {
  const v = vectors.unknown_even_feature;
  const fields = readCommonFields(splitDataPart(decodeBech32(v.invoice).words, 104).fields, 53);
  assert.deepEqual(fields.features, v.features);
});

for (const v of vectors.invalid) {
  Deno.test(`decodeBech32() and decodeInvoiceAmount() refuse BOLT 11's: ${v.name}`, () => {
    assert.equal(
      reasonOf(() => decodeInvoiceAmount(decodeBech32(v.invoice).hrp.slice("lnbc".length))),
      v.reason,
    );
  });
}

// --- Amounts -------------------------------------------------------------------------------

Deno.test("encodeInvoiceAmount() picks the shortest multiplier, decodeInvoiceAmount() inverts it", () => {
  const cases: [bigint, string][] = [
    [100_000_000_000n, "1"],
    [250_000_000n, "2500u"],
    [2_000_000_000n, "20m"],
    [100n, "1n"],
    [1n, "10p"],
    [967_878_534n, "9678785340p"],
    [21_000_000n * 100_000_000_000n, "21000000"],
  ];
  for (const [milli, text] of cases) {
    assert.equal(encodeInvoiceAmount(milli), text);
    assert.equal(decodeInvoiceAmount(text), milli);
  }
});

Deno.test("decodeInvoiceAmount() refuses zero, leading zeros, bad letters, sub-units and excess", () => {
  for (
    const text of ["0", "0m", "01u", "", "m", "25x", "11p", "1.5m", "21000001", "9".repeat(31)]
  ) {
    assert.equal(reasonOf(() => decodeInvoiceAmount(text)), "bad-amount", text);
  }
  assert.throws(() => encodeInvoiceAmount(0n), RangeError);
});

// --- rnt invoices ---------------------------------------------------------------------------

Deno.test("encodeInvoice() uses lnrnt, lntrnt and lnrrnt; decodeInvoice() reads each back", () => {
  const prefixes: Record<NetworkName, string> = {
    mainnet: "lnrnt2500u1",
    testnet: "lntrnt2500u1",
    regtest: "lnrrnt2500u1",
  };
  for (const network of ["mainnet", "testnet", "regtest"] as const) {
    const text = encodeInvoice(request({ network }), PAYEE_SEED);
    assert.ok(text.startsWith(prefixes[network]), text);
    assert.equal(decodeInvoice(text, { network }).network, network);
  }
});

Deno.test("decodeInvoice() gives back every field encodeInvoice() wrote, and re-encodes exactly", () => {
  const hop = {
    nodeId: keyPairFromSeed(new Uint8Array(32).fill(9)).publicKey,
    channelId: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]),
    feeBaseMilliResonances: 1000,
    feeProportionalMillionths: 2500,
    deltaSecs: 86_400,
  };
  const req = request({
    amountMilliResonances: 967_878_534n,
    description: "ナンセンス 1杯 — ".repeat(10),
    expirySecs: 604_800,
    minFinalDeltaSecs: 7200,
    routeHints: [[hop, { ...hop, feeBaseMilliResonances: 2 }], [hop]],
  });
  const text = encodeInvoice(req, PAYEE_SEED);
  assert.ok(text.length > 90, "the bech32 90-character limit must be off");
  const inv = decodeInvoice(text, { network: "regtest", nowSecs: NOW });
  assert.equal(inv.amountMilliResonances, req.amountMilliResonances);
  assert.equal(inv.timestamp, NOW);
  assert.deepEqual(inv.paymentHash, req.paymentHash);
  assert.deepEqual(inv.paymentSecret, req.paymentSecret);
  assert.equal(inv.description, req.description);
  assert.equal(inv.expirySecs, 604_800);
  assert.equal(inv.minFinalDeltaSecs, 7200);
  assert.deepEqual(inv.routeHints, req.routeHints);
  assert.deepEqual(inv.payeeKey, keyPairFromSeed(PAYEE_SEED).publicKey);
  assert.deepEqual(inv.features, []);
  const again = encodeInvoice({
    ...inv,
    network: inv.network,
    amountMilliResonances: inv.amountMilliResonances!,
  }, PAYEE_SEED);
  assert.equal(again, text);
});

Deno.test("decodeInvoice() applies the defaults: any amount, 3600 s expiry, 10800 s final delta", () => {
  const { amountMilliResonances: _any, ...anyAmount } = request();
  const text = encodeInvoice(anyAmount, PAYEE_SEED);
  assert.ok(text.startsWith("lnrrnt1"), text);
  const inv = decodeInvoice(text);
  assert.equal(inv.amountMilliResonances, undefined);
  assert.equal(inv.expirySecs, DEFAULT_EXPIRY_SECS);
  assert.equal(inv.minFinalDeltaSecs, DEFAULT_MIN_FINAL_DELTA_SECS);
});

Deno.test("decodeInvoice() accepts upper case and the lightning: URI prefix", () => {
  const text = encodeInvoice(request(), PAYEE_SEED);
  assert.equal(decodeInvoice(text.toUpperCase()).description, "1 cup coffee");
  assert.equal(decodeInvoice(`lightning:${text}`).description, "1 cup coffee");
});

Deno.test("decodeInvoice() refuses a wrong network, a foreign prefix and a bad checksum", () => {
  const text = encodeInvoice(request(), PAYEE_SEED);
  assert.equal(reasonOf(() => decodeInvoice(text, { network: "mainnet" })), "wrong-network");
  assert.match(
    String(catchError(() => decodeInvoice(text, { network: "mainnet" }))),
    /regtest \(lnrrnt\), not mainnet/,
  );
  assert.equal(reasonOf(() => decodeInvoice(vectors.valid[0]!.invoice)), "unknown-prefix");
  const typo = text.slice(0, 20) + (text[20] === "q" ? "p" : "q") + text.slice(21);
  assert.equal(reasonOf(() => decodeInvoice(typo)), "bad-checksum");
  assert.equal(reasonOf(() => decodeInvoice(text.slice(0, -1))), "bad-checksum");
});

Deno.test("decodeInvoice() refuses an expired invoice given the time", () => {
  const text = encodeInvoice(request({ expirySecs: 60 }), PAYEE_SEED);
  assert.equal(decodeInvoice(text, { nowSecs: NOW + 60 }).expirySecs, 60);
  assert.equal(reasonOf(() => decodeInvoice(text, { nowSecs: NOW + 61 })), "expired");
  assert.match(
    String(catchError(() => decodeInvoice(text, { nowSecs: NOW + 61 }))),
    /expired at 2026-/,
  );
});

Deno.test("decodeInvoice() refuses a signature that does not verify with n", () => {
  const text = encodeInvoice(request(), PAYEE_SEED);
  const { hrp, words } = decodeBech32(text);
  // A different description under the same signature, with a valid checksum.
  const tampered = Uint8Array.from(words);
  const d = tampered.indexOf(FieldType.description, 7);
  tampered[d + 4]! ^= 1;
  assert.equal(reasonOf(() => decodeInvoice(bech32.encode(hrp, tampered, false))), "bad-signature");
  // Signed by someone else than n.
  const forged = signWords("regtest", "lnrrnt", handBuiltWords([]), new Uint8Array(32).fill(0x66));
  assert.equal(reasonOf(() => decodeInvoice(forged)), "bad-signature");
  // A signature for another network's magic.
  const otherMagic = Uint8Array.from(words.subarray(0, words.length - 103));
  const sig = sign(PAYEE_SEED, invoiceSigningHash(NETWORKS.testnet, hrp, otherMagic));
  const replayed = bech32.encode(hrp, [...otherMagic, ...bytesToWords(sig)], false);
  assert.equal(reasonOf(() => decodeInvoice(replayed)), "bad-signature");
  assert.equal(
    decodeInvoice(signWords("regtest", "lnrrnt", handBuiltWords([]))).description,
    "tea",
  );
});

Deno.test("decodeInvoice() names each missing required field", () => {
  const cases: [number, RegExp][] = [
    [FieldType.paymentHash, /no payment hash \(p\)/],
    [FieldType.paymentSecret, /no payment secret \(s\)/],
    [FieldType.description, /no description \(d\)/],
    [FieldType.payeeKey, /no payee key \(n\)/],
  ];
  for (const [type, message] of cases) {
    const text = signWords("regtest", "lnrrnt", handBuiltWords([type]));
    assert.equal(reasonOf(() => decodeInvoice(text)), "missing-field");
    assert.match(String(catchError(() => decodeInvoice(text))), message);
  }
});

Deno.test("decodeInvoice() skips unknown fields and known ones of another size (BOLT 11)", () => {
  const text = signWords(
    "regtest",
    "lnrrnt",
    handBuiltWords([], [
      [2, [0, 0, 0]],
      [FieldType.paymentHash, new Uint8Array(51)],
      [FieldType.payeeKey, new Uint8Array(53)],
      [FieldType.features, [0, 2]], // odd bit 1: optional, ignored
    ]),
  );
  const inv = decodeInvoice(text);
  assert.deepEqual(inv.paymentHash, new Uint8Array(32).fill(1));
  assert.deepEqual(inv.features, [1]);
});

Deno.test("decodeInvoice() refuses an unknown even (required) feature bit", () => {
  const text = signWords(
    "regtest",
    "lnrrnt",
    handBuiltWords([], [[FieldType.features, [1, 0, 0]]]),
  );
  assert.equal(reasonOf(() => decodeInvoice(text)), "unknown-feature");
  assert.match(String(catchError(() => decodeInvoice(text))), /feature bit 10/);
});

Deno.test("decodeInvoice() refuses malformed data: truncated field, bad UTF-8, odd route hint", () => {
  const badUtf8 = signWords(
    "regtest",
    "lnrrnt",
    handBuiltWords([FieldType.description], [
      [FieldType.description, bytesToWords(new Uint8Array([0xff, 0xfe]))],
    ]),
  );
  assert.equal(reasonOf(() => decodeInvoice(badUtf8)), "malformed");
  const oddHint = signWords(
    "regtest",
    "lnrrnt",
    handBuiltWords([], [
      [FieldType.routeHint, bytesToWords(new Uint8Array(51))],
    ]),
  );
  assert.equal(reasonOf(() => decodeInvoice(oddHint)), "malformed");
  const truncated = bech32.encode(
    "lnrrnt",
    [...uintToWords(NOW, 7), FieldType.description, 3],
    false,
  );
  assert.equal(reasonOf(() => decodeInvoice(truncated)), "malformed");
});

Deno.test("decodeInvoice() throws only InvoiceError for every truncation and random input", () => {
  const text = encodeInvoice(request(), PAYEE_SEED);
  for (let end = 0; end < text.length; end++) {
    const r = reasonOf(() => decodeInvoice(text.slice(0, end)));
    assert.ok(r !== "accepted" && !r.startsWith("not an"), `prefix of ${end}: ${r}`);
  }
  const random = mulberry32(16);
  const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";
  for (let i = 0; i < 300; i++) {
    const n = 8 + Math.floor(random() * 300);
    const words = Array.from({ length: n }, () => Math.floor(random() * 32));
    // Valid checksums over random words reach the field parser, not just the checksum.
    const candidates = [
      bech32.encode("lnrrnt", words, false),
      "lnrrnt1" + words.map((w) => alphabet[w]).join(""),
    ];
    for (const c of candidates) {
      const r = reasonOf(() => decodeInvoice(c));
      assert.ok(!r.startsWith("not an"), `${c}: ${r}`);
    }
  }
  assert.equal(reasonOf(() => decodeInvoice("x".repeat(8000))), "bad-bech32");
});

Deno.test("paymentHashOf() is keccak256(keccak256(preimage)), the chain's hash(H) lock", () => {
  const preimage = new Uint8Array(32).fill(0xab);
  assert.deepEqual(paymentHashOf(preimage), keccak_256(keccak_256(preimage)));
});

function catchError(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

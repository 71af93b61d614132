/**
 * What do Lightning's pure parts cost? Onion construction (5 and 20 hops) and peeling one hop,
 * against one ristretto255 variable-base scalar multiplication (the ECDH each hop does); invoice
 * encode (sign) and decode (verify) against one strict Ed25519 verify. Every ratio comes from the
 * same run.
 *
 * Run: deno bench --allow-read bench/lightning_bench.ts
 */
import { ristretto255 } from "@noble/curves/ed25519.js";
import { keyPairFromSeed, sign, verify } from "../core/crypto/ed25519.ts";
import {
  buildOnion,
  decodeInvoice,
  encodeInvoice,
  type InvoiceRequest,
  type OnionHop,
  onionKeyPairFromNodeSeed,
  peelOnion,
} from "../core/lightning/mod.ts";

const ASSOCIATED_DATA = new Uint8Array(32).fill(0x42);
const SESSION_KEY = new Uint8Array(32).fill(0x41);
const nodes = Array.from(
  { length: 20 },
  (_, i) => onionKeyPairFromNodeSeed(new Uint8Array(32).fill(i + 1)),
);

/** A route whose payloads fill most of the 1300 bytes (BOLT 4 payloads are ~20–60 bytes). */
function route(count: number, payloadBytes: number): OnionHop[] {
  return nodes.slice(0, count).map((n, i) => ({
    publicKey: n.publicKey,
    payload: new Uint8Array(payloadBytes).fill(i),
  }));
}
const route5 = route(5, 60);
const route20 = route(20, 30);
const packet20 = buildOnion(SESSION_KEY, route20, ASSOCIATED_DATA).packet;

const point = ristretto255.Point.fromBytes(nodes[0]!.publicKey);
const scalar = nodes[1]!.privateScalar;

Deno.bench({
  name: "ristretto255 scalar mult (one ECDH)",
  group: "onion",
  baseline: true,
  fn() {
    point.multiply(scalar);
  },
});

Deno.bench({
  name: "buildOnion, 5 hops",
  group: "onion",
  fn() {
    buildOnion(SESSION_KEY, route5, ASSOCIATED_DATA);
  },
});

Deno.bench({
  name: "buildOnion, 20 hops",
  group: "onion",
  fn() {
    buildOnion(SESSION_KEY, route20, ASSOCIATED_DATA);
  },
});

Deno.bench({
  name: "peelOnion, one hop (of 20)",
  group: "onion",
  fn() {
    if (!peelOnion(packet20, nodes[0]!.privateScalar, ASSOCIATED_DATA).nextPacket) {
      throw new Error("expected a packet to forward");
    }
  },
});

const seed = new Uint8Array(32).fill(7);
const request: InvoiceRequest = {
  network: "regtest",
  amountMilliResonances: 250_000_000n,
  timestamp: 1_780_000_000,
  paymentHash: new Uint8Array(32).fill(1),
  paymentSecret: new Uint8Array(32).fill(2),
  description: "1 cup coffee",
  routeHints: [[{
    nodeId: keyPairFromSeed(new Uint8Array(32).fill(9)).publicKey,
    channelId: new Uint8Array(8).fill(3),
    feeBaseMilliResonances: 1000,
    feeProportionalMillionths: 2500,
    deltaSecs: 86_400,
  }]],
};
const invoice = encodeInvoice(request, seed);
const message = new Uint8Array(32).fill(5);
const signature = sign(seed, message);
const publicKey = keyPairFromSeed(seed).publicKey;

Deno.bench({
  name: "ed25519 strict verify (one)",
  group: "invoice",
  baseline: true,
  fn() {
    if (!verify(signature, message, publicKey)) throw new Error("bad signature");
  },
});

Deno.bench({
  name: "encodeInvoice (sign)",
  group: "invoice",
  fn() {
    encodeInvoice(request, seed);
  },
});

Deno.bench({
  name: "decodeInvoice (verify)",
  group: "invoice",
  fn() {
    decodeInvoice(invoice, { network: "regtest" });
  },
});

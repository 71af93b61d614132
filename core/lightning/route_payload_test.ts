import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { testNode } from "./_gossip_testing.ts";
import { ChannelGraph } from "./graph.ts";
import { onionKeyPairFromNodeSeed } from "./onion_keys.ts";
import { findRoute } from "./route_find.ts";
import {
  decodeHopPayload,
  encodeHopPayload,
  type HopPayload,
  routeHopPayloads,
  routeOnionHops,
} from "./route_payload.ts";
import { buildOnion, peelOnion } from "./sphinx.ts";

const FORWARD: HopPayload = {
  amountToForwardMres: 10_001_500n,
  outgoingExpirySecs: 1_800_012_000,
  shortChannelId: (700n << 32n) | (3n << 16n) | 1n,
};
const FINAL: HopPayload = {
  amountToForwardMres: 10_000_000n,
  outgoingExpirySecs: 1_800_010_800,
  paymentSecret: new Uint8Array(32).fill(0x5a),
  totalAmountMres: 10_000_000n,
};

Deno.test("encodeHopPayload() writes BOLT 4 TLV records and decodes back", () => {
  const bytes = encodeHopPayload(FORWARD);
  // type 2 len 3 (0x989bdc = 10,001,500) | type 4 len 4 | type 6 len 8
  assert.deepEqual([...bytes.subarray(0, 5)], [2, 3, 0x98, 0x9c, 0x5c]);
  assert.deepEqual([...bytes.subarray(5, 7)], [4, 4]);
  assert.deepEqual([...bytes.subarray(11, 13)], [6, 8]);
  assert.deepEqual(decodeHopPayload(bytes), FORWARD);
  assert.deepEqual(decodeHopPayload(encodeHopPayload(FINAL)), FINAL);
  const zero = { ...FORWARD, amountToForwardMres: 0n };
  assert.deepEqual(decodeHopPayload(encodeHopPayload(zero)), zero);
});

Deno.test("decodeHopPayload() rejects truncations and only throws DecodeError on random input", () => {
  for (const p of [FORWARD, FINAL]) {
    const bytes = encodeHopPayload(p);
    for (let i = 0; i < bytes.length; i++) {
      assert.throws(() => decodeHopPayload(bytes.subarray(0, i)), DecodeError, `prefix ${i}`);
    }
    checkRandomInputs(decodeHopPayload, bytes, 400, 31);
  }
  // A trailing byte is a truncated record, also refused.
  checkTruncations(decodeHopPayload, encodeHopPayload(FORWARD));
});

Deno.test("decodeHopPayload() skips unknown odd types and refuses unknown even ones", () => {
  const bytes = encodeHopPayload(FORWARD);
  assert.deepEqual(decodeHopPayload(new Uint8Array([...bytes, 9, 1, 0xaa])), FORWARD);
  assert.throws(
    () => decodeHopPayload(new Uint8Array([...bytes, 10, 1, 0xaa])),
    /unknown even type 10/,
  );
});

Deno.test("decodeHopPayload() refuses disorder, leading zeros and missing or doubled parts", () => {
  const amount = [2, 1, 5];
  const expiry = [4, 1, 9];
  const channel = [6, 8, 0, 0, 0, 0, 0, 0, 0, 1];
  const paymentData = [8, 32, ...new Uint8Array(32)];
  const cases: [number[], RegExp][] = [
    [[...expiry, ...amount, ...channel], /strictly ascend/],
    [[...amount, ...amount, ...expiry, ...channel], /strictly ascend/],
    [[2, 2, 0, 5, ...expiry, ...channel], /leading zero/],
    [[...expiry, ...channel], /lacks amount or expiry/],
    [[...amount, ...expiry], /exactly one of/],
    [[...amount, ...expiry, ...channel, ...paymentData], /exactly one of/],
    [[...amount, ...expiry, 6, 7, 0, 0, 0, 0, 0, 0, 1], /8 bytes/],
    [[2, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, ...expiry, ...channel], /longer than 8 bytes/],
    [[...amount, ...expiry, 0xfd, 0, 6, 8, 0, 0, 0, 0, 0, 0, 0, 1], /not canonical/],
  ];
  for (const [bytes, pattern] of cases) {
    assert.throws(() => decodeHopPayload(new Uint8Array(bytes)), pattern, bytes.join(","));
  }
});

Deno.test("routeOnionHops() builds an onion every hop peels to the amounts it must forward", () => {
  const [S, A, B, T] = [1, 2, 3, 4].map(testNode);
  const graph = new ChannelGraph();
  const policy = {
    timestamp: 1,
    disabled: false,
    timeLockDeltaSecs: 600,
    htlcMinimumMres: 1n,
    htlcMaximumMres: 10n ** 12n,
    feeBaseMres: 1000,
    feeProportionalMillionths: 2001,
  };
  graph.addPrivateChannel({ shortChannelId: 10n, nodeIdA: S!.id, nodeIdB: A!.id }, 0);
  graph.addPrivateChannel({
    shortChannelId: 11n,
    nodeIdA: A!.id,
    nodeIdB: B!.id,
    policyAToB: policy,
  }, 0);
  graph.addPrivateChannel({
    shortChannelId: 12n,
    nodeIdA: B!.id,
    nodeIdB: T!.id,
    policyAToB: policy,
  }, 0);
  const route = findRoute(graph, {
    source: S!.id,
    target: T!.id,
    amountMres: 10_000_000n,
    nowSecs: 1_800_000_000,
    finalDeltaSecs: 10_800,
  });
  const secret = new Uint8Array(32).fill(0x5a);
  const payloads = routeHopPayloads(route, secret);
  assert.deepEqual(payloads[0], {
    amountToForwardMres: route.hops[1]!.amountMres,
    outgoingExpirySecs: route.hops[1]!.expirySecs,
    shortChannelId: 11n,
  });
  assert.deepEqual(payloads[2], {
    amountToForwardMres: 10_000_000n,
    outgoingExpirySecs: 1_800_010_800,
    paymentSecret: secret,
    totalAmountMres: 10_000_000n,
  });
  const paymentHash = new Uint8Array(32).fill(0x11);
  const { packet } = buildOnion(
    new Uint8Array(32).fill(7),
    routeOnionHops(route, secret),
    paymentHash,
  );
  let current: Uint8Array | null = packet;
  [A, B, T].forEach((node, i) => {
    const peeled = peelOnion(
      current!,
      onionKeyPairFromNodeSeed(node!.seed).privateScalar,
      paymentHash,
    );
    assert.deepEqual(decodeHopPayload(peeled.payload), payloads[i]);
    current = peeled.nextPacket;
  });
  assert.equal(current, null);
});

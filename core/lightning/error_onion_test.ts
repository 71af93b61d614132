import assert from "node:assert/strict";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { deriveOnionKey, onionKeyPairFromNodeSeed } from "./onion_keys.ts";
import { buildOnion, peelOnion } from "./sphinx.ts";
import {
  attributeError,
  createErrorPacket,
  ERROR_PACKET_BYTES,
  FailureFlag,
  wrapErrorPacket,
} from "./error_onion.ts";
import errorVector from "./testdata/onion-error-test.json" with { type: "json" };

const TEMPORARY_NODE_FAILURE = FailureFlag.NODE | 2;
const VECTOR_SECRETS = errorVector.generate.hops.map((h) => fromHex(h.hop_shared_secret));

/** Sends an error from `failing` back to the origin through every earlier hop's wrap. */
function returnToOrigin(secrets: Uint8Array[], failing: number, packet: Uint8Array): Uint8Array {
  let back = packet;
  for (let i = failing - 1; i >= 0; i--) back = wrapErrorPacket(back, secrets[i]!);
  return back;
}

Deno.test("createErrorPacket() and the wraps reproduce BOLT 4 onion-error-test.json", () => {
  const failure = { code: TEMPORARY_NODE_FAILURE, data: new Uint8Array() };
  assert.equal(errorVector.generate.failure_message, "2002");
  const packet = createErrorPacket(VECTOR_SECRETS[4]!, failure);
  assert.equal(packet.length, ERROR_PACKET_BYTES);
  assert.equal(toHex(returnToOrigin(VECTOR_SECRETS, 4, packet)), errorVector.errorpacket);
});

Deno.test("attributeError() names hop 4 and temporary_node_failure for the BOLT 4 vector", () => {
  const result = attributeError(VECTOR_SECRETS, fromHex(errorVector.errorpacket));
  assert.equal(result.kind, "attributed");
  assert.ok(result.kind === "attributed");
  assert.equal(result.hopIndex, 4);
  assert.equal(result.failure.code, TEMPORARY_NODE_FAILURE);
  assert.equal(result.failure.data.length, 0);
});

for (const failing of [0, 2, 4]) {
  Deno.test(`attributeError() attributes a failure at hop ${failing} of a real 5-hop onion`, () => {
    const nodes = Array.from(
      { length: 5 },
      (_, i) => onionKeyPairFromNodeSeed(new Uint8Array(32).fill(20 + i)),
    );
    const ad = new Uint8Array(32).fill(5);
    const built = buildOnion(
      new Uint8Array(32).fill(3),
      nodes.map((n, i) => ({ publicKey: n.publicKey, payload: new Uint8Array([i, i, i]) })),
      ad,
    );
    // Each hop keeps the shared secret it derived while peeling.
    const hopSecrets: Uint8Array[] = [];
    let packet: Uint8Array | null = built.packet;
    for (let i = 0; i <= failing; i++) {
      const peeled = peelOnion(packet!, nodes[i]!.privateScalar, ad);
      hopSecrets.push(peeled.sharedSecret);
      packet = peeled.nextPacket;
    }
    const data = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 100, 0, 0x0c, 0x35, 0]);
    const code = FailureFlag.PERM | 15;
    const errorPacket = createErrorPacket(hopSecrets[failing]!, { code, data });
    const atOrigin = returnToOrigin(hopSecrets, failing, errorPacket);
    assert.equal(atOrigin.length, ERROR_PACKET_BYTES);
    const result = attributeError(built.sharedSecrets, atOrigin);
    assert.ok(result.kind === "attributed", `got ${result.kind}`);
    assert.equal(result.hopIndex, failing);
    assert.equal(result.failure.code, code);
    assert.deepEqual(result.failure.data, data);
  });
}

Deno.test("attributeError() reports a corrupted error as unattributable", () => {
  const packet = fromHex(errorVector.errorpacket);
  for (const at of [0, 31, 32, 40, 150, ERROR_PACKET_BYTES - 1]) {
    const corrupted = packet.slice();
    corrupted[at]! ^= 0x20;
    assert.deepEqual(attributeError(VECTOR_SECRETS, corrupted), { kind: "unattributable" });
  }
  assert.deepEqual(attributeError(VECTOR_SECRETS, packet.subarray(1)), { kind: "unattributable" });
  // The origin without the failing hop's secret cannot attribute it either.
  assert.deepEqual(attributeError(VECTOR_SECRETS.slice(0, 4), packet), { kind: "unattributable" });
});

Deno.test("attributeError() blames the hop whose authenticated message does not parse", () => {
  // A hop that MACs a body whose lengths do not add up to 256 is still identified.
  const ss = VECTOR_SECRETS[1]!;
  const created = createErrorPacket(ss, { code: 0x2002, data: new Uint8Array() });
  const plain = wrapErrorPacket(created, ss); // XOR again removes the hop's own layer
  plain[33] = 0xff; // failure_len = 0x00ff: the pad length no longer adds up
  plain.set(hmac(sha256, deriveOnionKey("um", ss), plain.subarray(32)), 0);
  const sent = returnToOrigin(VECTOR_SECRETS, 1, wrapErrorPacket(plain, ss));
  assert.deepEqual(attributeError(VECTOR_SECRETS, sent), { kind: "malformed", hopIndex: 1 });
});

Deno.test("createErrorPacket() refuses a failure message longer than 256 bytes", () => {
  const ss = VECTOR_SECRETS[0]!;
  assert.throws(
    () => createErrorPacket(ss, { code: 1, data: new Uint8Array(255) }),
    /more than 256/,
  );
  assert.equal(
    createErrorPacket(ss, { code: 1, data: new Uint8Array(254) }).length,
    ERROR_PACKET_BYTES,
  );
  assert.throws(() => createErrorPacket(ss, { code: 0x10000, data: new Uint8Array() }), /u16/);
});

import assert from "node:assert/strict";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { DecodeError } from "../errors.ts";
import { announce, MAGIC, testNode } from "./_gossip_testing.ts";
import {
  ANNOUNCEMENT_SIGNATURES_BYTES,
  assembleAnnouncement,
  decodeAnnouncementSignatures,
  encodeAnnouncementSignatures,
  signAnnouncementHalf,
  unsignedAnnouncement,
  verifyAnnouncementHalf,
} from "./announcement_signatures.ts";
import { verifyChannelAnnouncement } from "./gossip_signatures.ts";

const [A, B, C] = [testNode(1), testNode(2), testNode(3)];
const endOf = (n: typeof A) => ({
  nodeId: n.id,
  fundingKey: keyPairFromSeed(n.fundingSeed).publicKey,
});
const CHANNEL_ID = new Uint8Array(32).fill(9);

Deno.test("two halves make the announcement one holder of all four keys would sign", () => {
  const unsigned = unsignedAnnouncement(700n << 32n, endOf(A), endOf(B));
  assert.deepEqual(unsignedAnnouncement(700n << 32n, endOf(B), endOf(A)), unsigned);
  const a = signAnnouncementHalf(unsigned, CHANNEL_ID, A.seed, A.fundingSeed, MAGIC);
  const b = signAnnouncementHalf(unsigned, CHANNEL_ID, B.seed, B.fundingSeed, MAGIC);
  assert.ok(verifyAnnouncementHalf(unsigned, endOf(A), a, MAGIC));
  assert.ok(verifyAnnouncementHalf(unsigned, endOf(B), b, MAGIC));
  const fromA = assembleAnnouncement(unsigned, A.id, a, b);
  const fromB = assembleAnnouncement(unsigned, B.id, b, a);
  assert.deepEqual(fromA, fromB);
  assert.ok(verifyChannelAnnouncement(fromA, MAGIC));
  assert.deepEqual(fromA, announce(A, B, 700n << 32n));
});

Deno.test("a half by other keys, for another id or on another network does not verify", () => {
  const unsigned = unsignedAnnouncement(5n, endOf(A), endOf(B));
  const byC = signAnnouncementHalf(unsigned, CHANNEL_ID, C.seed, C.fundingSeed, MAGIC);
  assert.equal(verifyAnnouncementHalf(unsigned, endOf(B), byC, MAGIC), false);
  const other = signAnnouncementHalf(
    unsignedAnnouncement(6n, endOf(A), endOf(B)),
    CHANNEL_ID,
    B.seed,
    B.fundingSeed,
    MAGIC,
  );
  assert.equal(verifyAnnouncementHalf(unsigned, endOf(B), other, MAGIC), false);
  const testnet = new Uint8Array([0xd9, 0x52, 0x4e, 0x02]);
  const b = signAnnouncementHalf(unsigned, CHANNEL_ID, B.seed, B.fundingSeed, testnet);
  assert.equal(verifyAnnouncementHalf(unsigned, endOf(B), b, MAGIC), false);
  // A half with a wrong funding signature spoils the assembled announcement.
  const a = signAnnouncementHalf(unsigned, CHANNEL_ID, A.seed, A.fundingSeed, MAGIC);
  const good = signAnnouncementHalf(unsigned, CHANNEL_ID, B.seed, B.fundingSeed, MAGIC);
  const forged = { ...good, fundingSignature: byC.fundingSignature };
  assert.equal(verifyAnnouncementHalf(unsigned, endOf(B), forged, MAGIC), false);
  assert.equal(
    verifyChannelAnnouncement(assembleAnnouncement(unsigned, A.id, a, forged), MAGIC),
    false,
  );
  assert.throws(() => assembleAnnouncement(unsigned, C.id, a, good), RangeError);
});

Deno.test("announcement_signatures round-trips and decodes only its exact size", () => {
  const unsigned = unsignedAnnouncement(0x0102_0304_0506_0708n, endOf(A), endOf(B));
  const half = signAnnouncementHalf(unsigned, CHANNEL_ID, A.seed, A.fundingSeed, MAGIC);
  const bytes = encodeAnnouncementSignatures(half);
  assert.equal(bytes.length, ANNOUNCEMENT_SIGNATURES_BYTES);
  assert.deepEqual(bytes.subarray(32, 40), new Uint8Array([8, 7, 6, 5, 4, 3, 2, 1]));
  assert.deepEqual(decodeAnnouncementSignatures(bytes), half);
  assert.throws(() => decodeAnnouncementSignatures(bytes.subarray(1)), DecodeError);
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => decodeAnnouncementSignatures(longer), DecodeError);
  assert.throws(() => unsignedAnnouncement(1n, endOf(A), endOf(A)), RangeError);
});

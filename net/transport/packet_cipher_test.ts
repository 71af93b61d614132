import assert from "node:assert/strict";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { loadBip324Vectors } from "./_bip324_vectors.ts";
import {
  allocatePacket,
  IGNORE_BIT,
  MAX_PACKET_CONTENTS_BYTES,
  PacketDecryptor,
  PacketEncryptor,
} from "./packet_cipher.ts";

function endsWith(whole: Uint8Array, tail: Uint8Array): boolean {
  return bytesToHex(whole.subarray(whole.length - tail.length)) === bytesToHex(tail);
}

Deno.test("PacketEncryptor.encrypt() reproduces BIP324's packet ciphertexts", async () => {
  const vectors = await loadBip324Vectors();
  assert.equal(vectors.length, 6, "the BIP324 packet vector file has 6 rows");
  let checked = 0;
  for (const v of vectors) {
    checked++;
    const encryptor = v.initiating
      ? new PacketEncryptor(v.initiatorL, v.initiatorP)
      : new PacketEncryptor(v.responderL, v.responderP);
    for (let i = 0; i < v.index; i++) encryptor.encrypt(new Uint8Array(0));
    const frame = encryptor.encrypt(v.contents, { ignore: v.ignore, aad: v.aad });
    assert.equal(frame.length, v.contents.length + 20);
    if (v.ciphertext.length > 0) {
      assert.equal(bytesToHex(frame), bytesToHex(v.ciphertext), `row ${v.index}`);
    } else {
      assert.ok(endsWith(frame, v.ciphertextEndsWith), `row ${v.index} tail`);
    }
  }
  assert.equal(checked, 6);
});

Deno.test("PacketDecryptor decrypts BIP324's packets back to their contents", async () => {
  const vectors = await loadBip324Vectors();
  const full = vectors.filter((row) => row.ciphertext.length > 0);
  assert.equal(full.length, 4, "4 of the 6 rows give the whole ciphertext");
  for (const v of full) {
    const decryptor = v.initiating
      ? new PacketDecryptor(v.initiatorL, v.initiatorP)
      : new PacketDecryptor(v.responderL, v.responderP);
    const dummy = v.initiating
      ? new PacketEncryptor(v.initiatorL, v.initiatorP)
      : new PacketEncryptor(v.responderL, v.responderP);
    for (let i = 0; i < v.index; i++) {
      const empty = dummy.encrypt(new Uint8Array(0));
      assert.equal(decryptor.decryptLength(empty.subarray(0, 3)), 0);
      assert.ok(decryptor.decryptPayload(empty.slice(3)));
    }
    const length = decryptor.decryptLength(v.ciphertext.subarray(0, 3));
    assert.equal(length, v.contents.length);
    const payload = v.ciphertext.slice(3);
    assert.ok(decryptor.decryptPayload(payload, v.aad));
    assert.equal(payload[0], v.ignore ? IGNORE_BIT : 0);
    assert.deepEqual(payload.subarray(1, 1 + length), v.contents);
  }
});

Deno.test("PacketEncryptor matches the pinned rnt frames across a rekey", () => {
  const encryptor = new PacketEncryptor(
    new Uint8Array(32).fill(0xa1),
    new Uint8Array(32).fill(0xb2),
  );
  const frames: string[] = [];
  const digest = sha256.create();
  for (let i = 0; i < 230; i++) {
    const frame = encryptor.encrypt(new TextEncoder().encode(`message ${i}`));
    digest.update(frame);
    if (i === 0 || i === 223 || i === 224) frames.push(bytesToHex(frame));
  }
  // Pinned: computed once by this implementation; any change to the framing breaks it.
  assert.deepEqual(frames, PINNED_FRAMES);
  assert.equal(bytesToHex(digest.digest()), PINNED_DIGEST);
});

Deno.test("allocatePacket() aligns the AEAD part and encryptInPlace() matches encrypt()", () => {
  const lengthKey = hexToBytes("01".repeat(32));
  const payloadKey = hexToBytes("02".repeat(32));
  const packet = allocatePacket(1000);
  assert.equal((packet.frame.byteOffset + 3) % 4, 0);
  packet.contents.fill(0x5a);
  new PacketEncryptor(lengthKey, payloadKey).encryptInPlace(packet.frame);
  const expected = new PacketEncryptor(lengthKey, payloadKey).encrypt(
    new Uint8Array(1000).fill(0x5a),
  );
  assert.deepEqual(packet.frame, expected);
});

Deno.test("PacketEncryptor rejects contents over 2^24 - 1 bytes", () => {
  assert.throws(() => allocatePacket(MAX_PACKET_CONTENTS_BYTES + 1), RangeError);
  assert.throws(() => allocatePacket(-1), RangeError);
});

const PINNED_FRAMES = [
  "7021b69e9d1916d565115ce9b970e73588459c86a9b6441393e773a01c",
  "5e70650fb858d1225d0b397573f81766803b41407822db26b23c82c88b74b1",
  "73f5c4f88468d85c9a3b4e11a2f6a2947cbec8e537c7439cab16d55b0b2094",
];
const PINNED_DIGEST = "7b62baeee1f8beffe06dc37f5c9eb70fc7a495bf038d752266df43cf05780fcb";

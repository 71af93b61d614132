import assert from "node:assert/strict";
import { chacha20poly1305 } from "@noble/ciphers/chacha.js";
import { REKEY_INTERVAL } from "./fs_chacha20.ts";
import { FSChaCha20Poly1305 } from "./fs_chacha20_poly1305.ts";

const KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);

function nonce(first: number, rekeyCount: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, first, true);
  view.setUint32(4, rekeyCount, true);
  return out;
}

function box(plain: Uint8Array): Uint8Array {
  const out = new Uint8Array(plain.length + 16);
  out.set(plain);
  return out;
}

Deno.test("FSChaCha20Poly1305.seal() uses nonce u32 index ‖ u64 rekey count and rekeys after 224", () => {
  const sealer = new FSChaCha20Poly1305(KEY);
  let key = KEY;
  for (let epoch = 0; epoch < 3; epoch++) {
    for (let i = 0; i < REKEY_INTERVAL; i++) {
      const plain = new Uint8Array([epoch, i, 1, 2, 3]);
      const sealed = box(plain);
      sealer.seal(sealed);
      assert.deepEqual(sealed, chacha20poly1305(key, nonce(i, epoch)).encrypt(plain));
    }
    key = chacha20poly1305(key, nonce(0xffffffff, epoch)).encrypt(new Uint8Array(32))
      .slice(0, 32);
    assert.equal(sealer.rekeyCount, epoch + 1);
  }
});

Deno.test("FSChaCha20Poly1305.open() decrypts in place and rejects a flipped bit", () => {
  const sealer = new FSChaCha20Poly1305(KEY);
  const opener = new FSChaCha20Poly1305(KEY);
  const plain = new TextEncoder().encode("attack at dawn");
  const sealed = box(plain);
  sealer.seal(sealed);
  assert.ok(opener.open(sealed));
  assert.deepEqual(sealed.subarray(0, plain.length), plain);

  const second = box(plain);
  sealer.seal(second);
  second[3]! ^= 0x01;
  const copy = second.slice();
  assert.equal(opener.open(second), false);
  assert.deepEqual(second, copy, "nothing is decrypted when the tag fails");
});

Deno.test("FSChaCha20Poly1305.open() rejects a packet sealed under an earlier nonce (replay)", () => {
  const sealer = new FSChaCha20Poly1305(KEY);
  const opener = new FSChaCha20Poly1305(KEY);
  const first = box(new Uint8Array([9, 9]));
  sealer.seal(first);
  const replay = first.slice();
  assert.ok(opener.open(first));
  assert.equal(opener.open(replay), false);
});

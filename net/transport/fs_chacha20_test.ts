import assert from "node:assert/strict";
import { chacha20 } from "@noble/ciphers/chacha.js";
import { FSChaCha20, REKEY_INTERVAL } from "./fs_chacha20.ts";

function nonceFor(rekeyCount: number): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setUint32(4, rekeyCount, true);
  return nonce;
}

const KEY = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);

Deno.test("FSChaCha20.crypt() follows one ChaCha20 stream across lengths, then rekeys", () => {
  const cipher = new FSChaCha20(KEY);
  const epoch0 = chacha20(KEY, nonceFor(0), new Uint8Array(REKEY_INTERVAL * 3 + 32));
  for (let i = 0; i < REKEY_INTERVAL; i++) {
    const field = new Uint8Array([i, 0xaa, 0x55]);
    cipher.crypt(field);
    assert.deepEqual(field, Uint8Array.from([i, 0xaa, 0x55], (b, j) => b ^ epoch0[i * 3 + j]!));
  }
  assert.equal(cipher.rekeyCount, 1);
  // The next key is keystream bytes 672..704 (block 10, second half); its stream restarts at 0.
  const nextKey = chacha20(KEY, nonceFor(0), new Uint8Array(64), undefined, 10).slice(32);
  assert.deepEqual(nextKey, epoch0.slice(672));
  const field = new Uint8Array(3);
  cipher.crypt(field);
  assert.deepEqual(field, chacha20(nextKey, nonceFor(1), new Uint8Array(3)));
});

Deno.test("FSChaCha20.crypt() is its own inverse", () => {
  const a = new FSChaCha20(KEY);
  const b = new FSChaCha20(KEY);
  for (let i = 0; i < 500; i++) {
    const field = new Uint8Array([i & 0xff, i >> 8, 7]);
    a.crypt(field);
    b.crypt(field);
    assert.deepEqual(field, new Uint8Array([i & 0xff, i >> 8, 7]));
  }
});

Deno.test("FSChaCha20 rejects a wrong key or field size", () => {
  assert.throws(() => new FSChaCha20(new Uint8Array(31)), RangeError);
  assert.throws(() => new FSChaCha20(KEY).crypt(new Uint8Array(4)), RangeError);
});

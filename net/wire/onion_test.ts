import assert from "node:assert/strict";
import { keccak_256, sha3_256 } from "@noble/hashes/sha3.js";
import { base32nopad } from "@scure/base";
import { onionFromPublicKey, publicKeyFromOnion } from "./onion.ts";

// Public v3 onion services (DuckDuckGo, the Tor Project): their checksums were computed by Tor.
const REAL = [
  "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
  "2gzyxa5ihm7nsggfxnu52rck2vv4rvmdlkiu3zzui5du4xyclen53wid.onion",
];

Deno.test("publicKeyFromOnion() accepts real v3 addresses and onionFromPublicKey() restores them", () => {
  for (const host of REAL) {
    const key = publicKeyFromOnion(host);
    assert.ok(key, host);
    assert.equal(key.length, 32);
    assert.equal(onionFromPublicKey(key), host);
    assert.deepEqual(publicKeyFromOnion(host.toUpperCase()), key);
    assert.deepEqual(publicKeyFromOnion(host.slice(0, -6)), key);
  }
});

Deno.test("publicKeyFromOnion() rejects a changed character, wrong length, alphabet or version", () => {
  const host = REAL[0]!;
  for (let i = 0; i < 56; i++) {
    const c = host[i] === "a" ? "b" : "a";
    assert.equal(publicKeyFromOnion(host.slice(0, i) + c + host.slice(i + 1)), undefined, `${i}`);
  }
  assert.equal(publicKeyFromOnion(host.slice(1)), undefined);
  assert.equal(publicKeyFromOnion("1" + host.slice(1)), undefined);
  assert.equal(publicKeyFromOnion("expyuzz4wqqyqhjn.onion"), undefined); // v2 is gone
});

Deno.test("onionFromPublicKey() uses the SHA3-256 checksum, not Keccak", () => {
  const key = new Uint8Array(32).map((_, i) => i * 7);
  const prefix = new TextEncoder().encode(".onion checksum");
  const data = new Uint8Array([...prefix, ...key, 3]);
  const sha3 = sha3_256(data).subarray(0, 2);
  const keccak = keccak_256(data).subarray(0, 2);
  assert.notDeepEqual(sha3, keccak);
  const encode = (sum: Uint8Array) =>
    base32nopad.encode(new Uint8Array([...key, ...sum, 3])).toLowerCase() + ".onion";
  assert.equal(onionFromPublicKey(key), encode(sha3));
  assert.equal(publicKeyFromOnion(encode(keccak)), undefined);
});

Deno.test("onionFromPublicKey() rejects a key that is not 32 bytes", () => {
  assert.throws(() => onionFromPublicKey(new Uint8Array(31)), RangeError);
});

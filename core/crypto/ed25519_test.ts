import assert from "node:assert/strict";
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { fromHex, toHex } from "./keccak.ts";
import {
  isStrictPublicKey,
  keyPairFromSeed,
  sign,
  verify,
  verifyBatch,
  type VerifyItem,
} from "./ed25519.ts";
import { seededBytes } from "../encoding/_testing.ts";

const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const P = 2n ** 255n - 19n;

function le(v: bigint, n = 32): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Number((v >> BigInt(8 * i)) & 0xffn);
  return out;
}
function fromLE(b: Uint8Array): bigint {
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
  return v;
}

/** Both paths must give `expected`. */
async function expectBoth(item: VerifyItem, expected: boolean, what: string): Promise<void> {
  assert.equal(verify(item.signature, item.message, item.publicKey), expected, `verify: ${what}`);
  assert.deepEqual(await verifyBatch([item]), [expected], `verifyBatch: ${what}`);
}

// RFC 8032 §7.1, TEST 1 (empty message) and TEST 2 (one byte 0x72).
const RFC8032 = [
  {
    seed: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    pk: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
    msg: "",
    sig:
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
  },
  {
    seed: "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
    pk: "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
    msg: "72",
    sig:
      "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
  },
];

Deno.test("keyPairFromSeed() and sign() reproduce the RFC 8032 test vectors", async () => {
  for (const v of RFC8032) {
    const kp = keyPairFromSeed(fromHex(v.seed));
    assert.equal(toHex(kp.publicKey), v.pk);
    const sig = sign(kp.secretKey, fromHex(v.msg));
    assert.equal(toHex(sig), v.sig);
    await expectBoth(
      { publicKey: kp.publicKey, message: fromHex(v.msg), signature: sig },
      true,
      "rfc",
    );
  }
});

Deno.test("verify() and verifyBatch() reject a wrong message, key or flipped bit", async () => {
  const kp = keyPairFromSeed(new Uint8Array(32).fill(3));
  const other = keyPairFromSeed(new Uint8Array(32).fill(4));
  const msg = new Uint8Array([1, 2, 3]);
  const sig = sign(kp.secretKey, msg);
  await expectBoth(
    { publicKey: kp.publicKey, message: new Uint8Array([1, 2]), signature: sig },
    false,
    "msg",
  );
  await expectBoth({ publicKey: other.publicKey, message: msg, signature: sig }, false, "key");
  for (const bit of [0, 100, 255, 300, 511]) {
    const bad = sig.slice();
    bad[bit >> 3]! ^= 1 << (bit & 7);
    await expectBoth(
      { publicKey: kp.publicKey, message: msg, signature: bad },
      false,
      `bit ${bit}`,
    );
  }
  await expectBoth(
    { publicKey: kp.publicKey, message: msg, signature: sig.subarray(0, 63) },
    false,
    "short",
  );
});

Deno.test("verify() and verifyBatch() reject a non-canonical S (S + L)", async () => {
  const kp = keyPairFromSeed(new Uint8Array(32).fill(5));
  const msg = new Uint8Array([9]);
  const sig = sign(kp.secretKey, msg);
  const s = fromLE(sig.subarray(32));
  const bad = sig.slice();
  bad.set(le(s + L), 32);
  await expectBoth({ publicKey: kp.publicKey, message: msg, signature: bad }, false, "S+L");
});

Deno.test("verify() and verifyBatch() reject every small-order public key", async () => {
  // Each torsion point as key; R = identity, S = 0 satisfies the equation for some of them,
  // and WebCrypto alone accepts several (measured), so this exercises the pre-check.
  const identity = le(1n);
  const sig = new Uint8Array(64);
  sig.set(identity, 0);
  const msg = new Uint8Array([1, 2, 3]);
  for (let i = 0; i < 8; i++) {
    const pk = torsion(i).toBytes();
    assert.equal(isStrictPublicKey(pk), false);
    await expectBoth({ publicKey: pk, message: msg, signature: sig }, false, `torsion ${i}`);
  }
});

Deno.test("verify() and verifyBatch() reject non-canonical public key encodings", async () => {
  const msg = new Uint8Array([1]);
  const sig = new Uint8Array(64);
  sig.set(le(1n), 0);
  // y = 1 + p (non-canonical identity) and y = 1 with the sign bit (x = 0 "negative zero").
  const keys = [le(1n + P), le(1n | (1n << 255n)), le(P - 1n | (1n << 255n))];
  for (const pk of keys) {
    assert.equal(isStrictPublicKey(pk), false);
    await expectBoth({ publicKey: pk, message: msg, signature: sig }, false, toHex(pk));
  }
  // A valid key with y + p is non-canonical only if y + p < 2^255, i.e. y < 19.
  const kp = keyPairFromSeed(new Uint8Array(32).fill(6));
  assert.equal(isStrictPublicKey(kp.publicKey), true);
});

/** The i-th multiple of a torsion point of order 8. */
function torsion(i: number) {
  const t8 = ed25519.Point.fromHex(
    "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
  );
  return i === 0 ? ed25519.Point.ZERO : t8.multiplyUnsafe(BigInt(i));
}

/** Signs with a nonce point R = rB + T and/or a key A' = aB + T (mixed order, canonical). */
function mixedOrderSignature(
  seed: Uint8Array,
  msg: Uint8Array,
  torsionR: number,
  torsionA: number,
) {
  const { scalar } = ed25519.utils.getExtendedPublicKey(seed);
  const A = ed25519.Point.BASE.multiply(scalar).add(torsion(torsionA));
  const pk = A.toBytes();
  const r = 123456789n;
  const R = ed25519.Point.BASE.multiply(r).add(torsion(torsionR)).toBytes();
  const k = fromLE(sha512(new Uint8Array([...R, ...pk, ...msg]))) % L;
  const S = (r + k * scalar) % L;
  return { publicKey: pk, message: msg, signature: new Uint8Array([...R, ...le(S)]) };
}

Deno.test("verifyBatch() accepts, as strict verify() does, signatures valid only cofactored", async () => {
  const seed = new Uint8Array(32).fill(8);
  const msg = new Uint8Array([4, 5, 6]);
  // R with a torsion component: SB − R − kA = −T ≠ 0, but [8]·T = 0.
  await expectBoth(mixedOrderSignature(seed, msg, 1, 0), true, "mixed-order R");
  // A with a torsion component (a legal, large-order key): the equation holds only cofactored
  // unless k ≡ 0 mod 8.
  const item = mixedOrderSignature(seed, msg, 0, 3);
  assert.equal(isStrictPublicKey(item.publicKey), true);
  await expectBoth(item, true, "mixed-order A");
});

Deno.test("verifyBatch() equals verify() on seeded random mutations, in order", async () => {
  const rnd = seededBytes(99);
  const items: VerifyItem[] = [];
  for (let i = 0; i < 48; i++) {
    const kp = keyPairFromSeed(rnd(32));
    const msg = rnd(i);
    const sig = sign(kp.secretKey, msg);
    const pk = kp.publicKey.slice();
    const m = rnd(2);
    if (i % 4 === 1) sig[m[0]! % 64]! ^= 1 << (m[1]! % 8);
    if (i % 4 === 2) pk[m[0]! % 32]! ^= 1 << (m[1]! % 8);
    if (i % 4 === 3) sig.set(rnd(32), 32);
    items.push({ publicKey: pk, message: msg, signature: sig });
  }
  const batch = await verifyBatch(items);
  const single = items.map((it) => verify(it.signature, it.message, it.publicKey));
  assert.deepEqual(batch, single);
  assert.equal(single.filter(Boolean).length >= 12, true);
  assert.equal(single.filter((x) => !x).length >= 30, true);
});

Deno.test("keyPairFromSeed() and sign() reject a seed that is not 32 bytes", () => {
  assert.throws(() => keyPairFromSeed(new Uint8Array(31)), RangeError);
  assert.throws(() => sign(new Uint8Array(33), new Uint8Array()), RangeError);
});

import assert from "node:assert/strict";
import { ed25519, ristretto255 } from "@noble/curves/ed25519.js";
import { sha256, sha512 } from "@noble/hashes/sha2.js";
import { keyPairFromSeed, verify } from "../crypto/ed25519.ts";
import {
  derivePrivateKey,
  derivePublicKey,
  deriveRevocationPrivateKey,
  deriveRevocationPublicKey,
  ed25519KeyOfPoint,
  keyTweak,
  perCommitmentPoint,
  perCommitmentScalar,
  pointOfScalar,
} from "./commitment_keys.ts";
import { onionKeyPairFromNodeSeed, onionPublicKeyOfNode } from "./onion_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "./shachain.ts";

const Point = ristretto255.Point;
const Fn = Point.Fn;

function le(bytes: Uint8Array): bigint {
  let n = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i]!);
  return n;
}

function scalarToLe(scalar: bigint): Uint8Array {
  const out = new Uint8Array(32);
  let rest = scalar;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
  return out;
}

/** An Ed25519 signature (RFC 8032 equations) made with a bare scalar instead of a seed. */
function signWithScalar(scalar: bigint, message: Uint8Array): Uint8Array {
  const publicKey = ed25519.Point.BASE.multiply(scalar).toBytes();
  const nonce = Fn.create(le(sha512(Uint8Array.of(...scalarToLe(scalar), ...message))));
  const r = ed25519.Point.BASE.multiply(nonce).toBytes();
  const k = Fn.create(le(sha512(Uint8Array.of(...r, ...publicKey, ...message))));
  return Uint8Array.of(...r, ...scalarToLe(Fn.add(nonce, Fn.mul(k, scalar))));
}

const SEED = new Uint8Array(32).map((_, i) => 200 - i);
const SECRETS = [0, 1, 2, 1000].map((i) => perCommitmentSecret(SEED, FIRST_COMMITMENT_INDEX - i));
const BASEPOINT_SECRETS = [1n, 7n, 0x1234_5678_9abc_def0_1234_5678n, Fn.ORDER - 1n];

Deno.test("perCommitmentPoint() is the wide-reduced secret's scalar times the base point", () => {
  for (const secret of SECRETS) {
    const scalar = Fn.create(le(sha512(secret)));
    assert.equal(perCommitmentScalar(secret), scalar);
    assert.deepEqual(perCommitmentPoint(secret), Point.BASE.multiply(scalar).toBytes());
  }
  assert.throws(() => perCommitmentPoint(new Uint8Array(31)), RangeError);
});

Deno.test("derivePrivateKey() matches derivePublicKey() for every basepoint and commitment", () => {
  for (const basepointSecret of BASEPOINT_SECRETS) {
    const basepoint = pointOfScalar(basepointSecret);
    for (const secret of SECRETS) {
      const point = perCommitmentPoint(secret);
      const pub = derivePublicKey(basepoint, point);
      assert.deepEqual(pointOfScalar(derivePrivateKey(basepointSecret, point)), pub);
      // The formula, computed here with the group operations directly.
      const tweak = Fn.create(le(sha256(Uint8Array.of(...point, ...basepoint))));
      assert.equal(keyTweak(point, basepoint), tweak);
      assert.deepEqual(
        pub,
        Point.fromBytes(basepoint).add(Point.BASE.multiply(tweak)).toBytes(),
      );
      assert.notDeepEqual(pub, basepoint);
    }
  }
});

Deno.test("each commitment gets its own key from the same basepoint", () => {
  const basepoint = pointOfScalar(99n);
  const keys = SECRETS.map((s) => derivePublicKey(basepoint, perCommitmentPoint(s)));
  assert.equal(new Set(keys.map((k) => k.join(","))).size, SECRETS.length);
});

Deno.test("the revocation private key needs both secrets, and matches the public key", () => {
  for (const revocationSecret of BASEPOINT_SECRETS) {
    const revocationBasepoint = pointOfScalar(revocationSecret);
    for (const secret of SECRETS) {
      const point = perCommitmentPoint(secret);
      const pub = deriveRevocationPublicKey(revocationBasepoint, point);
      const priv = deriveRevocationPrivateKey(revocationSecret, secret);
      assert.deepEqual(pointOfScalar(priv), pub);
      // The formula, computed here with the group operations directly.
      const h1 = Fn.create(le(sha256(Uint8Array.of(...revocationBasepoint, ...point))));
      const h2 = Fn.create(le(sha256(Uint8Array.of(...point, ...revocationBasepoint))));
      const s = perCommitmentScalar(secret);
      assert.equal(priv, Fn.add(Fn.mul(revocationSecret, h1), Fn.mul(s, h2)));
      // Either party alone knows only its own half: neither half is the key.
      const basepointHalf = Fn.mul(revocationSecret, h1);
      const pointHalf = Fn.mul(s, h2);
      for (const half of [basepointHalf, pointHalf]) {
        assert.notEqual(half, priv);
        assert.notDeepEqual(pointOfScalar(half), pub);
      }
      // Nor does knowing a secret without the factors (the BOLT 3 localpubkey-style sum).
      assert.notEqual(Fn.add(revocationSecret, s), priv);
    }
  }
});

Deno.test("a wrong per-commitment secret gives a different revocation key", () => {
  const revocationSecret = 31337n;
  const pub = deriveRevocationPublicKey(
    pointOfScalar(revocationSecret),
    perCommitmentPoint(SECRETS[0]!),
  );
  const wrong = deriveRevocationPrivateKey(revocationSecret, SECRETS[1]!);
  assert.notDeepEqual(pointOfScalar(wrong), pub);
});

Deno.test("derived keys sign as Ed25519 keys that the chain's verifier accepts", () => {
  const nodeSeed = new Uint8Array(32).fill(0x5a);
  // A basepoint from a chain Ed25519 key: the onion key's scalar and point (onion_keys.ts).
  const base = onionKeyPairFromNodeSeed(nodeSeed);
  assert.deepEqual(base.publicKey, onionPublicKeyOfNode(keyPairFromSeed(nodeSeed).publicKey));
  assert.deepEqual(ed25519KeyOfPoint(base.publicKey), keyPairFromSeed(nodeSeed).publicKey);
  const message = new TextEncoder().encode("sweep the revoked to_local output");
  for (const secret of SECRETS) {
    const point = perCommitmentPoint(secret);
    const delayed = derivePublicKey(base.publicKey, point);
    const delayedScalar = derivePrivateKey(base.privateScalar, point);
    const delayedKey = ed25519KeyOfPoint(delayed);
    assert.ok(verify(signWithScalar(delayedScalar, message), message, delayedKey));
    const revocation = deriveRevocationPublicKey(base.publicKey, point);
    const revocationKey = ed25519KeyOfPoint(revocation);
    const revocationScalar = deriveRevocationPrivateKey(base.privateScalar, secret);
    assert.ok(verify(signWithScalar(revocationScalar, message), message, revocationKey));
    // Half of the revocation key does not sign for it.
    const half = Fn.mul(base.privateScalar, keyTweak(base.publicKey, point));
    assert.equal(verify(signWithScalar(half, message), message, revocationKey), false);
  }
});

Deno.test("ed25519KeyOfPoint() gives the prime-order point of the encoding", () => {
  for (const k of BASEPOINT_SECRETS) {
    assert.deepEqual(ed25519KeyOfPoint(pointOfScalar(k)), ed25519.Point.BASE.multiply(k).toBytes());
  }
});

Deno.test("bad points are refused with RangeError", () => {
  const good = pointOfScalar(5n);
  const identity = Point.ZERO.toBytes();
  const nonCanonical = new Uint8Array(32).fill(0xff);
  for (const bad of [identity, nonCanonical, new Uint8Array(31)]) {
    assert.throws(() => derivePublicKey(bad, good), RangeError);
    assert.throws(() => derivePublicKey(good, bad), RangeError);
    assert.throws(() => deriveRevocationPublicKey(bad, good), RangeError);
    assert.throws(() => deriveRevocationPublicKey(good, bad), RangeError);
    assert.throws(() => ed25519KeyOfPoint(bad), RangeError);
  }
  assert.throws(() => pointOfScalar(0n), RangeError);
  assert.throws(() => deriveRevocationPrivateKey(Fn.ORDER, SECRETS[0]!), RangeError);
});

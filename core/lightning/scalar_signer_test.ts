import assert from "node:assert/strict";
import { verify, verifyBatch } from "../crypto/ed25519.ts";
import {
  derivePrivateKey,
  derivePublicKey,
  deriveRevocationPrivateKey,
  deriveRevocationPublicKey,
  ed25519KeyOfPoint,
  perCommitmentPoint,
  pointOfScalar,
} from "./commitment_keys.ts";
import { ed25519KeyOfScalar, signWithScalar } from "./scalar_signer.ts";
import { testScalar } from "./_channel_fixture.ts";

const message = new TextEncoder().encode("a sighash stands here");

Deno.test("ed25519KeyOfScalar() is the on-chain key of the scalar's ristretto255 point", () => {
  for (const label of ["a", "b", "c", "d"]) {
    const a = testScalar(label);
    assert.deepEqual(ed25519KeyOfScalar(a), ed25519KeyOfPoint(pointOfScalar(a)));
  }
});

Deno.test("a signature by a derived commitment scalar passes the chain's strict Ed25519 verification", async () => {
  const point = perCommitmentPoint(new Uint8Array(32).fill(3));
  const basepointSecret = testScalar("htlc basepoint");
  const scalar = derivePrivateKey(basepointSecret, point);
  const key = ed25519KeyOfPoint(derivePublicKey(pointOfScalar(basepointSecret), point));
  const sig = signWithScalar(scalar, message);
  assert.equal(verify(sig, message, key), true);
  assert.deepEqual(await verifyBatch([{ publicKey: key, message, signature: sig }]), [true]);
  // The revocation key, built from both halves, signs too.
  const secret = new Uint8Array(32).fill(9);
  const revBase = testScalar("revocation basepoint");
  const revScalar = deriveRevocationPrivateKey(revBase, secret);
  const revKey = ed25519KeyOfPoint(
    deriveRevocationPublicKey(pointOfScalar(revBase), perCommitmentPoint(secret)),
  );
  assert.equal(verify(signWithScalar(revScalar, message), message, revKey), true);
});

Deno.test("signWithScalar() is deterministic and binds the message and the key", () => {
  const a = testScalar("k");
  const sig = signWithScalar(a, message);
  assert.deepEqual(signWithScalar(a, message), sig);
  const other = message.slice();
  other[0]! ^= 1;
  assert.equal(verify(sig, other, ed25519KeyOfScalar(a)), false);
  assert.equal(verify(sig, message, ed25519KeyOfScalar(a + 1n)), false);
  assert.notDeepEqual(signWithScalar(a, other), sig);
  // Scalars equal mod ℓ are the same key and sign the same.
  const l = 2n ** 252n + 27742317777372353535851937790883648493n;
  assert.deepEqual(signWithScalar(a + l, message), sig);
});

Deno.test("signWithScalar() refuses a zero scalar", () => {
  assert.throws(() => signWithScalar(0n, message), RangeError);
  assert.throws(() => ed25519KeyOfScalar(0n), RangeError);
});

Deno.test("signWithScalar() keeps its nonce rule (regression pin of one signature)", () => {
  // Pinned from this implementation when PROTOCOL §9.7 fixed the nonce rule.
  const sig = signWithScalar(12345n, new Uint8Array(32).fill(1));
  assert.equal(
    Array.from(sig, (b) => b.toString(16).padStart(2, "0")).join(""),
    "5b50eef4af7480e84f53c6b8507f75b5110ad01c3527efb9de61b072b6914ed1" +
      "92a93d8f37378d5e3d5ea4a983b35f923e46a625a1512a540e2d40f6376cbb04",
  );
});

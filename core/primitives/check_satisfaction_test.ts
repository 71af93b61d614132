import assert from "node:assert/strict";
import { sign } from "../crypto/ed25519.ts";
import { verifyBatch } from "../crypto/ed25519.ts";
import {
  checkSatisfaction,
  type SatisfactionContext,
  signatureChecks,
} from "./check_satisfaction.ts";
import { after, and, hashLock, multi, older, or, pk, thresh } from "./policy.ts";
import { makeSatisfaction } from "./satisfaction.ts";
import { heartbeatPolicy } from "./recovery_policies.ts";
import { preimage, preimageHash, testKey } from "./_fixtures.ts";

const sighash = new Uint8Array(32).fill(0x11);
const ctx: SatisfactionContext = { sighash, mtpSecs: 1_000_000, inputAgeSecs: 500 };
const sig = (i: number, msg = sighash) => ({
  publicKey: testKey(i).publicKey,
  signature: sign(testKey(i).secretKey, msg),
});
const K = (i: number) => testKey(i).publicKey;

Deno.test("checkSatisfaction() heartbeat: owner any time, recovery only after the interval", () => {
  const p = heartbeatPolicy(K(0), K(1), 600);
  assert.deepEqual(checkSatisfaction(p, makeSatisfaction([sig(0)]), ctx), { ok: true });
  const byRecovery = makeSatisfaction([sig(1)]);
  assert.deepEqual(checkSatisfaction(p, byRecovery, ctx), {
    ok: false,
    reason: "policy-unsatisfied",
  });
  assert.deepEqual(checkSatisfaction(p, byRecovery, { ...ctx, inputAgeSecs: 600 }), { ok: true });
  assert.deepEqual(checkSatisfaction(p, makeSatisfaction([]), { ...ctx, inputAgeSecs: 10 ** 9 }), {
    ok: false,
    reason: "policy-unsatisfied",
  });
});

Deno.test("checkSatisfaction() rejects a signature by a key outside the policy", () => {
  const r = checkSatisfaction(pk(K(0)), makeSatisfaction([sig(0), sig(5)]), ctx);
  assert.deepEqual(r, { ok: false, reason: "sig-unknown-key" });
});

Deno.test("checkSatisfaction() rejects an invalid signature even when not needed", () => {
  const p = or(pk(K(0)), pk(K(1)));
  const bad = { publicKey: K(1), signature: sign(testKey(1).secretKey, new Uint8Array(32)) };
  const r = checkSatisfaction(p, makeSatisfaction([sig(0), bad]), ctx);
  assert.deepEqual(r, { ok: false, reason: "sig-invalid" });
});

Deno.test("checkSatisfaction() signatures are bound to the sighash", () => {
  const other = { ...ctx, sighash: new Uint8Array(32).fill(0x12) };
  assert.deepEqual(checkSatisfaction(pk(K(0)), makeSatisfaction([sig(0)]), other), {
    ok: false,
    reason: "sig-invalid",
  });
});

Deno.test("checkSatisfaction() multi counts distinct valid key signatures", () => {
  const p = multi(2, [K(0), K(1), K(2)]);
  assert.equal(checkSatisfaction(p, makeSatisfaction([sig(2)]), ctx).ok, false);
  assert.equal(checkSatisfaction(p, makeSatisfaction([sig(0), sig(2)]), ctx).ok, true);
});

Deno.test("checkSatisfaction() after() compares MTP, older() the input age, inclusively", () => {
  assert.equal(checkSatisfaction(after(1_000_000), makeSatisfaction([]), ctx).ok, true);
  assert.equal(checkSatisfaction(after(1_000_001), makeSatisfaction([]), ctx).ok, false);
  assert.equal(checkSatisfaction(older(500), makeSatisfaction([]), ctx).ok, true);
  assert.equal(checkSatisfaction(older(501), makeSatisfaction([]), ctx).ok, false);
});

Deno.test("checkSatisfaction() hash() needs the preimage; a stray preimage is rejected", () => {
  const p = and(hashLock(preimageHash), pk(K(0)));
  assert.equal(checkSatisfaction(p, makeSatisfaction([sig(0)]), ctx).ok, false);
  assert.equal(checkSatisfaction(p, makeSatisfaction([sig(0)], [preimage]), ctx).ok, true);
  const stray = makeSatisfaction([sig(0)], [preimage, new Uint8Array(32)]);
  assert.deepEqual(checkSatisfaction(p, stray, ctx), { ok: false, reason: "preimage-unused" });
});

Deno.test("checkSatisfaction() thresh counts satisfied children", () => {
  const p = thresh(2, pk(K(0)), older(10_000), after(5));
  assert.equal(checkSatisfaction(p, makeSatisfaction([]), ctx).ok, false);
  assert.equal(checkSatisfaction(p, makeSatisfaction([sig(0)]), ctx).ok, true);
});

Deno.test("signatureChecks() feed verifyBatch(), then checkSatisfaction() skips re-verifying", async () => {
  const s = makeSatisfaction([sig(0), sig(1)]);
  const ok = await verifyBatch(signatureChecks(s, sighash));
  assert.deepEqual(ok, [true, true]);
  const r = checkSatisfaction(and(pk(K(0)), pk(K(1))), s, { ...ctx, verifySignature: () => true });
  assert.deepEqual(r, { ok: true });
});

import assert from "node:assert/strict";
import {
  act,
  commit,
  deliver,
  expectReason,
  onionOf,
  openChannel,
  type Party,
  pointOf,
  preimageOf,
  sameCommitment,
  secretOf,
  settle,
} from "./_channel_test_kit.ts";
import {
  addHtlc,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
  localCommitmentPoint,
  needsCommitment,
  remoteRevocationSecret,
  signCommitment,
  updateFee,
} from "./channel_state.ts";
import { commitmentFeeResonances } from "./commitment_tx.ts";

const CAPACITY = 10n ** 11n;
const PUSH = 2n * 10n ** 10n;

function add(from: Party, to: Party, amountMres: bigint, n: number): bigint {
  const id = from.state.nextHtlcId.local;
  act(from, to, (s) =>
    addHtlc(s, {
      amountMres,
      paymentHash: preimageOf(n).paymentHash,
      expirySecs: 1_800_000_000 + n,
      onion: onionOf(n),
    }));
  return id;
}

function assertAgree(alice: Party, bob: Party): void {
  assert.ok(sameCommitment(alice.state.localCommit.spec, bob.state.remoteCommit.spec));
  assert.ok(sameCommitment(bob.state.localCommit.spec, alice.state.remoteCommit.spec));
}

Deno.test("createChannel() starts both sides at commitment 0 with agreeing specs", () => {
  const { alice, bob } = openChannel();
  assert.deepEqual(alice.state.localCommit.spec.toOwnerMres, CAPACITY - PUSH);
  assert.deepEqual(alice.state.localCommit.spec.toOtherMres, PUSH);
  assert.deepEqual(alice.state.localCommit.spec.feeResonances, commitmentFeeResonances(1n, 0));
  assertAgree(alice, bob);
  assert.deepEqual(needsCommitment(alice.state), false);
});

Deno.test("an HTLC is added, committed both ways, fulfilled and settled", () => {
  const { alice, bob } = openChannel();
  const amount = 5_000_000_000n;
  const id = add(alice, bob, amount, 1);
  deliver(bob, alice);
  // Not committed yet: Bob cannot settle it, nor is it handed on.
  expectReason(() => fulfillHtlc(bob.state, id, preimageOf(1).preimage), "htlc-not-committed");
  commit(alice, bob); // Bob's commitment 1 has the HTLC
  deliver(bob, alice); // Bob revokes 0 → revoke_and_ack to Alice
  assert.deepEqual(bob.state.localCommit.spec.htlcs.length, 1);
  assert.deepEqual(bob.events.length, 0);
  deliver(alice, bob); // Alice has Bob's revocation
  assert.ok(needsCommitment(bob.state));
  commit(bob, alice); // Alice's commitment 1 has it
  deliver(alice, bob); // Alice revokes → revoke_and_ack to Bob
  deliver(bob, alice);
  assert.deepEqual(bob.events.map((e) => e.type), ["htlc-locked-in"]);
  assertAgree(alice, bob);
  assert.deepEqual(alice.state.localCommit.spec.toOwnerMres, CAPACITY - PUSH - amount);

  act(bob, alice, (s) => fulfillHtlc(s, id, preimageOf(1).preimage));
  deliver(alice, bob);
  assert.deepEqual(alice.events.map((e) => e.type), ["htlc-fulfilled"]);
  settle(alice, bob);
  assertAgree(alice, bob);
  assert.deepEqual(alice.state.base.htlcs.length, 0);
  assert.deepEqual(alice.state.log.length, 0);
  assert.deepEqual(alice.state.localCommit.spec.toOwnerMres, CAPACITY - PUSH - amount);
  assert.deepEqual(bob.state.localCommit.spec.toOwnerMres, PUSH + amount);
  // Every revoked commitment of each side's peer has its secret stored.
  assert.deepEqual(alice.state.localCommit.number, bob.state.remoteCommit.number);
});

Deno.test("a failed HTLC returns to its offerer and is reported once irrevocable", () => {
  const { alice, bob } = openChannel();
  const id = add(alice, bob, 3_000_000n, 2);
  settle(alice, bob);
  act(bob, alice, (s) => failHtlc(s, id, new Uint8Array([1, 2, 3])));
  deliver(alice, bob);
  assert.deepEqual(alice.events.length, 0);
  commit(bob, alice);
  deliver(alice, bob); // Alice's new commitment drops the HTLC; Alice revokes
  deliver(bob, alice);
  assert.deepEqual(alice.events.length, 0); // not yet out of Bob's commitment
  settle(alice, bob);
  assert.deepEqual(alice.events, [{ type: "htlc-failed", id, reason: new Uint8Array([1, 2, 3]) }]);
  assert.deepEqual(alice.state.localCommit.spec.toOwnerMres, CAPACITY - PUSH);
  assertAgree(alice, bob);
});

Deno.test("a malformed-onion failure returns the HTLC and reports the onion hash and code", () => {
  const { alice, bob } = openChannel();
  const id = add(alice, bob, 3_000_000n, 11);
  settle(alice, bob);
  const onionHash = new Uint8Array(32).fill(0x3c);
  act(bob, alice, (s) => failMalformedHtlc(s, id, onionHash, 0xc006));
  settle(alice, bob);
  assert.deepEqual(alice.events, [
    { type: "htlc-failed-malformed", id, sha256OfOnion: onionHash, failureCode: 0xc006 },
  ]);
  assert.deepEqual(alice.state.localCommit.spec.toOwnerMres, CAPACITY - PUSH);
  assertAgree(alice, bob);
});

Deno.test("both sides add HTLCs and sign at the same time, and converge", () => {
  const { alice, bob } = openChannel();
  add(alice, bob, 7_000_000n, 3);
  add(bob, alice, 4_000_000n, 4);
  commit(alice, bob);
  commit(bob, alice);
  // Each receives the other's add, then the other's commitment_signed (crossing).
  deliver(alice, bob);
  deliver(bob, alice);
  deliver(alice, bob);
  deliver(bob, alice);
  settle(alice, bob);
  assertAgree(alice, bob);
  assert.deepEqual(alice.state.localCommit.spec.htlcs.length, 2);
  assert.deepEqual(alice.state.base.htlcs.length, 2);
  assert.deepEqual(bob.state.base.htlcs.length, 2);
  assert.deepEqual(alice.events.map((e) => e.type), ["htlc-locked-in"]);
  assert.deepEqual(bob.events.map((e) => e.type), ["htlc-locked-in"]);
  const total = (p: Party) =>
    p.state.localCommit.spec.toOwnerMres + p.state.localCommit.spec.toOtherMres +
    p.state.localCommit.spec.htlcs.reduce((s, h) => s + h.amountMres, 0n);
  assert.deepEqual(total(alice), CAPACITY);
  assert.deepEqual(total(bob), CAPACITY);
});

Deno.test("update_fee from the funder changes the fee of both commitments", () => {
  const { alice, bob } = openChannel();
  add(alice, bob, 900_000_000n, 5); // 900,000 resonances: an output, counted in the fee
  settle(alice, bob);
  act(alice, bob, (s) => updateFee(s, 3));
  settle(alice, bob);
  assert.deepEqual(alice.state.base.feeratePerByte, 3);
  assert.deepEqual(bob.state.base.feeratePerByte, 3);
  assert.deepEqual(alice.state.localCommit.spec.feeResonances, commitmentFeeResonances(3n, 1));
  assert.deepEqual(bob.state.localCommit.spec.feeResonances, commitmentFeeResonances(3n, 1));
  assertAgree(alice, bob);
});

Deno.test("an HTLC below the owner's dust limit is left out of the fee count", () => {
  const { alice, bob } = openChannel({ bobDustLimitResonances: 10_000n });
  add(alice, bob, 5_000_000n, 6); // 5,000 resonances: dust for Bob, an output for Alice
  settle(alice, bob);
  assert.deepEqual(alice.state.localCommit.spec.feeResonances, commitmentFeeResonances(1n, 1));
  assert.deepEqual(bob.state.localCommit.spec.feeResonances, commitmentFeeResonances(1n, 0));
});

Deno.test("signCommitment() refuses while the previous commitment is unrevoked or nothing changed", () => {
  const { alice, bob } = openChannel();
  expectReason(() => signCommitment(alice.state, alice.signer), "no-changes");
  add(alice, bob, 2_000_000n, 7);
  commit(alice, bob);
  add(alice, bob, 2_000_000n, 8);
  expectReason(() => signCommitment(alice.state, alice.signer), "awaiting-revocation");
  settle(alice, bob);
  assert.deepEqual(alice.state.base.htlcs.length, 2);
});

Deno.test("a channel can run many payments both ways with the state reloaded at every step", () => {
  const { alice, bob } = openChannel();
  for (let i = 0; i < 20; i++) {
    const [from, to] = i % 2 === 0 ? [alice, bob] : [bob, alice];
    const id = add(from, to, 1_000_000n + BigInt(i), 100 + i);
    settle(alice, bob);
    act(to, from, (s) => fulfillHtlc(s, id, preimageOf(100 + i).preimage));
    settle(alice, bob);
  }
  assertAgree(alice, bob);
  assert.deepEqual(alice.state.localCommit.number, 40n);
  assert.deepEqual(alice.state.base.htlcs.length, 0);
});

Deno.test("localCommitmentPoint() and remoteRevocationSecret() give the keys for the chain", () => {
  const { alice, bob } = openChannel();
  add(alice, bob, 2_000_000n, 9);
  settle(alice, bob);
  add(alice, bob, 2_000_000n, 10);
  settle(alice, bob);
  assert.equal(alice.state.localCommit.number, 2n);
  assert.deepEqual(localCommitmentPoint(alice.state, 2n), pointOf(alice.seed, 2));
  assert.throws(() => localCommitmentPoint(alice.state, 5n), RangeError);
  assert.deepEqual(remoteRevocationSecret(alice.state, 0n), secretOf(bob.seed, 0));
  assert.deepEqual(remoteRevocationSecret(alice.state, 1n), secretOf(bob.seed, 1));
  assert.equal(remoteRevocationSecret(alice.state, 2n), undefined); // Bob's current one
  assert.equal(remoteRevocationSecret(alice.state, 9n), undefined);
});

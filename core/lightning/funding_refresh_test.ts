import assert from "node:assert/strict";
import { MAINNET, REGTEST } from "../consensus/params.ts";
import { verify } from "../crypto/ed25519.ts";
import { sighash } from "../primitives/tx_hash.ts";
import { addHtlc, fulfillHtlc, localCommitmentPoint } from "./channel_state.ts";
import { encodeChannelState } from "./channel_state_codec.ts";
import type { ChannelState } from "./channel_types.ts";
import { commitmentTxOf, fundingSigner } from "./funding_signer.ts";
import {
  checkRefreshSignatures,
  type FundingRefreshPlan,
  planFundingRefresh,
  refreshDeadlineAgeSecs,
  refreshDue,
  refreshedChannel,
  refreshFeeResonances,
  refreshReady,
  refreshStartAgeSecs,
  signedRefreshTx,
} from "./funding_refresh.ts";
import {
  act,
  expectReason,
  onionOf,
  openChannel,
  type Party,
  preimageOf,
  settle,
  TEST_FUNDING_OUTPOINT,
  TEST_MAGIC,
} from "./_channel_test_kit.ts";
import { MRES_PER_RESONANCE } from "./commitment_tx.ts";

const ALICE_FUNDING = new Uint8Array(32).fill(0xa1);
const BOB_FUNDING = new Uint8Array(32).fill(0xb1);
const keysOf = (seed: Uint8Array) => ({
  magic: TEST_MAGIC,
  fundingOutpoint: TEST_FUNDING_OUTPOINT,
  fundingSeed: seed,
});

/** Alice proposes, Bob accepts, both check each other's signatures: the two plans. */
function refresh(alice: Party, bob: Party): { a: FundingRefreshPlan; b: FundingRefreshPlan } {
  const fee = refreshFeeResonances(alice.state);
  const a = planFundingRefresh(alice.state, keysOf(ALICE_FUNDING), fee);
  const b = planFundingRefresh(bob.state, keysOf(BOB_FUNDING), fee);
  checkRefreshSignatures(b, keysOf(BOB_FUNDING), { commit: a.ourCommitSignature });
  checkRefreshSignatures(a, keysOf(ALICE_FUNDING), {
    commit: b.ourCommitSignature,
    refresh: b.ourRefreshSignature,
  });
  checkRefreshSignatures(b, keysOf(BOB_FUNDING), {
    commit: a.ourCommitSignature,
    refresh: a.ourRefreshSignature,
  });
  return { a, b };
}

/** The party after the refresh, signing on the new outpoint. */
function moved(p: Party, plan: FundingRefreshPlan, theirCommit: Uint8Array, seed: Uint8Array) {
  const state = refreshedChannel(plan, theirCommit);
  return {
    ...p,
    state,
    signer: fundingSigner(state.config, {
      magic: TEST_MAGIC,
      fundingOutpoint: plan.newOutpoint,
      fundingSeed: seed,
    }),
  };
}

Deno.test("refreshDue() starts a refresh at half the emission-return age and force closes at three quarters", () => {
  assert.equal(refreshStartAgeSecs(REGTEST.emissionReturnAgeSecs), 1800);
  assert.equal(refreshDeadlineAgeSecs(REGTEST.emissionReturnAgeSecs), 2700);
  assert.equal(refreshDue(0, 3600), "wait");
  assert.equal(refreshDue(1799, 3600), "wait");
  assert.equal(refreshDue(1800, 3600), "refresh");
  assert.equal(refreshDue(2699, 3600), "refresh");
  assert.equal(refreshDue(2700, 3600), "force-close");
  assert.equal(refreshDue(3600, 3600), "force-close");
  const age = MAINNET.emissionReturnAgeSecs;
  assert.ok(refreshDeadlineAgeSecs(age) < age);
  assert.equal(refreshDue(refreshStartAgeSecs(age) - 1, age), "wait");
  assert.ok(age - refreshDeadlineAgeSecs(age) > 365 * 86_400); // a year to confirm a force close
});

Deno.test("planFundingRefresh() gives both sides the same refresh and commitments re-signed on the new outpoint", () => {
  const { alice, bob } = openChannel({ realTransactions: true });
  const before = encodeChannelState(alice.state);
  const { a, b } = refresh(alice, bob);
  assert.deepEqual(encodeChannelState(alice.state), before, "planning changes nothing");
  const fee = refreshFeeResonances(alice.state);
  assert.equal(fee, 369n); // 1 resonance per byte × a signed one-output funding spend
  assert.deepEqual(a.tx, b.tx);
  assert.deepEqual(a.newOutpoint, b.newOutpoint);
  assert.equal(a.tx.inputs.length, 1);
  assert.deepEqual(a.tx.inputs[0]!.prevout, TEST_FUNDING_OUTPOINT);
  assert.equal(a.tx.outputs.length, 1);
  assert.deepEqual(a.tx.outputs[0]!.address, a.oldOutput.address); // the same funding address
  assert.equal(a.tx.outputs[0]!.value, a.oldOutput.value - fee);

  const alice2 = moved(alice, a, b.ourCommitSignature, ALICE_FUNDING);
  const bob2 = moved(bob, b, a.ourCommitSignature, BOB_FUNDING);
  const feeMres = fee * MRES_PER_RESONANCE;
  const s = alice2.state;
  assert.equal(s.config.capacityMres, alice.state.config.capacityMres - feeMres);
  assert.equal(s.base.localBalanceMres, alice.state.base.localBalanceMres - feeMres); // the funder pays
  assert.equal(s.base.remoteBalanceMres, alice.state.base.remoteBalanceMres);
  assert.equal(s.localCommit.number, alice.state.localCommit.number);
  assert.equal(s.remoteCommit.number, alice.state.remoteCommit.number);
  assert.deepEqual(s.remoteSecrets, alice.state.remoteSecrets); // revocation state carries over
  assert.deepEqual(s.localSeed, alice.state.localSeed);
  assert.equal(bob2.state.base.localBalanceMres, bob.state.base.localBalanceMres);
  assert.equal(bob2.state.localCommit.spec.toOtherMres, s.localCommit.spec.toOwnerMres);

  // Each side's commitment now spends the new outpoint and carries a valid peer signature.
  for (const p of [alice2, bob2]) {
    const { spec, signature, number } = p.state.localCommit;
    const built = commitmentTxOf(
      p.state.config,
      TEST_MAGIC,
      a.newOutpoint,
      spec,
      localCommitmentPoint(p.state, number),
    );
    assert.deepEqual(built.tx.inputs[0]!.prevout, a.newOutpoint);
    assert.ok(
      p.signer.verifyLocalCommitment(spec, localCommitmentPoint(p.state, number), signature),
    );
  }

  // The signed refresh carries both funding signatures over the old funding output.
  const signed = signedRefreshTx(a, b.ourRefreshSignature);
  assert.deepEqual(signedRefreshTx(b, a.ourRefreshSignature).witnesses, signed.witnesses);
  const digest = sighash(TEST_MAGIC, a.tx, 0, [a.oldOutput]);
  assert.ok(verify(a.ourRefreshSignature, digest, alice.state.config.localParams.fundingKey));
  assert.ok(verify(b.ourRefreshSignature, digest, bob.state.config.localParams.fundingKey));
});

Deno.test("a refreshed channel keeps working: a payment settles on commitments spending the new outpoint", () => {
  const { alice, bob } = openChannel({ realTransactions: true });
  const { a, b } = refresh(alice, bob);
  const alice2 = moved(alice, a, b.ourCommitSignature, ALICE_FUNDING);
  const bob2 = moved(bob, b, a.ourCommitSignature, BOB_FUNDING);
  const before = { a: alice2.state.base.localBalanceMres, b: bob2.state.base.localBalanceMres };
  act(alice2, bob2, (s) =>
    addHtlc(s, {
      amountMres: 5_000_000n,
      paymentHash: preimageOf(1).paymentHash,
      expirySecs: 1_800_000_000,
      onion: onionOf(1),
    }));
  settle(alice2, bob2);
  act(bob2, alice2, (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  settle(alice2, bob2);
  assert.equal(alice2.state.base.localBalanceMres, before.a - 5_000_000n);
  assert.equal(bob2.state.base.localBalanceMres, before.b + 5_000_000n);
  assert.equal(alice2.state.localCommit.number, alice.state.localCommit.number + 2n);
  assert.equal(
    alice2.state.base.localBalanceMres + alice2.state.base.remoteBalanceMres,
    alice2.state.config.capacityMres,
  );
  // And it can be refreshed again from there.
  assert.ok(refreshReady(alice2.state));
  const again = planFundingRefresh(alice2.state, {
    magic: TEST_MAGIC,
    fundingOutpoint: a.newOutpoint,
    fundingSeed: ALICE_FUNDING,
  }, refreshFeeResonances(alice2.state));
  assert.deepEqual(again.tx.inputs[0]!.prevout, a.newOutpoint);
});

Deno.test("planFundingRefresh() refuses a wrong fee, updates in flight and a funder who cannot pay", () => {
  const { alice, bob } = openChannel({ realTransactions: true });
  const fee = refreshFeeResonances(alice.state);
  expectReason(
    () => planFundingRefresh(alice.state, keysOf(ALICE_FUNDING), fee + 1n),
    "bad-feerate",
  );
  expectReason(() => planFundingRefresh(alice.state, keysOf(ALICE_FUNDING), 0n), "bad-feerate");
  act(alice, bob, (s) =>
    addHtlc(s, {
      amountMres: 5_000_000n,
      paymentHash: preimageOf(2).paymentHash,
      expirySecs: 1_800_000_000,
      onion: onionOf(2),
    }));
  assert.ok(!refreshReady(alice.state));
  expectReason(
    () => planFundingRefresh(alice.state, keysOf(ALICE_FUNDING), fee),
    "unexpected-message",
  );
  const disconnected: ChannelState = { ...structuredClone(bob.state), connected: false };
  expectReason(
    () => planFundingRefresh(disconnected, keysOf(BOB_FUNDING), fee),
    "unexpected-message",
  );
  // A funder who pushed all but 500 resonances away pays the commitment fee (411) but not both.
  const poor = openChannel({ realTransactions: true, pushMres: 10n ** 11n - 500_000n }).alice;
  expectReason(
    () => planFundingRefresh(poor.state, keysOf(ALICE_FUNDING), refreshFeeResonances(poor.state)),
    "fee-unaffordable",
  );
});

Deno.test("checkRefreshSignatures() refuses a forged commitment or refresh signature", () => {
  const { alice, bob } = openChannel({ realTransactions: true });
  const { a, b } = refresh(alice, bob);
  const forged = b.ourCommitSignature.slice();
  forged[5]! ^= 1;
  expectReason(
    () => checkRefreshSignatures(a, keysOf(ALICE_FUNDING), { commit: forged }),
    "bad-signature",
  );
  // Bob's signature on his own commitment is not one on Alice's.
  expectReason(
    () => checkRefreshSignatures(a, keysOf(ALICE_FUNDING), { commit: a.ourCommitSignature }),
    "bad-signature",
  );
  // Alice's own refresh signature is not Bob's.
  expectReason(
    () =>
      checkRefreshSignatures(a, keysOf(ALICE_FUNDING), {
        commit: b.ourCommitSignature,
        refresh: a.ourRefreshSignature,
      }),
    "bad-signature",
  );
  expectReason(
    () =>
      checkRefreshSignatures(a, keysOf(ALICE_FUNDING), {
        commit: b.ourCommitSignature,
        refresh: new Uint8Array(64),
      }),
    "bad-signature",
  );
  // A commitment signed on the OLD outpoint does not verify on the new one.
  const old = fundingSigner(b.state.config, keysOf(BOB_FUNDING)).signRemoteCommitment(
    b.state.remoteCommit.spec,
    b.state.remoteCommit.point,
  );
  expectReason(
    () => checkRefreshSignatures(a, keysOf(ALICE_FUNDING), { commit: old }),
    "bad-signature",
  );
});

/**
 * The persistence rule of PROTOCOL.md §9.8, checked at every point of a payment: a node killed
 * after any step — with the step's state written (it may have sent the step's messages) or not
 * (then it sent nothing of that step) — resumes from its bytes, reconnects, and the payment
 * completes with nothing lost.
 */
import assert from "node:assert/strict";
import {
  act,
  commit,
  deliver,
  onionOf,
  openChannel,
  type Party,
  preimageOf,
  reconnect,
  settle,
} from "./_channel_test_kit.ts";
import { addHtlc, fulfillHtlc, needsCommitment } from "./channel_state.ts";
import { decodeChannelState, encodeChannelState } from "./channel_state_codec.ts";

const AMOUNT = 7_000_000n;
const PUSH = 2n * 10n ** 10n;

/** One step of the payment; returns the party that acted (the one a kill then hits). */
type Step = (alice: Party, bob: Party) => Party | undefined;

/** Alice pays Bob AMOUNT; Bob fulfills as soon as the HTLC is locked in. The steps in order. */
function nextStep(alice: Party, bob: Party): Step | undefined {
  if (alice.inbox.length > 0) return (a, b) => (deliver(a, b), a);
  if (bob.inbox.length > 0) return (a, b) => (deliver(b, a), b);
  if (needsCommitment(alice.state)) return (a, b) => (commit(a, b), a);
  if (needsCommitment(bob.state)) return (a, b) => (commit(b, a), b);
  const locked = bob.state.base.htlcs.find((h) => h.offeredBy === "remote");
  const fulfilling = bob.state.log.some((e) => e.update.kind === "fulfill");
  if (locked && !fulfilling) {
    return (a, b) => (act(b, a, (s) => fulfillHtlc(s, locked.id, preimageOf(1).preimage)), b);
  }
  return undefined;
}

function startPayment(): { alice: Party; bob: Party } {
  const { alice, bob } = openChannel({ pushMres: PUSH });
  act(alice, bob, (s) =>
    addHtlc(s, {
      amountMres: AMOUNT,
      paymentHash: preimageOf(1).paymentHash,
      expirySecs: 1_800_000_000,
      onion: onionOf(1),
    }));
  return { alice, bob };
}

function finish(alice: Party, bob: Party): void {
  for (let guard = 0; guard < 100; guard++) {
    const step = nextStep(alice, bob);
    if (step === undefined) return;
    step(alice, bob);
  }
  throw new Error("the payment did not finish");
}

Deno.test("a payment completes whatever step either node is killed after, persisted or not", () => {
  // Count the steps of an undisturbed payment.
  const clean = startPayment();
  let steps = 0;
  for (let step = nextStep(clean.alice, clean.bob); step; step = nextStep(clean.alice, clean.bob)) {
    step(clean.alice, clean.bob);
    steps++;
  }
  assert.ok(steps >= 10, `only ${steps} steps`);
  let cases = 0;
  for (let killAfter = 0; killAfter < steps; killAfter++) {
    for (const persisted of [true, false]) {
      const { alice, bob } = startPayment();
      let victim: Party | undefined;
      let before: Uint8Array | undefined;
      for (let i = 0; i <= killAfter; i++) {
        const step = nextStep(alice, bob)!;
        const snapshot = {
          alice: encodeChannelState(alice.state),
          bob: encodeChannelState(bob.state),
        };
        victim = step(alice, bob);
        before = victim === alice ? snapshot.alice : snapshot.bob;
      }
      // The kill: the victim restarts from its bytes — the step's, or the one before when the step
      // was not written (so none of its messages left); the connection and all in flight are lost.
      victim!.state = decodeChannelState(persisted ? encodeChannelState(victim!.state) : before!);
      reconnect(alice, bob);
      finish(alice, bob);
      settle(alice, bob);
      finish(alice, bob);
      settle(alice, bob);
      assert.equal(alice.state.base.htlcs.length, 0, `kill after ${killAfter}: HTLC still open`);
      assert.equal(alice.state.base.localBalanceMres, 10n ** 11n - PUSH - AMOUNT);
      assert.equal(bob.state.base.localBalanceMres, PUSH + AMOUNT);
      assert.equal(alice.state.log.length + bob.state.log.length, 0);
      cases++;
    }
  }
  assert.equal(cases, 2 * steps);
});

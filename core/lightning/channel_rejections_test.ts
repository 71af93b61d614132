/**
 * Every reason the update protocol refuses a message or an action with, each on the smallest
 * channel that shows it, and each time the state given is left as it was.
 */
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
  secretOf,
  settle,
} from "./_channel_test_kit.ts";
import {
  addHtlc,
  failHtlc,
  failMalformedHtlc,
  fulfillHtlc,
  receiveMessage,
  updateFee,
} from "./channel_state.ts";
import { type ChannelState, MAX_LOGGED_UPDATES } from "./channel_types.ts";
import type { ChannelErrorReason } from "./channel_error.ts";
import type { ChannelMessage, UpdateAddHtlc } from "./channel_messages.ts";
import {
  disconnectChannel,
  receiveReestablish,
  reestablishMessage,
} from "./channel_reestablish.ts";
import { encodeChannelState } from "./channel_state_codec.ts";
import { signedFundingSpendBytes } from "./commitment_tx.ts";

const CHANNEL_ID = new Uint8Array(32).fill(0xc4);

/** Expects `reason` from `fn(state)` and that `state` still encodes to the same bytes. */
function refuses(
  state: ChannelState,
  reason: ChannelErrorReason,
  fn: (s: ChannelState) => unknown,
): void {
  const before = encodeChannelState(state);
  expectReason(() => fn(state), reason);
  assert.deepEqual(encodeChannelState(state), before, `state changed by a refused ${reason}`);
}

function addMessage(overrides: Partial<UpdateAddHtlc>): UpdateAddHtlc {
  return {
    type: "update_add_htlc",
    channelId: CHANNEL_ID,
    id: 0n,
    amountMres: 5_000_000n,
    paymentHash: preimageOf(1).paymentHash,
    expirySecs: 1_800_000_000,
    onion: onionOf(1),
    ...overrides,
  };
}

function request(amountMres: bigint, n = 1) {
  return {
    amountMres,
    paymentHash: preimageOf(n).paymentHash,
    expirySecs: 1_800_000_000,
    onion: onionOf(n),
  };
}

/** A channel with one committed HTLC of 5,000,000 mres from Alice to Bob (id 0). */
function withCommittedHtlc(): { alice: Party; bob: Party } {
  const pair = openChannel();
  act(pair.alice, pair.bob, (s) => addHtlc(s, request(5_000_000n)));
  settle(pair.alice, pair.bob);
  return pair;
}

Deno.test("receiveMessage() refuses a message for another channel (wrong-channel)", () => {
  const { bob } = openChannel();
  refuses(
    bob.state,
    "wrong-channel",
    (s) => receiveMessage(s, addMessage({ channelId: new Uint8Array(32) }), bob.signer),
  );
});

Deno.test("updates before channel_reestablish and a second reestablish are unexpected-message", () => {
  const { alice, bob } = openChannel();
  const down = disconnectChannel(bob.state);
  refuses(down, "unexpected-message", (s) => receiveMessage(s, addMessage({}), bob.signer));
  refuses(down, "unexpected-message", (s) => addHtlc(s, request(5_000_000n)));
  refuses(
    bob.state,
    "unexpected-message",
    (s) => receiveReestablish(s, reestablishMessage(alice.state)),
  );
  refuses(
    bob.state,
    "unexpected-message",
    (s) => receiveMessage(s, reestablishMessage(alice.state), bob.signer),
  );
});

Deno.test("update_add_htlc with an id other than the next is bad-htlc-id", () => {
  const { bob } = openChannel();
  refuses(bob.state, "bad-htlc-id", (s) => receiveMessage(s, addMessage({ id: 1n }), bob.signer));
});

Deno.test("HTLCs of zero or below the receiver's minimum are amount-below-minimum", () => {
  const { alice, bob } = openChannel({ bobLimits: { htlcMinimumMres: 10_000n } });
  refuses(
    bob.state,
    "amount-below-minimum",
    (s) => receiveMessage(s, addMessage({ amountMres: 9_999n }), bob.signer),
  );
  refuses(
    bob.state,
    "amount-below-minimum",
    (s) => receiveMessage(s, addMessage({ amountMres: 0n }), bob.signer),
  );
  refuses(alice.state, "amount-below-minimum", (s) => addHtlc(s, request(9_999n)));
});

Deno.test("an HTLC expiry of zero is bad-expiry", () => {
  const { bob } = openChannel();
  refuses(
    bob.state,
    "bad-expiry",
    (s) => receiveMessage(s, addMessage({ expirySecs: 0 }), bob.signer),
  );
});

Deno.test("more HTLCs than the receiver accepts are too-many-htlcs, counted until removals are irrevocable", () => {
  const { alice, bob } = openChannel({ bobLimits: { maxAcceptedHtlcs: 2 } });
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 2)));
  settle(alice, bob);
  refuses(alice.state, "too-many-htlcs", (s) => addHtlc(s, request(5_000_000n, 3)));
  refuses(
    bob.state,
    "too-many-htlcs",
    (s) => receiveMessage(s, addMessage({ id: 2n }), bob.signer),
  );
  // A failure sent but not yet irrevocable does not free the slot.
  act(bob, alice, (s) => failHtlc(s, 0n, new Uint8Array(0)));
  deliver(alice, bob);
  refuses(alice.state, "too-many-htlcs", (s) => addHtlc(s, request(5_000_000n, 3)));
  settle(alice, bob);
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 3)));
  settle(alice, bob);
  assert.equal(bob.state.base.htlcs.length, 2);
});

Deno.test("offered value above the receiver's in-flight limit is max-in-flight-exceeded", () => {
  const { alice, bob } = openChannel({ bobLimits: { maxHtlcValueInFlightMres: 8_000_000n } });
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  deliver(bob, alice);
  refuses(alice.state, "max-in-flight-exceeded", (s) => addHtlc(s, request(3_000_001n, 2)));
  refuses(
    bob.state,
    "max-in-flight-exceeded",
    (s) => receiveMessage(s, addMessage({ id: 1n, amountMres: 3_000_001n }), bob.signer),
  );
});

Deno.test("an HTLC the sender cannot pay with its reserve (and the funder's worst-case fee) is insufficient-balance", () => {
  const push = 2n * 10n ** 10n;
  const { alice, bob } = openChannel({ pushMres: push });
  const reserve = 1_000_000n;
  // Bob (not the funder) may go down to his reserve, not below.
  refuses(bob.state, "insufficient-balance", (s) => addHtlc(s, request(push - reserve + 1n)));
  act(bob, alice, (s) => addHtlc(s, request(push - reserve)));
  // Alice's worst case: 60 HTLC outputs and 2 balance outputs at 1 resonance per byte.
  const worstFee = BigInt(signedFundingSpendBytes(62)) * 1000n;
  const aliceMax = 10n ** 11n - push - reserve - worstFee;
  refuses(alice.state, "insufficient-balance", (s) => addHtlc(s, request(aliceMax + 1n)));
  refuses(
    bob.state,
    "insufficient-balance",
    (s) => receiveMessage(s, addMessage({ amountMres: aliceMax + 1n }), bob.signer),
  );
  act(alice, bob, (s) => addHtlc(s, request(aliceMax, 2)));
  settle(alice, bob);
  assert.equal(alice.state.localCommit.spec.toOwnerMres, reserve + worstFee);
});

Deno.test("fulfilling or failing an HTLC that does not exist or is already being removed is unknown-htlc", () => {
  const { alice, bob } = withCommittedHtlc();
  refuses(bob.state, "unknown-htlc", (s) => fulfillHtlc(s, 7n, preimageOf(1).preimage));
  refuses(bob.state, "unknown-htlc", (s) => failHtlc(s, 7n, new Uint8Array(0)));
  // Alice cannot fulfill her own HTLC.
  refuses(alice.state, "unknown-htlc", (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  refuses(alice.state, "unknown-htlc", (s) =>
    receiveMessage(
      s,
      { type: "update_fail_htlc", channelId: CHANNEL_ID, id: 3n, reason: new Uint8Array(0) },
      alice.signer,
    ));
  act(bob, alice, (s) => failHtlc(s, 0n, new Uint8Array(0)));
  refuses(bob.state, "unknown-htlc", (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  deliver(alice, bob);
  refuses(alice.state, "unknown-htlc", (s) =>
    receiveMessage(
      s,
      {
        type: "update_fulfill_htlc",
        channelId: CHANNEL_ID,
        id: 0n,
        preimage: preimageOf(1).preimage,
      },
      alice.signer,
    ));
});

Deno.test("settling an HTLC before it is irrevocably committed on both sides is htlc-not-committed", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  deliver(bob, alice);
  commit(alice, bob);
  deliver(bob, alice); // in Bob's commitment, not yet in Alice's
  refuses(bob.state, "htlc-not-committed", (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  refuses(alice.state, "htlc-not-committed", (s) =>
    receiveMessage(
      s,
      {
        type: "update_fulfill_htlc",
        channelId: CHANNEL_ID,
        id: 0n,
        preimage: preimageOf(1).preimage,
      },
      alice.signer,
    ));
});

Deno.test("a preimage that does not hash to the payment hash is wrong-preimage", () => {
  const { alice, bob } = withCommittedHtlc();
  refuses(bob.state, "wrong-preimage", (s) => fulfillHtlc(s, 0n, preimageOf(2).preimage));
  refuses(alice.state, "wrong-preimage", (s) =>
    receiveMessage(
      s,
      { type: "update_fulfill_htlc", channelId: CHANNEL_ID, id: 0n, preimage: new Uint8Array(32) },
      alice.signer,
    ));
});

Deno.test("a malformed-onion failure without the BADONION bit is bad-failure-code", () => {
  const { alice, bob } = withCommittedHtlc();
  refuses(
    bob.state,
    "bad-failure-code",
    (s) => failMalformedHtlc(s, 0n, new Uint8Array(32), 0x4005),
  );
  refuses(alice.state, "bad-failure-code", (s) =>
    receiveMessage(
      s,
      {
        type: "update_fail_malformed_htlc",
        channelId: CHANNEL_ID,
        id: 0n,
        sha256OfOnion: new Uint8Array(32),
        failureCode: 0x4005,
      },
      alice.signer,
    ));
  refuses(bob.state, "unknown-htlc", (s) => failMalformedHtlc(s, 3n, new Uint8Array(32), 0xc005));
});

Deno.test("update_fee from the non-funder is not-funder; a rate of 0 is bad-feerate; one it cannot pay is fee-unaffordable", () => {
  const { alice, bob } = openChannel();
  refuses(bob.state, "not-funder", (s) => updateFee(s, 2));
  refuses(
    alice.state,
    "not-funder",
    (s) =>
      receiveMessage(
        s,
        { type: "update_fee", channelId: CHANNEL_ID, feeratePerByte: 2 },
        alice.signer,
      ),
  );
  refuses(alice.state, "bad-feerate", (s) => updateFee(s, 0));
  refuses(
    bob.state,
    "bad-feerate",
    (s) =>
      receiveMessage(
        s,
        { type: "update_fee", channelId: CHANNEL_ID, feeratePerByte: 0 },
        bob.signer,
      ),
  );
  // Alice holds 8·10¹⁰ mres = 8·10⁷ resonances; the worst case counts 2931 bytes (62 outputs).
  refuses(alice.state, "fee-unaffordable", (s) => updateFee(s, 30_000));
  refuses(bob.state, "fee-unaffordable", (s) =>
    receiveMessage(
      s,
      { type: "update_fee", channelId: CHANNEL_ID, feeratePerByte: 30_000 },
      bob.signer,
    ));
  act(alice, bob, (s) => updateFee(s, 20_000));
  settle(alice, bob);
  assert.equal(bob.state.base.feeratePerByte, 20_000);
});

Deno.test("more than 4096 pending updates is too-many-updates", () => {
  const { bob } = openChannel();
  const flooded = structuredClone(bob.state);
  for (let i = 0; i < MAX_LOGGED_UPDATES; i++) {
    flooded.log.push({
      from: "remote",
      update: { kind: "fee", feeratePerByte: 1 },
      inLocal: null,
      inRemote: null,
    });
  }
  refuses(
    flooded,
    "too-many-updates",
    (s) =>
      receiveMessage(
        s,
        { type: "update_fee", channelId: CHANNEL_ID, feeratePerByte: 2 },
        bob.signer,
      ),
  );
});

Deno.test("commitment_signed with nothing new is no-changes; with a bad signature is bad-signature", () => {
  const { alice, bob } = openChannel();
  const signature = alice.state.remoteCommit.signature;
  refuses(
    bob.state,
    "no-changes",
    (s) =>
      receiveMessage(
        s,
        { type: "commitment_signed", channelId: CHANNEL_ID, signature },
        bob.signer,
      ),
  );
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  deliver(bob, alice);
  commit(alice, bob);
  const sent = bob.inbox[0]!;
  const tampered = sent.payload.slice();
  tampered[40]! ^= 1;
  bob.inbox[0] = { id: sent.id, payload: tampered };
  expectReason(() => deliver(bob, alice), "bad-signature");
  // The genuine signature on the same state still works: nothing was changed.
  bob.inbox.unshift(sent);
  settle(alice, bob);
  assert.equal(bob.state.base.htlcs.length, 1);
});

Deno.test("a signature on a different commitment than ours is bad-signature", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  deliver(bob, alice);
  // Alice signs a commitment that also holds a second HTLC Bob never received.
  act(alice, { ...bob, inbox: [] } as Party, (s) => addHtlc(s, request(6_000_000n, 2)));
  commit(alice, bob);
  expectReason(() => deliver(bob, alice), "bad-signature");
});

Deno.test("revoke_and_ack when none is awaited, with a wrong secret, or a bad next point is refused", () => {
  const { alice, bob } = openChannel();
  const raa = (secret: Uint8Array, point: Uint8Array): ChannelMessage => ({
    type: "revoke_and_ack",
    channelId: CHANNEL_ID,
    perCommitmentSecret: secret,
    nextPerCommitmentPoint: point,
  });
  refuses(
    alice.state,
    "unexpected-revocation",
    (s) => receiveMessage(s, raa(secretOf(bob.seed, 0), pointOf(bob.seed, 2)), alice.signer),
  );
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  commit(alice, bob);
  refuses(
    alice.state,
    "bad-revocation-secret",
    (s) => receiveMessage(s, raa(secretOf(bob.seed, 1), pointOf(bob.seed, 2)), alice.signer),
  );
  refuses(
    alice.state,
    "bad-revocation-secret",
    (s) => receiveMessage(s, raa(new Uint8Array(32), pointOf(bob.seed, 2)), alice.signer),
  );
  refuses(
    alice.state,
    "bad-per-commitment-point",
    (s) =>
      receiveMessage(s, raa(secretOf(bob.seed, 0), new Uint8Array(32).fill(0xff)), alice.signer),
  );
  refuses(
    alice.state,
    "bad-per-commitment-point",
    (s) => receiveMessage(s, raa(secretOf(bob.seed, 0), new Uint8Array(32)), alice.signer),
  );
  deliver(bob, alice);
  deliver(bob, alice);
  deliver(alice, bob); // Bob's genuine revocation is accepted
  assert.equal(alice.state.remotePrevCommit, null);
});

Deno.test("a secret that gives the point but is not from the peer's seed is bad-revocation-secret (shachain)", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n)));
  settle(alice, bob);
  // A peer whose commitment 1 point came from a secret outside its seed's chain.
  const stray = new Uint8Array(32).fill(0x77);
  alice.state = {
    ...alice.state,
    remoteCommit: { ...alice.state.remoteCommit, point: pointOf(stray, 0) },
  };
  const strayMessage = (): ChannelMessage => ({
    type: "revoke_and_ack",
    channelId: CHANNEL_ID,
    perCommitmentSecret: secretOf(stray, 0),
    nextPerCommitmentPoint: pointOf(bob.seed, 3),
  });
  act(alice, bob, (s) => addHtlc(s, request(6_000_000n, 2)));
  commit(alice, bob);
  assert.equal(alice.state.remotePrevCommit?.number, 1n);
  refuses(
    alice.state,
    "bad-revocation-secret",
    (s) => receiveMessage(s, strayMessage(), alice.signer),
  );
});

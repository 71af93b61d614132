import assert from "node:assert/strict";
import {
  act,
  commit,
  deliver,
  expectReason,
  onionOf,
  openChannel,
  type Party,
  preimageOf,
  reconnect,
  sameCommitment,
  settle,
} from "./_channel_test_kit.ts";
import { addHtlc, fulfillHtlc } from "./channel_state.ts";
import type { ChannelState } from "./channel_types.ts";
import {
  disconnectChannel,
  receiveReestablish,
  reestablishMessage,
} from "./channel_reestablish.ts";
import { decodeChannelState, encodeChannelState } from "./channel_state_codec.ts";

function request(amountMres: bigint, n: number) {
  return {
    amountMres,
    paymentHash: preimageOf(n).paymentHash,
    expirySecs: 1_800_000_000,
    onion: onionOf(n),
  };
}

function assertAgree(alice: Party, bob: Party): void {
  assert.ok(sameCommitment(alice.state.localCommit.spec, bob.state.remoteCommit.spec));
  assert.ok(sameCommitment(bob.state.localCommit.spec, alice.state.remoteCommit.spec));
}

Deno.test("a lost update_add_htlc and commitment_signed are sent again after reestablish", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  commit(alice, bob);
  assert.equal(bob.inbox.length, 2);
  reconnect(alice, bob); // both lost
  assert.deepEqual(bob.inbox.map((m) => m.id), [0x80, 0x84]);
  settle(alice, bob);
  assertAgree(alice, bob);
  assert.equal(bob.state.base.htlcs.length, 1);
  assert.deepEqual(bob.events.map((e) => e.type), ["htlc-locked-in"]);
});

Deno.test("a lost revoke_and_ack is sent again after reestablish", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  commit(alice, bob);
  deliver(bob, alice);
  deliver(bob, alice); // Bob revokes; the revoke_and_ack is on its way to Alice
  reconnect(alice, bob);
  assert.deepEqual(alice.inbox.map((m) => m.id), [0x85]);
  settle(alice, bob);
  assertAgree(alice, bob);
  assert.equal(alice.state.base.htlcs.length, 1);
});

Deno.test("a revocation and a commitment lost together are resent in the order first sent", () => {
  for (const revokeFirst of [true, false]) {
    const { alice, bob } = openChannel();
    act(bob, alice, (s) => addHtlc(s, request(4_000_000n, 2)));
    act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
    deliver(alice, bob); // Alice has Bob's add (uncommitted: she forgets it on disconnection)
    commit(alice, bob); // covers Alice's add
    deliver(bob, alice); // Bob has Alice's add
    if (revokeFirst) {
      deliver(bob, alice); // Bob revokes → RAA in flight
      commit(bob, alice); // then signs Alice's commitment with Alice's add acked
    } else {
      commit(bob, alice); // Bob signs first (Alice's add not yet acked by him)
      deliver(bob, alice); // then revokes
    }
    assert.equal(alice.inbox.length, 2);
    reconnect(alice, bob);
    assert.deepEqual(
      alice.inbox.map((m) => m.id),
      revokeFirst ? [0x85, 0x80, 0x84] : [0x80, 0x84, 0x85],
    );
    settle(alice, bob);
    assertAgree(alice, bob);
    assert.equal(alice.state.base.htlcs.length, 2);
  }
});

Deno.test("the peer's uncommitted updates are forgotten on disconnection and accepted again with the same ids", () => {
  const { alice, bob } = openChannel();
  act(bob, alice, (s) => addHtlc(s, request(4_000_000n, 1)));
  act(bob, alice, (s) => addHtlc(s, request(4_000_000n, 2)));
  deliver(alice, bob);
  deliver(alice, bob);
  assert.equal(alice.state.nextHtlcId.remote, 2n);
  const down = disconnectChannel(alice.state);
  assert.equal(down.log.length, 0);
  assert.equal(down.nextHtlcId.remote, 0n);
  reconnect(alice, bob);
  assert.deepEqual(alice.inbox.map((m) => m.id), [0x80, 0x80]);
  settle(alice, bob);
  assert.equal(alice.state.base.htlcs.length, 2);
  assert.deepEqual(alice.events.map((e) => e.type), ["htlc-locked-in", "htlc-locked-in"]);
});

Deno.test("a node killed mid-payment resumes from its persisted bytes and the HTLC settles", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  settle(alice, bob);
  // Bob fulfills and persists; the process dies before anything reaches Alice.
  act(bob, alice, (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  const onDisk = encodeChannelState(bob.state);
  bob.state = decodeChannelState(onDisk);
  reconnect(alice, bob);
  settle(alice, bob);
  assert.deepEqual(alice.events.map((e) => e.type), ["htlc-fulfilled"]);
  assert.equal(alice.state.base.htlcs.length, 0);
  assert.equal(bob.state.base.htlcs.length, 0);
  assert.equal(bob.state.localCommit.spec.toOwnerMres, 2n * 10n ** 10n + 5_000_000n);
  assertAgree(alice, bob);
});

Deno.test("a peer restored from an old backup is peer-lost-state to us and local-lost-state to itself", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  settle(alice, bob);
  const backup = encodeChannelState(bob.state);
  act(bob, alice, (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  settle(alice, bob);
  const stale: ChannelState = disconnectChannel(decodeChannelState(backup));
  const current = disconnectChannel(alice.state);
  expectReason(() => receiveReestablish(current, reestablishMessage(stale)), "peer-lost-state");
  expectReason(() => receiveReestablish(stale, reestablishMessage(current)), "local-lost-state");
});

Deno.test("channel_reestablish with a secret or point that is not the one known is bad-reestablish", () => {
  const { alice, bob } = openChannel();
  act(alice, bob, (s) => addHtlc(s, request(5_000_000n, 1)));
  settle(alice, bob);
  const a = disconnectChannel(alice.state);
  const b = disconnectChannel(bob.state);
  const genuine = reestablishMessage(b);
  expectReason(
    () =>
      receiveReestablish(a, {
        ...genuine,
        yourLastPerCommitmentSecret: new Uint8Array(32).fill(1),
      }),
    "bad-reestablish",
  );
  expectReason(
    () => receiveReestablish(a, { ...genuine, myCurrentPerCommitmentPoint: genuine.channelId }),
    "bad-reestablish",
  );
  // Claiming more revocations than we gave, without the secret to prove it.
  expectReason(
    () => receiveReestablish(a, { ...genuine, nextRevocationNumber: 9n }),
    "bad-reestablish",
  );
  // A commitment we never signed for the peer: only if we restored old state.
  expectReason(
    () =>
      receiveReestablish(a, {
        ...genuine,
        nextCommitmentNumber: genuine.nextCommitmentNumber + 1n,
      }),
    "local-lost-state",
  );
  // next_commitment_number 0: the peer has not even commitment 0 (BOLT 2: fail the channel).
  expectReason(
    () => receiveReestablish(a, { ...genuine, nextCommitmentNumber: 0n }),
    "peer-lost-state",
  );
  assert.equal(receiveReestablish(a, genuine).replies.length, 0);
});

Deno.test("a reestablish with a zero point and no revocation is peer-lost-state, also at commitment 0", () => {
  const { alice, bob } = openChannel();
  const lost = {
    ...reestablishMessage(disconnectChannel(bob.state)),
    myCurrentPerCommitmentPoint: new Uint8Array(32),
  };
  assert.equal(lost.nextCommitmentNumber, 1n);
  assert.equal(lost.nextRevocationNumber, 0n);
  expectReason(() => receiveReestablish(disconnectChannel(alice.state), lost), "peer-lost-state");
  // The genuine message of the same state is fine.
  const a = disconnectChannel(alice.state);
  assert.equal(
    receiveReestablish(a, reestablishMessage(disconnectChannel(bob.state))).replies.length,
    0,
  );
});

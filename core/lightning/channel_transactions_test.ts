/**
 * The update protocol against the real commitment builder (§9.7): both sides sign and check the
 * actual commitment transactions of the specs they produce, so every commitment of a channel run
 * builds, its fee is the one the spec states, and the peer's funding signature verifies on it.
 */
import assert from "node:assert/strict";
import {
  act,
  commit,
  onionOf,
  openChannel,
  type Party,
  preimageOf,
  reconnect,
  settle,
  TEST_MAGIC,
} from "./_channel_test_kit.ts";
import {
  addHtlc,
  failHtlc,
  fulfillHtlc,
  localCommitmentPoint,
  updateFee,
} from "./channel_state.ts";
import { buildCommitmentTx, MRES_PER_RESONANCE } from "./commitment_tx.ts";

function build(p: Party) {
  const c = p.state.config;
  return buildCommitmentTx(TEST_MAGIC, p.state.localCommit.spec, {
    local: c.localParams,
    remote: c.remoteParams,
    funder: c.funder,
    fundingOutpoint: { txid: new Uint8Array(32).fill(0xf0), vout: 1 },
    fundingValue: c.capacityMres / MRES_PER_RESONANCE,
    ownerPerCommitmentPoint: localCommitmentPoint(p.state, p.state.localCommit.number),
  });
}

Deno.test("every commitment of a channel run builds and carries the peer's valid signature", () => {
  const { alice, bob } = openChannel({ realTransactions: true, bobDustLimitResonances: 10_000n });
  const add = (from: Party, to: Party, amountMres: bigint, n: number) =>
    act(from, to, (s) =>
      addHtlc(s, {
        amountMres,
        paymentHash: preimageOf(n).paymentHash,
        expirySecs: 1_800_000_000 + n,
        onion: onionOf(n),
      }));
  add(alice, bob, 900_000_000n, 1);
  add(alice, bob, 5_000_000n, 2); // dust for Bob (5,000 < 10,000 resonances), an output for Alice
  add(bob, alice, 300_000_000n, 3);
  settle(alice, bob);
  const bobTx = build(bob);
  assert.equal(bobTx.trimmedHtlcs.length, 1);
  assert.equal(bobTx.outputs.length, 4); // two HTLCs and both balances
  assert.equal(build(alice).outputs.length, 5);
  act(alice, bob, (s) => updateFee(s, 3));
  act(bob, alice, (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  act(alice, bob, (s) => failHtlc(s, 0n, new Uint8Array([7])));
  commit(alice, bob);
  assert.deepEqual(bob.inbox.map((m) => m.id), [0x86, 0x83, 0x84]);
  reconnect(alice, bob); // the lost commitment_signed is resent and verifies on the rebuilt tx
  assert.deepEqual(bob.inbox.map((m) => m.id), [0x86, 0x83, 0x84]);
  settle(alice, bob);
  const aliceTx = build(alice);
  // The fee actually paid is the spec's (no dust trimmed, whole-resonance balances).
  assert.equal(aliceTx.feeResonances, alice.state.localCommit.spec.feeResonances);
  assert.equal(alice.state.base.feeratePerByte, 3);
  assert.equal(alice.state.base.htlcs.length, 1);
  assert.equal(alice.state.localCommit.number, bob.state.remoteCommit.number);
});

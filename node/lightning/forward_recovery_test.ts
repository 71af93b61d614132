import assert from "node:assert/strict";
import {
  act,
  onionOf,
  openChannel,
  preimageOf,
  settle,
} from "../../core/lightning/_channel_test_kit.ts";
import { addHtlc, failHtlc, fulfillHtlc } from "../../core/lightning/channel_state.ts";
import { wrapErrorPacket } from "../../core/lightning/error_onion.ts";
import { onionKeyPairFromNodeSeed } from "../../core/lightning/onion_keys.ts";
import { encodeHopPayload } from "../../core/lightning/route_payload.ts";
import { buildOnion } from "../../core/lightning/sphinx.ts";
import {
  forwardOutcomeOf,
  forwardTarget,
  incomingOpen,
  neverOffered,
  unhandledIncoming,
} from "./forward_recovery.ts";
import { malformedFailurePacket } from "./htlc_forwarder.ts";

/** Alice offers bob two HTLCs, irrevocably committed on both sides. */
function lockedIn() {
  const { alice, bob } = openChannel();
  for (const n of [1, 2]) {
    act(alice, bob, (s) =>
      addHtlc(s, {
        amountMres: 5_000_000n,
        paymentHash: preimageOf(n).paymentHash,
        expirySecs: 1_900_000_000,
        onion: onionOf(n),
      }));
  }
  settle(alice, bob);
  return { alice, bob };
}

Deno.test("unhandledIncoming() lists the peer's locked-in HTLCs neither settled nor forwarded", () => {
  const { alice, bob } = lockedIn();
  assert.deepEqual(unhandledIncoming(bob.state, () => false).map((h) => h.id), [0n, 1n]);
  assert.deepEqual(unhandledIncoming(bob.state, (id) => id === 0n).map((h) => h.id), [1n]);
  // Bob fulfilled HTLC 0 and failed HTLC 1 (stored, not yet committed): nothing is left to do.
  act(bob, alice, (s) => fulfillHtlc(s, 0n, preimageOf(1).preimage));
  assert.equal(incomingOpen(bob.state, 0n), false);
  assert.equal(incomingOpen(bob.state, 1n), true);
  act(bob, alice, (s) => failHtlc(s, 1n, new Uint8Array(256)));
  assert.deepEqual(unhandledIncoming(bob.state, () => false), []);
  // Alice's own offers are never "incoming" to her.
  assert.deepEqual(unhandledIncoming(alice.state, () => false), []);
  // Once settled and folded, the HTLCs are gone.
  settle(alice, bob);
  assert.equal(incomingOpen(bob.state, 0n), false);
  assert.deepEqual(bob.state.base.htlcs, []);
});

Deno.test("neverOffered() tells an outgoing HTLC id that was never stored", () => {
  const { alice } = lockedIn();
  assert.equal(neverOffered(alice.state, 0n), false);
  assert.equal(neverOffered(alice.state, 1n), false);
  assert.equal(neverOffered(alice.state, 2n), true);
});

Deno.test("forwardOutcomeOf() turns the outgoing HTLC's end into what the incoming one gets", () => {
  const entry = {
    inChannelId: "ab".repeat(32),
    inHtlcId: 0n,
    sharedSecret: new Uint8Array(32).fill(9),
    inAmountMres: 2_000n,
    outAmountMres: 1_000n,
  };
  const preimage = preimageOf(3).preimage;
  assert.deepEqual(forwardOutcomeOf({ type: "htlc-fulfilled", id: 4n, preimage }, entry), {
    kind: "fulfill",
    preimage,
  });
  const reason = new Uint8Array(292).fill(7);
  assert.deepEqual(forwardOutcomeOf({ type: "htlc-failed", id: 4n, reason }, entry), {
    kind: "fail",
    reason: wrapErrorPacket(reason, entry.sharedSecret),
  });
  const sha = new Uint8Array(32).fill(1);
  assert.deepEqual(
    forwardOutcomeOf(
      { type: "htlc-failed-malformed", id: 4n, sha256OfOnion: sha, failureCode: 0x8000 | 5 },
      entry,
    ),
    { kind: "fail", reason: malformedFailurePacket(entry.sharedSecret, 0x8000 | 5, sha) },
  );
  const { bob } = lockedIn();
  assert.equal(
    forwardOutcomeOf({ type: "htlc-locked-in", htlc: bob.state.base.htlcs[0]! }, entry),
    undefined,
  );
});

Deno.test("forwardTarget() reads the next channel from the onion; the payee's onion has none", () => {
  const hop = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xbb));
  const payee = onionKeyPairFromNodeSeed(new Uint8Array(32).fill(0xcc));
  const { paymentHash } = preimageOf(5);
  const payload = (scid?: bigint) =>
    encodeHopPayload({
      amountToForwardMres: 1_000n,
      outgoingExpirySecs: 1_900_000_000,
      ...scid === undefined ? { paymentSecret: new Uint8Array(32) } : { shortChannelId: scid },
    });
  const onion = buildOnion(new Uint8Array(32).fill(7), [
    { publicKey: hop.publicKey, payload: payload(0x0102030405060708n) },
    { publicKey: payee.publicKey, payload: payload() },
  ], paymentHash).packet;
  const htlc = {
    id: 0n,
    offeredBy: "remote" as const,
    amountMres: 2_000n,
    paymentHash,
    expirySecs: 1_900_003_600,
    onion,
  };
  assert.equal(forwardTarget(htlc, hop.privateScalar), 0x0102030405060708n);
  const last = buildOnion(new Uint8Array(32).fill(8), [
    { publicKey: payee.publicKey, payload: payload() },
  ], paymentHash).packet;
  assert.equal(forwardTarget({ ...htlc, onion: last }, payee.privateScalar), undefined);
  // Not our onion (another key) or garbage: unreadable, answered as the payee's.
  assert.equal(forwardTarget(htlc, payee.privateScalar), undefined);
  assert.equal(forwardTarget({ ...htlc, onion: onionOf(1) }, hop.privateScalar), undefined);
});

import assert from "node:assert/strict";
import { RecoveryKind } from "../primitives/address.ts";
import { pk } from "../primitives/policy.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { pendingRecoveryPolicy, socialPolicy } from "../primitives/recovery_policies.ts";
import type { TxOut } from "../primitives/tx.ts";
import { assertReject } from "./_assert_reject.ts";
import { isOwnerCancel } from "./check_recovery.ts";
import { REGTEST } from "./params.ts";
import {
  heartbeatWallet,
  outputKey,
  policyWallet,
  TestChain,
  testKey,
} from "./testing/block_builder.ts";

const alice = heartbeatWallet(REGTEST, 0);
const owner = testKey(20), g1 = testKey(21), g2 = testKey(22), heir = testKey(23);
const social = socialPolicy(owner.publicKey, 2, [g1.publicKey, g2.publicKey]);
const guardians = policyWallet(RecoveryKind.social, social, [g1, g2]);
/** The owner's own policy, all a cancel reveals. */
const ownerOnly = policyWallet(RecoveryKind.pendingRecovery, pk(owner.publicKey), [owner]);
const DELAY = 600;

/**
 * A chain with a mature coin in the owner's social address and the guardians' spend of it into
 * a pending-recovery output paying `pendingAddress` (mined, 60 s of MTP a block).
 */
async function pendingChain(pendingAddress: TxOut["address"]) {
  const chain = new TestChain(REGTEST);
  for (let i = 0; i < 12; i++) {
    await chain.mine({ timestampSecs: chain.tip.header.timestampSecs + 60 });
  }
  const cb = outputKey(REGTEST, chain.blocks[1]!.txs[0]!, 0);
  const value = chain.view.get(cb)!.value;
  const fund = chain.spend(alice, [cb], [{ value: value - 100n, address: guardians.address }]);
  await chain.mine({ txs: [fund], timestampSecs: chain.tip.header.timestampSecs + 60 });
  const rec = chain.spend(guardians, [outputKey(REGTEST, fund, 0)], [
    { value: value - 200n, address: pendingAddress },
  ]);
  await chain.mine({ txs: [rec], timestampSecs: chain.tip.header.timestampSecs + 60 });
  const key = outputKey(REGTEST, rec, 0);
  return { chain, key, value: chain.view.get(key)!.value };
}

/** Mines `n` empty blocks 60 s apart. */
async function advance(chain: TestChain, n: number) {
  for (let i = 0; i < n; i++) {
    await chain.mine({ timestampSecs: chain.tip.header.timestampSecs + 60 });
  }
}

const pending = pendingRecoveryPolicy(pk(owner.publicKey), DELAY, pk(heir.publicKey));
const pendingAddress = { kind: RecoveryKind.pendingRecovery, hash: policyHash(pending) };

Deno.test("social covenant: the guardian spend records the owner's policy hash on the pending output", async () => {
  const { chain, key } = await pendingChain(pendingAddress);
  const entry = chain.view.get(key)!;
  assert.deepEqual(entry.pendingOwnerHash, policyHash(pk(owner.publicKey)));
  assert.ok(isOwnerCancel(entry, policyHash(pk(owner.publicKey))));
  assert.ok(!isOwnerCancel(entry, policyHash(pending)));
  const { pendingOwnerHash: _, ...withoutPending } = entry;
  assert.ok(!isOwnerCancel(withoutPending, policyHash(pk(owner.publicKey))));
});

Deno.test("social covenant: the owner cancels by revealing only pk(owner), to any ordinary address", async () => {
  const { chain, key, value } = await pendingChain(pendingAddress);
  const cancel = chain.spend(ownerOnly, [key], [{ value: value - 100n, address: alice.address }]);
  assert.deepEqual(cancel.witnesses[0]!.policy, pk(owner.publicKey));
  await chain.mine({ txs: [cancel] });
  assert.equal(chain.view.get(key), undefined);
  assert.equal(chain.view.get(outputKey(REGTEST, cancel, 0))!.value, value - 100n);
});

Deno.test("social covenant: the owner can still cancel after the delay has passed", async () => {
  const { chain, key, value } = await pendingChain(pendingAddress);
  await advance(chain, 2 * DELAY / 60);
  assert.ok(chain.tip.mtpSecs > chain.view.get(key)!.createdMtpSecs + DELAY, "delay has passed");
  const cancel = chain.spend(ownerOnly, [key], [{ value: value - 100n, address: alice.address }]);
  const height = chain.tip.height;
  const block = await chain.mine({ txs: [cancel] });
  assert.equal(chain.tip.height, height + 1);
  assert.deepEqual(block.txs[1], cancel, "the cancel is in the connected block");
  assert.equal(chain.view.get(key), undefined, "the pending output is spent");
  const paid = chain.view.get(outputKey(REGTEST, cancel, 0))!;
  assert.equal(paid.value, value - 100n);
  assert.deepEqual(paid.address, alice.address);
});

Deno.test("social covenant: a cancel revealing a policy other than the owner's is bad-policy-hash", async () => {
  const { chain, key } = await pendingChain(pendingAddress);
  const out = [{ value: 1n, address: alice.address }];
  // A guardian's key, the heir's key, and the social policy itself: none is pk(owner).
  for (const w of [[g1.publicKey, g1], [heir.publicKey, heir]] as const) {
    const who = policyWallet(RecoveryKind.pendingRecovery, pk(w[0]), [w[1]]);
    const tx = chain.spend(who, [key], out);
    await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-policy-hash");
  }
  const asSocial = chain.spend(guardians, [key], out);
  await assertReject(() => chain.validate(chain.build({ txs: [asSocial] })), "bad-policy-hash");
});

Deno.test("social covenant: the owner's cancel still needs the owner's signature", async () => {
  const { chain, key } = await pendingChain(pendingAddress);
  // pk(owner) revealed but signed by the heir: the satisfaction fails.
  const forged = policyWallet(RecoveryKind.pendingRecovery, pk(owner.publicKey), [heir]);
  const tx = chain.spend(forged, [key], [{ value: 1n, address: alice.address }]);
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-satisfaction");
});

Deno.test("social covenant: completion is timelock-not-met before the delay and valid after it", async () => {
  const { chain, key, value } = await pendingChain(pendingAddress);
  const heirW = policyWallet(RecoveryKind.pendingRecovery, pending, [heir]);
  const out = [{ value: value - 100n, address: alice.address }];
  const early = chain.spend(heirW, [key], out);
  await assertReject(() => chain.validate(chain.build({ txs: [early] })), "timelock-not-met");
  // A child of the tip sees the pending output 60 s old; each block adds 60 s: 540 s here.
  await advance(chain, DELAY / 60 - 2);
  await assertReject(
    () => chain.validate(chain.build({ txs: [chain.spend(heirW, [key], out)] })),
    "timelock-not-met",
  );
  await advance(chain, 1); // 600 s: the delay has passed
  const claim = chain.spend(heirW, [key], out);
  await chain.mine({ txs: [claim] });
  assert.equal(chain.view.get(key), undefined);
});

Deno.test("social covenant: completion revealing the full pending policy is checked as before", async () => {
  const short = pendingRecoveryPolicy(
    pk(owner.publicKey),
    REGTEST.socialRecoveryMinDelaySecs - 1,
    pk(heir.publicKey),
  );
  const thief = pendingRecoveryPolicy(pk(g1.publicKey), DELAY, pk(heir.publicKey));
  for (
    const [policy, reason] of [[short, "bad-recovery-policy"], [
      thief,
      "bad-social-covenant",
    ]] as const
  ) {
    const { chain, key } = await pendingChain({
      kind: RecoveryKind.pendingRecovery,
      hash: policyHash(policy),
    });
    await advance(chain, 2 * DELAY / 60);
    const heirW = policyWallet(RecoveryKind.pendingRecovery, policy, [heir]);
    const tx = chain.spend(heirW, [key], [{ value: 1n, address: alice.address }]);
    await assertReject(() => chain.validate(chain.build({ txs: [tx] })), reason);
  }
});

Deno.test("social covenant: guardians committing to a malformed or unknown pending policy cannot block the owner's cancel", async () => {
  const thief = pendingRecoveryPolicy(pk(g1.publicKey), DELAY, pk(g1.publicKey));
  const hashes = [
    policyHash(thief), // owner branch is a guardian's
    policyHash(pk(heir.publicKey)), // not a pending-recovery shape
    new Uint8Array(32).fill(0xab), // a hash of nothing anyone knows
  ];
  for (const hash of hashes) {
    const { chain, key, value } = await pendingChain({ kind: RecoveryKind.pendingRecovery, hash });
    const out = [{ value: value - 100n, address: alice.address }];
    const cancel = chain.spend(ownerOnly, [key], out);
    await chain.mine({ txs: [cancel] });
    assert.equal(chain.view.get(key), undefined);
  }
});

Deno.test("social covenant: the cancel may not create a pending-recovery output", async () => {
  const { chain, key } = await pendingChain(pendingAddress);
  const again = chain.spend(ownerOnly, [key], [{ value: 1n, address: pendingAddress }]);
  await assertReject(() => chain.validate(chain.build({ txs: [again] })), "bad-social-covenant");
});

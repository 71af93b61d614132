import assert from "node:assert/strict";
import { RecoveryKind } from "../primitives/address.ts";
import { and, multi, older, or, pk } from "../primitives/policy.ts";
import { pendingRecoveryPolicy, socialPolicy } from "../primitives/recovery_policies.ts";
import { NULL_OUTPOINT } from "../primitives/tx.ts";
import { assertReject } from "./_assert_reject.ts";
import { checkSupplyCap } from "./connect_block.ts";
import { checkTxSanity } from "./check_tx_sanity.ts";
import { checkBlockSanity } from "./check_block_sanity.ts";
import { genesisEntry } from "./genesis.ts";
import { MAX_SUPPLY_RESONANCES, REGTEST } from "./params.ts";
import { decodeBlockCheckpoint } from "./proof_of_training.ts";
import {
  heartbeatWallet,
  outputKey,
  policyWallet,
  TestChain,
  testKey,
} from "./testing/block_builder.ts";

/** A chain whose first coinbase is mature and MTP has advanced by `gapSecs` per block. */
async function matureChain(gapSecs = 60) {
  const chain = new TestChain(REGTEST);
  for (let i = 0; i < 12; i++) {
    await chain.mine({ timestampSecs: chain.tip.header.timestampSecs + gapSecs });
  }
  const key = outputKey(REGTEST, chain.blocks[1]!.txs[0]!, 0);
  return { chain, key, value: chain.view.get(key)!.value };
}

const alice = heartbeatWallet(REGTEST, 0);

Deno.test("checkTxSanity() rejects null prevouts, coinbase witnesses and oversized values", async () => {
  const out = { value: 1n, address: alice.address };
  const base = { version: 1, locktime: 0, witnesses: [], outputs: [out] };
  const twoIn = {
    ...base,
    inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }, {
      prevout: { txid: new Uint8Array(32).fill(1), vout: 0 },
      sequence: 0,
    }],
  };
  await assertReject(() => checkTxSanity(twoIn, REGTEST), "bad-txns-prevout-null");
  const tooBig = {
    ...twoIn,
    outputs: [{ value: MAX_SUPPLY_RESONANCES + 1n, address: alice.address }],
  };
  await assertReject(() => checkTxSanity(tooBig, REGTEST), "bad-txns-vout-toolarge");
  const sum = { ...twoIn, outputs: [{ ...out, value: MAX_SUPPLY_RESONANCES }, out] };
  await assertReject(() => checkTxSanity(sum, REGTEST), "bad-txns-txouttotal-toolarge");
});

Deno.test("checkBlockSanity() rejects a block above maxBlockBytes", async () => {
  const chain = new TestChain(REGTEST);
  const block = chain.build();
  await assertReject(
    () => checkBlockSanity(block, { ...REGTEST, maxBlockBytes: 300 }),
    "bad-blk-length",
  );
});

Deno.test("checkSupplyCap() refuses a block that would lift circulation past 21M", async () => {
  const g = { ...genesisEntry(REGTEST), mintedResonances: MAX_SUPPLY_RESONANCES };
  checkSupplyCap(g, 0n, 0n);
  await assertReject(() => checkSupplyCap(g, 1n, 0n), "supply-cap");
});

Deno.test("a heartbeat output whose policy has a too-short interval is bad-recovery-policy", async () => {
  const { chain, key, value } = await matureChain();
  const short = policyWallet(
    RecoveryKind.heartbeat,
    or(pk(testKey(5).publicKey), and(older(59), pk(testKey(6).publicKey))),
    [testKey(5)],
  );
  const pay = chain.spend(alice, [key], [{ value: value - 100n, address: short.address }]);
  await chain.mine({ txs: [pay] });
  const spend = chain.spend(short, [outputKey(REGTEST, pay, 0)], [{
    value: 1n,
    address: alice.address,
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [spend] })), "bad-recovery-policy");
});

Deno.test("a contract output without a timelock is bad-recovery-policy; older() too young is timelock-not-met", async () => {
  const { chain, key } = await matureChain();
  const k = [testKey(5), testKey(6)];
  const noLock = policyWallet(RecoveryKind.contract, multi(2, k.map((x) => x.publicKey)), k);
  const locked = policyWallet(
    RecoveryKind.contract,
    and(pk(k[0]!.publicKey), older(10_000)),
    [k[0]!],
  );
  const pay = chain.spend(alice, [key], [
    { value: 1000n, address: noLock.address },
    { value: 1000n, address: locked.address },
  ]);
  await chain.mine({ txs: [pay] });
  const s1 = chain.spend(noLock, [outputKey(REGTEST, pay, 0)], [{
    value: 1n,
    address: alice.address,
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [s1] })), "bad-recovery-policy");
  const s2 = chain.spend(locked, [outputKey(REGTEST, pay, 1)], [{
    value: 1n,
    address: alice.address,
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [s2] })), "timelock-not-met");
});

Deno.test("a locktime above the parent's MTP is bad-txns-nonfinal", async () => {
  const { chain, key, value } = await matureChain();
  const tx = chain.spend(alice, [key], [{ value: value - 1n, address: alice.address }], {
    locktime: chain.tip.mtpSecs + 1,
  });
  await assertReject(() => chain.validate(chain.build({ txs: [tx] })), "bad-txns-nonfinal");
});

Deno.test("social covenant: guardians may only pay a pending-recovery output the owner can cancel", async () => {
  const { chain, key, value } = await matureChain();
  const owner = testKey(10), g1 = testKey(11), g2 = testKey(12), heir = testKey(13);
  const social = socialPolicy(owner.publicKey, 2, [g1.publicKey, g2.publicKey]);
  const guardians = policyWallet(RecoveryKind.social, social, [g1, g2]);
  const fund = chain.spend(alice, [key], [{ value: value - 100n, address: guardians.address }]);
  await chain.mine({ txs: [fund] });
  const sk = outputKey(REGTEST, fund, 0);
  // To a heartbeat address: refused.
  const steal = chain.spend(guardians, [sk], [{ value: 1000n, address: alice.address }]);
  await assertReject(() => chain.validate(chain.build({ txs: [steal] })), "bad-social-covenant");
  // Pending output whose owner branch is the heir: the heir cannot complete through it (the
  // real owner can still cancel with pk(owner), see social_covenant_test.ts).
  const fake = pendingRecoveryPolicy(pk(heir.publicKey), 10, pk(heir.publicKey));
  const fakeW = policyWallet(RecoveryKind.pendingRecovery, fake, [heir]);
  const rec = chain.spend(guardians, [sk], [{ value: 1000n, address: fakeW.address }]);
  await chain.mine({ txs: [rec] });
  const grab = chain.spend(fakeW, [outputKey(REGTEST, rec, 0)], [{
    value: 1n,
    address: alice.address,
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [grab] })), "bad-social-covenant");
  // Ordinary transactions cannot create pending-recovery outputs.
  const direct = chain.spend(alice, [outputKey(REGTEST, chain.blocks[2]!.txs[0]!, 0)], [
    { value: 1n, address: fakeW.address },
  ]);
  await assertReject(() => chain.validate(chain.build({ txs: [direct] })), "bad-social-covenant");
});

Deno.test("social covenant: the owner cancels a proper pending recovery immediately", async () => {
  const { chain, key, value } = await matureChain();
  const owner = testKey(10), g1 = testKey(11), g2 = testKey(12), heir = testKey(13);
  const social = socialPolicy(owner.publicKey, 2, [g1.publicKey, g2.publicKey]);
  const guardians = policyWallet(RecoveryKind.social, social, [g1, g2]);
  const fund = chain.spend(alice, [key], [{ value: value - 100n, address: guardians.address }]);
  await chain.mine({ txs: [fund] });
  const pending = pendingRecoveryPolicy(pk(owner.publicKey), 100_000, pk(heir.publicKey));
  const ownerW = policyWallet(RecoveryKind.pendingRecovery, pending, [owner]);
  const rec = chain.spend(guardians, [outputKey(REGTEST, fund, 0)], [
    { value: 1000n, address: ownerW.address },
  ]);
  await chain.mine({ txs: [rec] });
  assert.ok(chain.view.get(outputKey(REGTEST, rec, 0))!.pendingOwnerHash);
  const heirW = policyWallet(RecoveryKind.pendingRecovery, pending, [heir]);
  const early = chain.spend(heirW, [outputKey(REGTEST, rec, 0)], [{
    value: 1n,
    address: alice.address,
  }]);
  await assertReject(() => chain.validate(chain.build({ txs: [early] })), "timelock-not-met");
  const cancel = chain.spend(ownerW, [outputKey(REGTEST, rec, 0)], [{
    value: 900n,
    address: alice.address,
  }]);
  await chain.mine({ txs: [cancel] });
});

Deno.test("emission-return sweep: too young is bad-emission-sweep, old enough is returned", async () => {
  const { chain, key, value } = await matureChain(400);
  const sweep = {
    version: 1,
    inputs: [{
      prevout: (await import("./testing/block_builder.ts")).parseOutpointKey(key),
      sequence: 0,
    }],
    outputs: [{ value: 0n, address: alice.address }],
    locktime: 0,
    witnesses: [],
  };
  // Created at MTP of genesis, parent MTP now ~ 6 × 400 s < 3600 s.
  await assertReject(() => chain.validate(chain.build({ txs: [sweep] })), "bad-emission-sweep");
  for (let i = 0; i < 10; i++) {
    await chain.mine({ timestampSecs: chain.tip.header.timestampSecs + 400 });
  }
  const withValue = { ...sweep, outputs: [{ value: 1n, address: alice.address }] };
  await assertReject(() => chain.validate(chain.build({ txs: [withValue] })), "bad-emission-sweep");
  const before = chain.tip.returnedResonances;
  const res = await chain.accept(chain.build({ txs: [sweep] }));
  assert.equal(res.returnedResonances, value);
  assert.equal(chain.tip.returnedResonances - before, value);
  assert.equal(chain.view.get(key), undefined);
});

Deno.test("decodeBlockCheckpoint() maps a non-decodable checkpoint to bad-checkpoint", async () => {
  const chain = new TestChain(REGTEST);
  const block = chain.build();
  await assertReject(
    () => decodeBlockCheckpoint(block.header, new Uint8Array(block.header.checkpointSize)),
    "bad-checkpoint",
  );
});

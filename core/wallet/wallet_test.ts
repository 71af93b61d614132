import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { pk } from "../primitives/policy.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { outputKey, TestChain, testKey } from "../consensus/testing/block_builder.ts";
import type { RecoverySpec } from "./recovery_spec.ts";
import {
  createRecoveryRequest,
  finalizeRecovery,
  guardianSpendOf,
  signRecoveryRequest,
} from "./social_recovery.ts";
import { pendingCoinFromUtxo, Wallet } from "./wallet.ts";
import { WalletError } from "./wallet_errors.ts";

const WORDS = "abandon ".repeat(23) + "art";
const HB: RecoverySpec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } };

/** A chain where `w` got coinbases at heights 1..n, all matured. */
async function fundedChain(w: Wallet, n = 2, spec: RecoverySpec = HB) {
  const chain = new TestChain(REGTEST);
  const addr = w.newAddress(spec);
  for (let i = 0; i < n; i++) await chain.mine({ coinbaseTo: addr.data });
  for (let i = 0; i < REGTEST.coinbaseMaturity; i++) await chain.mine();
  return { chain, addr };
}

const coinsOf = (w: Wallet, chain: TestChain) => w.ownCoins(chain.view.entries);

Deno.test("newAddress() without a recovery policy throws; bad specs are refused", () => {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  assert.throws(
    () => w.newAddress(undefined),
    (e) => e instanceof WalletError && e.reason === "missing-recovery-policy",
  );
  const bad: RecoverySpec[] = [
    { kind: "heartbeat", intervalSecs: 59, recovery: { type: "own" } },
    {
      kind: "heartbeat",
      intervalSecs: 600,
      recovery: { type: "key", publicKey: new Uint8Array(32) },
    },
    { kind: "social", guardians: [testKey(1).publicKey], threshold: 2, cancelDelaySecs: 60 },
    {
      kind: "social",
      guardians: [testKey(1).publicKey, testKey(1).publicKey],
      threshold: 1,
      cancelDelaySecs: 60,
    },
    { kind: "social", guardians: [testKey(1).publicKey], threshold: 1, cancelDelaySecs: 9 },
  ];
  for (const s of bad) assert.throws(() => w.newAddress(s), WalletError, JSON.stringify(s.kind));
  assert.equal(w.addresses().length, 0);
});

Deno.test("addresses are deterministic: the same words give the same addresses", () => {
  const social: RecoverySpec = {
    kind: "social",
    guardians: [testKey(1).publicKey, testKey(2).publicKey],
    threshold: 2,
    cancelDelaySecs: 60,
  };
  const ext: RecoverySpec = {
    kind: "heartbeat",
    intervalSecs: 60,
    recovery: { type: "key", publicKey: testKey(3).publicKey },
  };
  const make = (pass: string) => {
    const w = Wallet.fromMnemonic(REGTEST, WORDS, pass);
    return [HB, social, ext, HB].map((s) => w.newAddress(s).address);
  };
  const a = make(""), b = make("");
  assert.deepEqual(a, b);
  assert.equal(new Set(a).size, 4);
  assert.notDeepEqual(make("other"), a);
  const again = Wallet.fromMnemonic(REGTEST, WORDS);
  again.newAddress(HB);
  assert.equal(again.newAddress(social).data.kind, RecoveryKind.social);
  assert.equal(again.addressOf(a[1]!)?.index, 1);
});

Deno.test("createSpend() pays, returns change with the same recovery spec, and consensus accepts it", async () => {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  const { chain, addr } = await fundedChain(w, 3);
  const coins = coinsOf(w, chain);
  assert.equal(coins.length, 3);
  const payee = Wallet.fromMnemonic(REGTEST, "zoo ".repeat(23) + "vote").newAddress(HB);
  const built = w.createSpend({
    coins,
    payments: [{ address: payee.address, value: coins[0]!.value + 1000n }],
    feeRatePerByte: 2n,
    tipHeight: chain.tip.height,
  });
  assert.equal(built.spent.length, 2);
  assert.equal(built.feeResonances, 2n * BigInt(built.sizeBytes));
  const change = w.addressOf(built.changeAddress!)!;
  assert.equal(change.branch, 1);
  assert.deepEqual(change.spec, addr.spec);
  assert.equal(built.tx.outputs.length, 2);
  const res = await chain.accept(chain.build({ txs: [built.tx] }));
  assert.equal(res.created.length, 3); // coinbase + payment + change
  // Change and the remaining coin are spendable by the wallet in the next block.
  const again = w.createSpend({
    coins: coinsOf(w, chain),
    payments: [{ address: payee.address, value: 5000n }],
    feeRatePerByte: 1n,
    tipHeight: chain.tip.height,
  });
  await chain.mine({ txs: [again.tx] });
});

Deno.test("createSpend() refuses too little money, immature coinbases and bad addresses", async () => {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  const chain = new TestChain(REGTEST);
  const addr = w.newAddress(HB);
  await chain.mine({ coinbaseTo: addr.data });
  const coins = coinsOf(w, chain);
  const spend = (value: bigint, address = addr.address, tipHeight = chain.tip.height) =>
    w.createSpend({ coins, payments: [{ address, value }], feeRatePerByte: 1n, tipHeight });
  assert.throws(
    () => spend(1000n),
    (e) => e instanceof WalletError && e.reason === "insufficient-funds",
  );
  assert.throws(
    () => spend(coins[0]!.value, addr.address, 100),
    (e) => e instanceof WalletError && e.reason === "insufficient-funds",
  );
  assert.throws(
    () => spend(1n, "rnt1qqqq", 100),
    (e) => e instanceof WalletError && e.reason === "bad-address",
  );
  assert.throws(
    () => spend(0n, addr.address, 100),
    (e) => e instanceof WalletError && e.reason === "bad-amount",
  );
  const ok = spend(1000n, addr.address, 100);
  assert.ok(ok.tx.outputs.length === 2);
});

Deno.test("status() counts down the recovery window and emission-return age; createHeartbeat() resets them", async () => {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  const { chain } = await fundedChain(w, 1);
  const coin = coinsOf(w, chain)[0]!;
  const s = w.status([coin], chain.tip.mtpSecs)[0]!;
  assert.equal(s.ageSecs, chain.tip.mtpSecs - coin.createdMtpSecs);
  assert.equal(s.recoveryOpensInSecs, Math.max(0, 600 - s.ageSecs));
  assert.equal(s.emissionReturnInSecs, REGTEST.emissionReturnAgeSecs - s.ageSecs);
  assert.throws(
    () =>
      w.createHeartbeat({
        coins: [coin],
        feeRatePerByte: 1n,
        tipHeight: chain.tip.height,
        tipMtpSecs: chain.tip.mtpSecs,
        dueWithinSecs: 0,
      }),
    (e) => e instanceof WalletError && e.reason === "no-coins",
  );
  const hb = w.createHeartbeat({
    coins: [coin],
    feeRatePerByte: 1n,
    tipHeight: chain.tip.height,
    tipMtpSecs: chain.tip.mtpSecs,
    dueWithinSecs: 10_000,
  });
  assert.deepEqual(hb.tx.outputs[0]!.address, coin.address);
  assert.equal(hb.tx.outputs[0]!.value, coin.value - hb.feeResonances);
  await chain.mine({ txs: [hb.tx] });
  const fresh = coinsOf(w, chain).find((c) => c.createdMtpSecs > coin.createdMtpSecs)!;
  assert.equal(
    w.coinStatus(fresh, chain.tip.mtpSecs).ageSecs,
    chain.tip.mtpSecs - chain.entries.at(-2)!.mtpSecs,
  );
});

Deno.test("social recovery: guardians move coins to a pending output, the owner cancels", async () => {
  const owner = Wallet.fromMnemonic(REGTEST, WORDS);
  const g1 = Wallet.fromMnemonic(REGTEST, "zoo ".repeat(23) + "vote");
  const g2 = Wallet.fromMnemonic(
    REGTEST,
    "legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth useful legal winner thank year wave sausage worth title",
  );
  const spec: RecoverySpec = {
    kind: "social",
    guardians: [g1.guardianKey(0), g2.guardianKey(0)],
    threshold: 2,
    cancelDelaySecs: 600,
  };
  const { chain, addr } = await fundedChain(owner, 1, spec);
  const coin = coinsOf(owner, chain)[0]!;
  const heir = keyPairFromSeed(new Uint8Array(32).fill(9));
  const req = createRecoveryRequest(REGTEST, {
    coin,
    socialPolicy: addr.policy,
    newOwnerPolicy: pk(heir.publicKey),
    cancelDelaySecs: 600,
    feeResonances: 1000n,
  });
  // A third party's key cannot sign; one guardian is not enough.
  assert.throws(() => signRecoveryRequest(REGTEST, req, testKey(1).secretKey), WalletError);
  const s1 = signRecoveryRequest(REGTEST, req, g1.guardianSecretKey(0));
  assert.throws(() => finalizeRecovery(REGTEST, req, [s1, s1]), WalletError);
  const s2 = signRecoveryRequest(REGTEST, req, g2.guardianSecretKey(0));
  const recoveryTx = finalizeRecovery(REGTEST, req, [s2, s1]);
  await chain.mine({ txs: [recoveryTx] });
  const pendingKey = outputKey(REGTEST, recoveryTx, 0);
  const pending = pendingCoinFromUtxo(pendingKey, chain.view.get(pendingKey)!)!;
  const { pendingOwnerHash: _, ...plain } = chain.view.get(pendingKey)!;
  assert.equal(pendingCoinFromUtxo(pendingKey, plain), null);
  // A tampered request (owner branch swapped for the heir) is refused before signing.
  const forged = { ...req, pendingPolicy: pk(heir.publicKey) };
  assert.throws(() => signRecoveryRequest(REGTEST, forged, g1.guardianSecretKey(0)), WalletError);
  // The owner's wallet, restored from its words, never saw the request: it finds the guardian
  // spend on chain and cancels by revealing only pk(owner).
  const restored = Wallet.fromMnemonic(REGTEST, WORDS);
  restored.newAddress(spec);
  const seen = guardianSpendOf(REGTEST, recoveryTx)!;
  assert.equal(outpointKey(seen.outpoint), pendingKey);
  assert.deepEqual(seen.pendingOwnerHash, pending.pendingOwnerHash);
  assert.equal(guardianSpendOf(REGTEST, chain.blocks[1]!.txs[0]!), null);
  assert.equal(restored.pendingOwnerOf(pending.pendingOwnerHash)!.address, addr.address);
  assert.equal(g1.pendingOwnerOf(pending.pendingOwnerHash), undefined);
  assert.throws(
    () => g1.createCancel({ coins: [pending], feeRatePerByte: 1n }),
    (e) => e instanceof WalletError && e.reason === "bad-recovery-request",
  );
  const cancel = restored.createCancel({ coins: [pending], feeRatePerByte: 1n });
  assert.deepEqual(cancel.tx.witnesses[0]!.policy, pk(addr.ownerKey));
  assert.equal(BigInt(cancel.sizeBytes), cancel.feeResonances);
  assert.deepEqual(restored.addressOf(cancel.changeAddress!)!.spec, spec);
  await chain.mine({ txs: [cancel.tx] });
  assert.equal(chain.view.get(pendingKey), undefined);
});

Deno.test("Wallet.fromData() refuses a record that does not re-derive", () => {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  w.newAddress(HB);
  const data = w.toData();
  const tampered = { ...data, addresses: [{ ...data.addresses[0]!, index: 5 }] };
  assert.throws(
    () => Wallet.fromData(tampered),
    (e) => e instanceof WalletError && e.reason === "bad-wallet-data",
  );
  assert.deepEqual(Wallet.fromData(data).toData(), data);
});

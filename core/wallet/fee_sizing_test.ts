import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { txSize } from "../primitives/tx.ts";
import { socialFixture } from "./_social_fixture.ts";
import { feeForSize, signedTxSize } from "./fee_sizing.ts";
import {
  createPaidRecoveryRequest,
  createRecoveryClaim,
  finalizeRecovery,
  signRecoveryRequest,
} from "./social_recovery.ts";
import { signTx } from "./wallet.ts";
import { WalletError } from "./wallet_errors.ts";

Deno.test("signedTxSize() with placeholders is the size of the really signed transaction", () => {
  const { owner, coin } = socialFixture();
  const a = owner.newAddress({ kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } });
  const hbCoin = { ...coin, address: a.data };
  const outputs = [{ value: 1_000n, address: a.data }];
  const signed = signTx(
    REGTEST,
    [hbCoin, { ...hbCoin, outpoint: { ...coin.outpoint, vout: 2 } }],
    outputs,
    0,
    [
      { policy: a.policy, secretKey: new Uint8Array(32).fill(4) },
      { policy: a.policy, secretKey: new Uint8Array(32).fill(5) },
    ],
  );
  const shapes = [{ policy: a.policy, signatures: 1 }, { policy: a.policy, signatures: 1 }];
  assert.equal(signedTxSize(signed, shapes), txSize(signed));
  assert.equal(signedTxSize({ ...signed, witnesses: [] }, shapes), txSize(signed));
  // Each further signature adds exactly its 32-byte key and 64-byte signature.
  const two = [{ policy: a.policy, signatures: 2 }, { policy: a.policy, signatures: 1 }];
  assert.equal(signedTxSize(signed, two), txSize(signed) + 96);
});

Deno.test("feeForSize() is the rate times the size", () => {
  assert.equal(feeForSize(250, 3n), 750n);
  assert.equal(feeForSize(0, 3n), 0n);
});

Deno.test("createPaidRecoveryRequest(): the fee pays exactly for the finalized size", () => {
  const f = socialFixture();
  for (const rate of [1n, 7n]) {
    const req = createPaidRecoveryRequest(REGTEST, { ...f.base, feeRatePerByte: rate });
    const sigs = f.guardians.slice(0, 2).map((g) => signRecoveryRequest(REGTEST, req, g.secretKey));
    const tx = finalizeRecovery(REGTEST, req, sigs);
    const fee = f.coin.value - tx.outputs[0]!.value;
    assert.equal(fee, rate * BigInt(txSize(tx)));
    assert.equal(tx.outputs[0]!.address.kind, RecoveryKind.pendingRecovery);
  }
});

Deno.test("createPaidRecoveryRequest() refuses a coin that cannot pay the fee", () => {
  const f = socialFixture(100n);
  assert.throws(
    () => createPaidRecoveryRequest(REGTEST, { ...f.base, feeRatePerByte: 1n }),
    (e) => e instanceof WalletError && e.reason === "insufficient-funds",
  );
});

Deno.test("createRecoveryClaim(): signed by the new owner, fee exactly rate × size", () => {
  const f = socialFixture();
  const req = createPaidRecoveryRequest(REGTEST, { ...f.base, feeRatePerByte: 1n });
  const pendingCoin = {
    ...f.coin,
    outpoint: { txid: new Uint8Array(32).fill(8), vout: 0 },
    value: req.tx.outputs[0]!.value,
    address: req.tx.outputs[0]!.address,
  };
  const to = f.owner.newAddress(f.owner.defaultSpec()).data;
  const claim = createRecoveryClaim(REGTEST, {
    coin: pendingCoin,
    pendingPolicy: req.pendingPolicy,
    secretKey: f.heir.secretKey,
    to,
    feeRatePerByte: 3n,
  });
  assert.equal(claim.outputs.length, 1);
  assert.equal(pendingCoin.value - claim.outputs[0]!.value, 3n * BigInt(txSize(claim)));
  assert.deepEqual(claim.witnesses[0]!.satisfaction.signatures[0]!.publicKey, f.heir.publicKey);
  assert.throws(
    () =>
      createRecoveryClaim(REGTEST, {
        coin: { ...pendingCoin, value: 10n },
        pendingPolicy: req.pendingPolicy,
        secretKey: f.heir.secretKey,
        to,
        feeRatePerByte: 3n,
      }),
    (e) => e instanceof WalletError && e.reason === "insufficient-funds",
  );
});

import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { TestChain } from "../consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../crypto/keccak.ts";
import { decodeTx, encodeTx } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import type { RecoverySpec } from "./recovery_spec.ts";
import { Wallet } from "./wallet.ts";
import { decodeWalletData, encodeWalletData } from "./wallet_data.ts";
import { WalletError } from "./wallet_errors.ts";

const WORDS = "abandon ".repeat(23) + "art";
const HB: RecoverySpec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } };

/** A wallet with a signed payment it built from matured coinbases of a real test chain. */
async function walletWithSpend() {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  const chain = new TestChain(REGTEST);
  const addr = w.newAddress(HB);
  await chain.mine({ coinbaseTo: addr.data });
  for (let i = 0; i < REGTEST.coinbaseMaturity; i++) await chain.mine();
  const payee = Wallet.fromMnemonic(REGTEST, "zoo ".repeat(23) + "vote").newAddress(HB);
  const built = w.createSpend({
    coins: w.ownCoins(chain.view.entries),
    payments: [{ address: payee.address, value: 1000n }],
    feeRatePerByte: 2n,
    tipHeight: chain.tip.height,
  });
  return { w, tx: built.tx };
}

const encoder = new TextEncoder();

Deno.test("decodeWalletData() reads a version 1 document with no pending sends", () => {
  const v1 = { ...Wallet.fromMnemonic(REGTEST, WORDS).toData(), version: 1 } as Record<
    string,
    unknown
  >;
  delete v1.pendingSends;
  const data = decodeWalletData(encoder.encode(JSON.stringify(v1)));
  assert.equal(data.version, 1);
  assert.deepEqual(data.pendingSends, []);
  assert.equal(Wallet.fromData(data).pendingSends().length, 0);
  // Saving it again writes version 2.
  assert.equal(Wallet.fromData(data).toData().version, 2);
});

Deno.test("recordSend() keeps the raw tx until dropPendingSend(); the list survives save and load", async () => {
  const { w, tx } = await walletWithSpend();
  const rec = w.recordSend(tx, 1_700_000_000);
  assert.equal(rec.txid, toHex(txid(REGTEST.magic, tx)));
  assert.deepEqual(decodeTx(fromHex(rec.rawTx)), tx);
  assert.equal(w.recordSend(tx, 1_800_000_000).timeSecs, 1_700_000_000); // first time kept
  assert.equal(w.pendingSends().length, 1);

  const data = decodeWalletData(encodeWalletData(w.toData()));
  assert.equal(data.version, 2);
  assert.deepEqual(data.pendingSends, [rec]);
  const reloaded = Wallet.fromData(data);
  assert.deepEqual(reloaded.pendingSends(), [rec]);

  assert.equal(reloaded.dropPendingSend(rec.txid), true);
  assert.equal(reloaded.dropPendingSend(rec.txid), false);
  assert.deepEqual(reloaded.pendingSends(), []);
  assert.deepEqual(decodeWalletData(encodeWalletData(reloaded.toData())).pendingSends, []);
});

Deno.test("decodeWalletData() refuses malformed pending sends", async () => {
  const { w, tx } = await walletWithSpend();
  const rec = w.recordSend(tx, 5);
  const base = w.toData();
  const bad: unknown[] = [
    "not a list",
    [{ ...rec, txid: "xyz" }],
    [{ ...rec, txid: rec.txid.toUpperCase() }],
    [{ ...rec, rawTx: "abc" }],
    [{ ...rec, rawTx: "" }],
    [{ ...rec, timeSecs: -1 }],
    [{ txid: rec.txid, rawTx: toHex(encodeTx(tx)) }],
  ];
  for (const pendingSends of bad) {
    assert.throws(
      () => decodeWalletData(encoder.encode(JSON.stringify({ ...base, pendingSends }))),
      (e) => e instanceof WalletError && e.reason === "bad-wallet-data",
      JSON.stringify(pendingSends).slice(0, 60),
    );
  }
});

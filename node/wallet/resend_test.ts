import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { TestChain } from "../../core/consensus/testing/block_builder.ts";
import type { RecoverySpec } from "../../core/wallet/recovery_spec.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { pendingHistoryRows } from "./resend.ts";

const HB: RecoverySpec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } };

Deno.test("pendingHistoryRows() lists pending sends the node lacks as unconfirmed, paying out what leaves the wallet", async () => {
  const w = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
  const chain = new TestChain(REGTEST);
  await chain.mine({ coinbaseTo: w.newAddress(HB).data });
  for (let i = 0; i < REGTEST.coinbaseMaturity; i++) await chain.mine();
  const payee = Wallet.fromMnemonic(REGTEST, "zoo ".repeat(23) + "vote").newAddress(HB);
  const built = w.createSpend({
    coins: w.ownCoins(chain.view.entries),
    payments: [{ address: payee.address, value: 123_456n }],
    feeRatePerByte: 2n,
    tipHeight: chain.tip.height,
  });
  assert.ok(built.changeAddress); // the change output is the wallet's and not counted
  const rec = w.recordSend(built.tx, 1_700_000_000);

  assert.deepEqual(pendingHistoryRows(w, new Set()), [{
    txid: rec.txid,
    height: null,
    time: 1_700_000_000,
    confirmations: 0,
    coinbase: false,
    receivedResonances: 0n,
    sentResonances: 123_456n,
  }]);
  assert.deepEqual(pendingHistoryRows(w, new Set([rec.txid])), []); // the node's row is used
  w.dropPendingSend(rec.txid);
  assert.deepEqual(pendingHistoryRows(w, new Set()), []);
});

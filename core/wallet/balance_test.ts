import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { classifyBalance, isSpendableAfter } from "./balance.ts";

const coin = (value: bigint, height: number, coinbase: boolean, confirmations: number) => ({
  value,
  height,
  coinbase,
  confirmations,
});

Deno.test("classifyBalance() puts each coin in exactly one of confirmed, unconfirmed, immature", () => {
  const tip = 30;
  const m = REGTEST.coinbaseMaturity; // 10: a coinbase at h spends in a block at h + 10
  const coins = [
    coin(1n, tip + 1, false, 0), // mempool
    coin(2n, tip, false, 1), // confirmed payment
    coin(4n, tip + 1 - m, true, m), // coinbase spendable in the next block
    coin(8n, tip + 2 - m, true, m - 1), // one block short
    coin(16n, 0, false, 0), // mempool, whatever its height says
  ];
  assert.deepEqual(classifyBalance(coins, tip, REGTEST), {
    confirmed: 6n,
    unconfirmed: 17n,
    immature: 8n,
  });
  assert.deepEqual(classifyBalance([], tip, REGTEST), {
    confirmed: 0n,
    unconfirmed: 0n,
    immature: 0n,
  });
});

Deno.test("isSpendableAfter() asks maturity for a child of the tip", () => {
  const m = REGTEST.coinbaseMaturity;
  assert.equal(isSpendableAfter({ coinbase: true, height: 20 }, 20 + m - 1, REGTEST), true);
  assert.equal(isSpendableAfter({ coinbase: true, height: 20 }, 20 + m - 2, REGTEST), false);
  assert.equal(isSpendableAfter({ coinbase: false, height: 20 }, 20, REGTEST), true);
});

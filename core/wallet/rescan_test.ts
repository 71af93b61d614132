import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import type { RecoverySpec } from "./recovery_spec.ts";
import { findLastUsedIndexes, rescanWallet, type UsedAddressLookup } from "./rescan.ts";
import { Wallet } from "./wallet.ts";

const WORDS = "abandon ".repeat(23) + "art";
const SPEC: RecoverySpec = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } };

/** The first `n` addresses of a branch of the test wallet. */
function addressesOf(change: boolean, n: number): string[] {
  const w = Wallet.fromMnemonic(REGTEST, WORDS);
  return Array.from({ length: n }, () => w.newAddress(SPEC, { change }).address);
}

/** A lookup that knows `used` and records every batch asked about. */
function lookup(used: readonly string[]) {
  const asked: number[] = [];
  const isUsed: UsedAddressLookup = (addresses) => {
    asked.push(addresses.length);
    return Promise.resolve(new Set(addresses.filter((a) => used.includes(a))));
  };
  return { isUsed, asked };
}

Deno.test("findLastUsedIndexes() follows used addresses while each is within the gap", async () => {
  const receive = addressesOf(false, 60), change = addressesOf(true, 10);
  // 3, then 27 (within 20 of 3), then nothing up to 59: the scan stops after index 59.
  const { isUsed, asked } = lookup([receive[3]!, receive[27]!, change[0]!]);
  const last = await findLastUsedIndexes(REGTEST, WORDS, SPEC, 20, isUsed);
  assert.deepEqual(last, { receive: 27, change: 0 });
  assert.deepEqual(asked, [20, 20, 20, 20, 20]); // receive 0-59, change 0-39
});

Deno.test("findLastUsedIndexes() does not see a used address beyond the gap", async () => {
  const receive = addressesOf(false, 50);
  const { isUsed } = lookup([receive[3]!, receive[45]!]);
  assert.deepEqual(await findLastUsedIndexes(REGTEST, WORDS, SPEC, 20, isUsed), {
    receive: 3,
    change: -1,
  });
  // A wider gap finds it.
  assert.deepEqual(await findLastUsedIndexes(REGTEST, WORDS, SPEC, 50, isUsed), {
    receive: 45,
    change: -1,
  });
});

Deno.test("findLastUsedIndexes() rejects a gap below 1", async () => {
  for (const gap of [0, -1, 1.5]) {
    await assert.rejects(
      () => findLastUsedIndexes(REGTEST, WORDS, SPEC, gap, lookup([]).isUsed),
      RangeError,
    );
  }
});

Deno.test("rescanWallet() derives every address up to the last used ones, one receive at least", async () => {
  const receive = addressesOf(false, 10), change = addressesOf(true, 10);
  const { wallet, lastUsed } = await rescanWallet(
    REGTEST,
    WORDS,
    SPEC,
    5,
    lookup([receive[4]!, receive[8]!, change[2]!]).isUsed,
  );
  assert.deepEqual(lastUsed, { receive: 8, change: 2 });
  const got = wallet.addresses();
  assert.deepEqual(got.filter((a) => a.branch === 0).map((a) => a.address), receive.slice(0, 9));
  assert.deepEqual(got.filter((a) => a.branch === 1).map((a) => a.address), change.slice(0, 3));
  const empty = await rescanWallet(REGTEST, WORDS, SPEC, 5, lookup([]).isUsed);
  assert.deepEqual(empty.wallet.addresses().map((a) => a.address), receive.slice(0, 1));
});

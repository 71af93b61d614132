/**
 * gettxoutsetinfo and the UTXO-set hash: order and content sensitivity of the hash, and the RPC
 * result of a real chainstate (LevelDB, scripted evaluator) against an in-memory replay of the
 * same blocks (TestChain), before and after a coinbase spend.
 */
import assert from "node:assert/strict";
import { outPointFromKey } from "../../core/chain/keys.ts";
import type { UtxoEntry } from "../../core/consensus/chain_entry.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import {
  heartbeatWallet,
  outputKey,
  TestChain,
  testCheckpoint,
} from "../../core/consensus/testing/block_builder.ts";
import { keccak256d, toHex } from "../../core/crypto/keccak.ts";
import type { OutPoint } from "../../core/primitives/tx.ts";
import { formatRnt } from "../../core/primitives/amount.ts";
import type { RawJson } from "../json_text.ts";
import { startScriptedNode } from "./_test_node.ts";
import { UTXO_SET_METHODS, UtxoSetHasher, type UtxoSetStats, utxoSetStats } from "./utxo_set.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
const dest = heartbeatWallet(params, 1);

function coin(i: number, value: bigint): [OutPoint, UtxoEntry] {
  const txid = new Uint8Array(32).fill(i);
  return [{ txid, vout: i % 3 }, {
    value,
    address: owner.address,
    height: i,
    coinbase: i % 2 === 0,
    createdMtpSecs: 1_000 + i,
  }];
}

function referenceStats(chain: TestChain): UtxoSetStats {
  return utxoSetStats([...chain.view.entries].map(([k, e]) => [outPointFromKey(k), e] as const));
}

Deno.test("UtxoSetHasher hashes the empty set as keccak256d of nothing", () => {
  const stats = new UtxoSetHasher().finish();
  assert.deepEqual(stats.hashSerialized, keccak256d(new Uint8Array()));
  assert.equal(stats.txouts, 0);
  assert.equal(stats.transactions, 0);
  assert.equal(stats.totalResonances, 0n);
});

Deno.test("UtxoSetHasher rejects an outpoint that is not above the previous one", () => {
  const [a, b] = [coin(1, 5n), coin(2, 7n)];
  const hasher = new UtxoSetHasher().add(...b);
  assert.throws(() => hasher.add(...a), RangeError);
  assert.throws(() => new UtxoSetHasher().add(...a).add(...a), RangeError);
  const sameTx: OutPoint = { txid: a[0].txid, vout: a[0].vout + 1 };
  const stats = new UtxoSetHasher().add(...a).add(sameTx, a[1]).add(...b).finish();
  assert.equal(stats.txouts, 3);
  assert.equal(stats.transactions, 2);
  assert.equal(stats.totalResonances, 17n);
});

Deno.test("utxoSetStats() is independent of input order and changes with any output field", () => {
  const coins = [coin(3, 30n), coin(1, 10n), coin(2, 20n)];
  const base = utxoSetStats(coins);
  assert.deepEqual(utxoSetStats([...coins].reverse()), base);
  assert.equal(base.totalResonances, 60n);
  const variants: [OutPoint, UtxoEntry][][] = [
    [coin(3, 31n), coin(1, 10n), coin(2, 20n)],
    [coin(3, 30n), coin(1, 10n), [coin(2, 20n)[0], { ...coin(2, 20n)[1], height: 9 }]],
    [coin(3, 30n), coin(1, 10n), [coin(2, 20n)[0], { ...coin(2, 20n)[1], coinbase: false }]],
    [coin(3, 30n), coin(1, 10n), [{ txid: coin(2, 0n)[0].txid, vout: 7 }, coin(2, 20n)[1]]],
    [coin(3, 30n), coin(1, 10n)],
  ];
  for (const v of variants) {
    assert.notEqual(toHex(utxoSetStats(v).hashSerialized), toHex(base.hashSerialized));
  }
});

Deno.test("gettxoutsetinfo reports the tip's UTXO set and supply as a replay of the same blocks", async () => {
  const { node, chainstate, evaluator, clock, close } = await startScriptedNode(params);
  const method = UTXO_SET_METHODS.find((m) => m.name === "gettxoutsetinfo")!;
  const info = async () =>
    await method.run(node, [], { id: 1 } as never) as Record<string, unknown>;
  const reference = new TestChain(params);
  reference.nowSecs = clock.nowSecs();
  const mine = async (seed: number, txs: Parameters<TestChain["build"]>[0] = {}) => {
    const ck = testCheckpoint(nextModelConfig(params, reference.tip), seed);
    const block = reference.build({ ...txs, checkpoint: { root: ck.root, size: ck.size } });
    evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
    assert.equal((await chainstate.acceptBlock(block, ck.bytes)).status, "connected");
    await reference.accept(block);
  };
  const check = async () => {
    const got = await info();
    const want = referenceStats(reference);
    const tip = reference.tip;
    assert.equal(got.height, tip.height);
    assert.equal(got.bestblock, toHex(tip.hash));
    assert.equal(got.txouts, want.txouts);
    assert.equal(got.transactions, want.transactions);
    assert.equal(got.total_amount_resonances, want.totalResonances);
    assert.equal(got.hash_serialized, toHex(want.hashSerialized));
    assert.equal((got.minted as RawJson).rawJSON, formatRnt(tip.mintedResonances));
    assert.equal((got.returned as RawJson).rawJSON, formatRnt(tip.returnedResonances));
    return got;
  };
  try {
    const empty = await check();
    assert.equal(empty.txouts, 0);
    for (let h = 1; h <= 11; h++) await mine(h);
    const before = await check();
    assert.equal(before.txouts, 11);
    assert.equal(before.total_amount_resonances, reference.tip.mintedResonances);
    const [key] = reference.utxosOf(owner.address)[0]!;
    const value = reference.view.get(key)!.value;
    const spend = reference.spend(owner, [key], [{ value: value - 1_000n, address: dest.address }]);
    await mine(12, { txs: [spend] });
    const after = await check();
    assert.equal(after.txouts, 12);
    assert.ok(reference.view.get(outputKey(params, spend, 0)));
    assert.equal(reference.view.get(key), undefined);
    assert.notEqual(after.hash_serialized, before.hash_serialized);
  } finally {
    await close();
  }
});

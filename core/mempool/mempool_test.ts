import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { toHex } from "../crypto/keccak.ts";
import type { OutPoint, Tx } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { REGTEST } from "../consensus/params.ts";
import { heartbeatWallet, outputKey, TestChain } from "../consensus/testing/block_builder.ts";
import { Mempool, type MempoolChain } from "./mempool.ts";

const P = REGTEST;
const owner = heartbeatWallet(P, 0);
const payee = heartbeatWallet(P, 1);

/** A MempoolChain over a TestChain's tip and UTXO set. */
function chainOf(ref: TestChain): MempoolChain {
  return {
    params: P,
    tip: () => ref.tip,
    getUtxos: (ops: readonly OutPoint[]) =>
      Promise.resolve(ops.map((op) => ref.view.get(outpointKey(op)))),
  };
}

/** A chain whose first `mature` coinbases (to `owner`) are spendable. */
async function matureChain(mature = 5): Promise<TestChain> {
  const ref = new TestChain(P);
  for (let i = 0; i < P.coinbaseMaturity + mature; i++) await ref.mine();
  return ref;
}

function coinbaseKey(ref: TestChain, height: number): string {
  return outputKey(P, ref.blocks[height]!.txs[0]!, 0);
}

/** Owner spends coinbase `height` to payee, paying `fee`. */
function spendCoinbase(ref: TestChain, height: number, fee: bigint, to = payee): Tx {
  const key = coinbaseKey(ref, height);
  const v = ref.view.get(key)!.value;
  return ref.spend(owner, [key], [{ value: v - fee, address: to.address }]);
}

function rejects(reason: string) {
  return (e: unknown) => e instanceof ValidationError && e.reason === reason;
}

const id = (tx: Tx) => toHex(txid(P.magic, tx));

Deno.test("Mempool.acceptTx() accepts a valid spend and records its fee and size", async () => {
  const ref = await matureChain(1);
  const pool = new Mempool(chainOf(ref));
  const tx = spendCoinbase(ref, 1, 10_000n);
  const entry = await pool.acceptTx(tx);
  assert.equal(entry.feeResonances, 10_000n);
  assert.equal(pool.count, 1);
  assert.equal(pool.bytes, entry.sizeBytes);
  assert.ok(pool.has(txid(P.magic, tx)));
  const cb1 = { txid: txid(P.magic, ref.blocks[1]!.txs[0]!), vout: 0 };
  assert.equal(pool.spenderOf(cb1), id(tx));
  await assert.rejects(() => pool.acceptTx(tx), rejects("txn-already-in-mempool"));
});

Deno.test("Mempool.acceptTx() applies relay policy: coinbase, size, witnesses, fee floor, kinds", async () => {
  const ref = await matureChain(1);
  const pool = new Mempool(chainOf(ref), { maxStandardTxBytes: 400 });
  await assert.rejects(() => pool.acceptTx(ref.blocks[1]!.txs[0]!), rejects("coinbase"));
  const tx = spendCoinbase(ref, 1, 10_000n);
  await assert.rejects(
    () => pool.acceptTx({ ...tx, witnesses: [] }),
    rejects("nonstandard-no-witness"),
  );
  const big = ref.spend(
    owner,
    [coinbaseKey(ref, 1)],
    Array.from({ length: 10 }, () => ({
      value: 1_000n,
      address: payee.address,
    })),
  );
  await assert.rejects(() => pool.acceptTx(big), rejects("tx-size"));
  const cheap = spendCoinbase(ref, 1, 10n); // 10 resonances for ~200 bytes
  await assert.rejects(() => pool.acceptTx(cheap), rejects("min-relay-fee-not-met"));
  const v = ref.view.get(coinbaseKey(ref, 1))!.value;
  const unknownKind = ref.spend(owner, [coinbaseKey(ref, 1)], [{
    value: v - 10_000n,
    address: { kind: 9, hash: payee.address.hash },
  }]);
  await assert.rejects(() => pool.acceptTx(unknownKind), rejects("bad-recovery-kind"));
  assert.equal(pool.count, 0);
});

Deno.test("Mempool.acceptTx() runs the consensus rules against the tip's UTXO set", async () => {
  const ref = await matureChain(1);
  const pool = new Mempool(chainOf(ref));
  // Immature coinbase (created at the tip's height).
  const immature = spendCoinbase(ref, ref.tip.height, 10_000n);
  await assert.rejects(
    () => pool.acceptTx(immature),
    rejects("bad-txns-premature-spend-of-coinbase"),
  );
  // Missing input.
  const tx = spendCoinbase(ref, 1, 10_000n);
  const missing = {
    ...tx,
    inputs: [{ prevout: { txid: new Uint8Array(32).fill(3), vout: 0 }, sequence: 0 }],
  };
  await assert.rejects(() => pool.acceptTx(missing), rejects("bad-txns-inputs-missingorspent"));
  // A signature over other outputs.
  const forged = { ...tx, outputs: [{ value: 1n, address: payee.address }] };
  await assert.rejects(() => pool.acceptTx(forged), rejects("bad-satisfaction"));
  assert.equal(pool.count, 0);
});

Deno.test("Mempool.acceptTx() rejects a double spend of a mempool transaction's input", async () => {
  const ref = await matureChain(1);
  const pool = new Mempool(chainOf(ref));
  await pool.acceptTx(spendCoinbase(ref, 1, 10_000n));
  const rival = spendCoinbase(ref, 1, 50_000n, heartbeatWallet(P, 3));
  await assert.rejects(() => pool.acceptTx(rival), rejects("txn-mempool-conflict"));
  assert.equal(pool.count, 1);
});

Deno.test("Mempool.getTemplateTxs() orders by fee rate, parents first, within the byte budget", async () => {
  const ref = await matureChain(3);
  const pool = new Mempool(chainOf(ref));
  const low = spendCoinbase(ref, 1, 1_000n, owner);
  const mid = spendCoinbase(ref, 2, 20_000n);
  const high = spendCoinbase(ref, 3, 90_000n);
  for (const tx of [low, mid, high]) await pool.acceptTx(tx);
  // A child of `low` paying a high fee: it must follow its parent.
  const lowOut = low.outputs[0]!.value;
  const childTx = signChild(ref, low, lowOut);
  await pool.acceptTx(childTx);
  assert.equal(pool.count, 4);
  assert.deepEqual(pool.getTemplateTxs(1_000_000).map(id), [high, mid, low, childTx].map(id));
  const size = pool.get(txid(P.magic, high))!.sizeBytes;
  assert.deepEqual(pool.getTemplateTxs(size * 2 + 1).map(id), [high, mid].map(id));
  assert.deepEqual(pool.getTemplateTxs(size - 1), []);
});

/** Owner spends output 0 of mempool tx `parent` (value `value`) with fee 200 000. */
function signChild(ref: TestChain, parent: Tx, value: bigint): Tx {
  const key = outpointKey({ txid: txid(P.magic, parent), vout: 0 });
  const view = ref.view;
  view.entries.set(key, {
    value,
    address: owner.address,
    height: 0,
    coinbase: false,
    createdMtpSecs: 0,
  });
  try {
    return ref.spend(owner, [key], [{ value: value - 200_000n, address: payee.address }]);
  } finally {
    view.entries.delete(key);
  }
}

Deno.test("Mempool evicts the lowest fee rate when full and refuses a newcomer that pays less", async () => {
  const ref = await matureChain(4);
  const probe = new Mempool(chainOf(ref));
  const size = (await probe.acceptTx(spendCoinbase(ref, 1, 5_000n))).sizeBytes;
  const pool = new Mempool(chainOf(ref), { maxBytes: size * 2 + 10 });
  const a = spendCoinbase(ref, 1, 5_000n);
  const b = spendCoinbase(ref, 2, 9_000n);
  await pool.acceptTx(a);
  await pool.acceptTx(b);
  const c = spendCoinbase(ref, 3, 7_000n);
  await pool.acceptTx(c);
  assert.equal(pool.count, 2);
  assert.equal(pool.has(txid(P.magic, a)), false);
  assert.ok(pool.has(txid(P.magic, b)) && pool.has(txid(P.magic, c)));
  const d = spendCoinbase(ref, 4, 6_000n);
  await assert.rejects(() => pool.acceptTx(d), rejects("mempool-full"));
  assert.ok(pool.bytes <= size * 2 + 10);
});

Deno.test("Mempool.handleTipChange() drops mined and conflicting transactions with descendants", async () => {
  const ref = await matureChain(3);
  const pool = new Mempool(chainOf(ref));
  const mined = spendCoinbase(ref, 1, 10_000n);
  const loser = spendCoinbase(ref, 2, 10_000n, owner);
  const loserChild = signChild(ref, loser, loser.outputs[0]!.value);
  const keep = spendCoinbase(ref, 3, 10_000n);
  for (const tx of [mined, loser, loserChild, keep]) await pool.acceptTx(tx);
  // The block mines `mined` and a different spend of coinbase 2.
  const rival = spendCoinbase(ref, 2, 30_000n, heartbeatWallet(P, 4));
  const block = await ref.mine({ txs: [mined, rival] });
  await pool.handleTipChange({ disconnected: [], connected: [{ block, entry: ref.tip }] });
  assert.deepEqual(pool.entries().map((e) => toHex(e.txid)), [id(keep)]);
});

Deno.test("Mempool.handleTipChange() returns a disconnected block's transactions", async () => {
  const ref = await matureChain(2);
  const before = await matureChain(2); // same chain: the state after the disconnect
  const tx = spendCoinbase(ref, 1, 10_000n);
  const block = await ref.mine({ txs: [tx] });
  const entry = ref.tip;
  const pool = new Mempool(chainOf(before));
  const other = spendCoinbase(before, 2, 10_000n);
  await pool.acceptTx(other);
  await pool.handleTipChange({ disconnected: [{ block, entry }], connected: [] });
  assert.deepEqual(pool.entries().map((e) => toHex(e.txid)), [id(tx), id(other)]);
});

Deno.test("Mempool.handleTipChange() keeps the children of a mined transaction", async () => {
  const ref = await matureChain(1);
  const pool = new Mempool(chainOf(ref));
  const parent = spendCoinbase(ref, 1, 10_000n, owner);
  const child = signChild(ref, parent, parent.outputs[0]!.value);
  await pool.acceptTx(parent);
  await pool.acceptTx(child);
  const block = await ref.mine({ txs: [parent] });
  await pool.handleTipChange({ disconnected: [], connected: [{ block, entry: ref.tip }] });
  assert.deepEqual(pool.entries().map((e) => toHex(e.txid)), [id(child)]);
  assert.deepEqual(pool.getTemplateTxs(100_000).map(id), [id(child)]);
  // The child's input is now a chain output; a rival spend of it still conflicts.
  const rival = ref.spend(owner, [outpointKey({ txid: txid(P.magic, parent), vout: 0 })], [{
    value: 1_000n,
    address: payee.address,
  }]);
  await assert.rejects(() => pool.acceptTx(rival), rejects("txn-mempool-conflict"));
});

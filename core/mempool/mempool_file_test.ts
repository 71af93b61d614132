import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { toHex } from "../crypto/keccak.ts";
import { encodeTx, type OutPoint, type Tx } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { MAINNET, REGTEST } from "../consensus/params.ts";
import {
  heartbeatWallet,
  outputKey,
  signTx,
  TestChain,
} from "../consensus/testing/block_builder.ts";
import { Mempool, type MempoolChain } from "./mempool.ts";
import { decodeMempoolFile, encodeMempoolFile, restoreMempool } from "./mempool_file.ts";

const P = REGTEST;
const owner = heartbeatWallet(P, 0);
const payee = heartbeatWallet(P, 1);

function chainOf(ref: TestChain): MempoolChain {
  return {
    params: P,
    tip: () => ref.tip,
    getUtxos: (ops: readonly OutPoint[]) =>
      Promise.resolve(ops.map((op) => ref.view.get(outpointKey(op)))),
  };
}

/** A chain with two mature coinbases, a spend of each and a child of the first spend. */
async function poolWithChain(): Promise<{ ref: TestChain; txs: Tx[] }> {
  const ref = new TestChain(P);
  for (let i = 0; i < P.coinbaseMaturity + 2; i++) await ref.mine();
  const spend = (h: number) => {
    const key = outputKey(P, ref.blocks[h]!.txs[0]!, 0);
    const v = ref.view.get(key)!.value;
    return ref.spend(owner, [key], [{ value: v - 10_000n, address: payee.address }]);
  };
  const a = spend(1);
  const b = spend(2);
  const aOut = { value: a.outputs[0]!.value, address: payee.address };
  // The child spends a mempool output, so it is signed by hand against that output.
  const child = signTx(
    P,
    {
      version: 1,
      inputs: [{ prevout: { txid: txid(P.magic, a), vout: 0 }, sequence: 0 }],
      outputs: [{ value: aOut.value - 10_000n, address: owner.address }],
      locktime: 0,
    },
    [aOut],
    [payee],
  );
  return { ref, txs: [a, b, child] };
}

Deno.test("encodeMempoolFile() round-trips the transactions in order with the save time", () => {
  const txs = [new Uint8Array(40).fill(1), new Uint8Array(300).fill(2)];
  const file = encodeMempoolFile(txs, P.magic, 1_700_000_123);
  const back = decodeMempoolFile(file, P.magic, P.maxTxBytes);
  assert.equal(back.savedAtSecs, 1_700_000_123);
  assert.deepEqual(back.txs, txs);
  assert.deepEqual(decodeMempoolFile(encodeMempoolFile([], P.magic, 0), P.magic, 1).txs, []);
});

Deno.test("decodeMempoolFile() refuses a truncated, flipped, foreign or oversized-tx file", () => {
  const file = encodeMempoolFile([new Uint8Array(40).fill(7)], P.magic, 5);
  const bad = (bytes: Uint8Array, magic = P.magic, maxTx = P.maxTxBytes) =>
    assert.throws(() => decodeMempoolFile(bytes, magic, maxTx), DecodeError);
  for (let cut = 0; cut < file.length; cut += 7) bad(file.subarray(0, cut));
  for (let i = 0; i < file.length; i += 5) {
    const flipped = file.slice();
    flipped[i]! ^= 0x40;
    bad(flipped);
  }
  bad(file, MAINNET.magic);
  bad(file, P.magic, 39);
  bad(new Uint8Array(100));
});

Deno.test("restoreMempool() re-validates every saved transaction against the current chain", async () => {
  const { ref, txs } = await poolWithChain();
  const before = new Mempool(chainOf(ref));
  for (const tx of txs) await before.acceptTx(tx);
  const file = encodeMempoolFile(before.entries().map((e) => encodeTx(e.tx)), P.magic, 1);

  // Same chain: all three come back, the child after its parent.
  const after = new Mempool(chainOf(ref));
  const all = await restoreMempool(after, decodeMempoolFile(file, P.magic, P.maxTxBytes));
  assert.deepEqual(all, { accepted: 3, rejected: [] });
  assert.deepEqual(
    after.entries().map((e) => toHex(e.txid)),
    before.entries().map((e) => toHex(e.txid)),
  );

  // The second spend was mined meanwhile; a garbage entry is refused too; the rest stay.
  await ref.mine({ txs: [txs[1]!], feesResonances: 10_000n });
  const snapshot = decodeMempoolFile(file, P.magic, P.maxTxBytes);
  snapshot.txs.push(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]));
  const later = new Mempool(chainOf(ref));
  const some = await restoreMempool(later, snapshot);
  assert.equal(some.accepted, 2);
  assert.deepEqual(some.rejected.map((r) => r.index), [1, 3]);
  assert.equal(some.rejected[1]!.reason, "undecodable");
  assert.ok(later.has(txid(P.magic, txs[0]!)) && later.has(txid(P.magic, txs[2]!)));
  assert.ok(!later.has(txid(P.magic, txs[1]!)));
});

import assert from "node:assert/strict";
import { toHex } from "../crypto/keccak.ts";
import { txid } from "../primitives/tx_hash.ts";
import { REGTEST } from "../consensus/params.ts";
import { heartbeatWallet, outputKey } from "../consensus/testing/block_builder.ts";
import { Chainstate } from "../chain/chainstate.ts";
import {
  mineBlock,
  type MinedBlock,
  referenceChain,
  ScriptedEvaluator,
  TestChain,
  testClock,
} from "../chain/_test_util.ts";
import { Mempool } from "./mempool.ts";

const P = REGTEST;

Deno.test("Mempool follows a real Chainstate: mined tx leaves, reorg returns it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-mempool-" });
  try {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(P);
    const base: MinedBlock[] = [];
    for (let i = 0; i < P.coinbaseMaturity + 1; i++) base.push(await mineBlock(a, ev, 10 + i));
    const b = await referenceChain(P, base);
    const cs = await Chainstate.open(dir, P, ev, new Uint8Array(64), testClock);
    const pool = new Mempool(cs);
    let pending: Promise<void> = Promise.resolve();
    cs.onTipChange((change) => {
      pending = pool.handleTipChange(change);
    });
    for (const m of base) await cs.acceptBlock(m.block, m.checkpoint);

    const owner = heartbeatWallet(P, 0);
    const key = outputKey(P, base[0]!.block.txs[0]!, 0);
    const value = a.view.get(key)!.value;
    const tx = a.spend(owner, [key], [{
      value: value - 20_000n,
      address: heartbeatWallet(P, 1).address,
    }]);
    await pool.acceptTx(tx);
    assert.deepEqual(pool.getTemplateTxs(100_000).map((t) => toHex(txid(P.magic, t))), [
      toHex(txid(P.magic, tx)),
    ]);

    // Branch A mines it: the pool empties.
    const mined = await mineBlock(a, ev, 100, { txs: [tx] });
    assert.equal((await cs.acceptBlock(mined.block, mined.checkpoint)).status, "connected");
    await pending;
    assert.equal(pool.count, 0);

    // Branch B (two blocks without it: more work than A's one) wins: the transaction comes back.
    const b1 = await mineBlock(b, ev, 200);
    const b2 = await mineBlock(b, ev, 201);
    assert.equal((await cs.acceptBlock(b1.block, b1.checkpoint)).status, "side-branch");
    const r = await cs.acceptBlock(b2.block, b2.checkpoint);
    assert.equal(r.status, "connected");
    assert.equal(r.reorged!.disconnected.length, 1);
    await pending;
    assert.deepEqual(pool.entries().map((e) => toHex(e.txid)), [toHex(txid(P.magic, tx))]);
    await cs.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { Chainstate } from "../../core/chain/chainstate.ts";
import { mineBlock, ScriptedEvaluator, TestChain, testClock } from "../../core/chain/_test_util.ts";
import { outpointKey } from "../../core/consensus/chain_entry.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, outputKey } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import type { OutPoint, Tx } from "../../core/primitives/tx.ts";
import {
  blockTemplateTxs,
  selectEmissionSweep,
  SWEEP_OUTPUT_ADDRESS,
  sweepableHeight,
} from "./block_assembly_sweeps.ts";

const params = REGTEST;
const alice = heartbeatWallet(params, 0);
const bob = heartbeatWallet(params, 1);

/**
 * A real LevelDB chainstate in a temp dir fed 20 regtest blocks 400 s apart (MTP moves 400 s a
 * block once 11 exist); block 13 spends block 1's coinbase to bob and alice.
 */
async function withChain(
  fn: (cs: Chainstate, chain: TestChain, ev: ScriptedEvaluator) => Promise<void>,
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-sweep-" });
  const ev = new ScriptedEvaluator();
  const chain = new TestChain(params);
  const cs = await Chainstate.open(dir, params, ev, new Uint8Array(64), testClock);
  try {
    const next = async (seed: number, txs: Tx[] = []) => {
      const b = await mineBlock(chain, ev, seed, {
        txs,
        timestampSecs: chain.tip.header.timestampSecs + 400,
      });
      assert.equal((await cs.acceptBlock(b.block, b.checkpoint)).status, "connected");
    };
    for (let h = 1; h <= 20; h++) {
      if (h !== 13) {
        await next(h);
        continue;
      }
      const key = outputKey(params, chain.blocks[1]!.txs[0]!, 0);
      const v = chain.view.get(key)!.value;
      await next(h, [
        chain.spend(alice, [key], [
          { value: v / 2n, address: bob.address },
          { value: v / 2n - 1000n, address: alice.address },
        ]),
      ]);
    }
    await fn(cs, chain, ev);
  } finally {
    await cs.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** The sweepable outputs by a full scan of the UTXO set (the reference the index must match). */
async function scanSweepable(cs: Chainstate): Promise<Set<string>> {
  const tip = cs.tip();
  const out = new Set<string>();
  for await (const [op, e] of cs.utxos()) {
    const blockMtp = cs.getEntryByHeight(e.height)!.mtpSecs;
    if (
      (!e.coinbase || tip.height + 1 - e.height >= params.coinbaseMaturity) &&
      tip.mtpSecs - e.createdMtpSecs >= params.emissionReturnAgeSecs &&
      tip.mtpSecs - blockMtp >= params.emissionReturnAgeSecs
    ) out.add(outpointKey(op));
  }
  return out;
}

const keys = (ops: readonly (readonly [OutPoint, unknown])[]) => ops.map(([op]) => outpointKey(op));

Deno.test("selectEmissionSweep() takes exactly the expired outputs of the chainstate, oldest first", async () => {
  await withChain(async (cs) => {
    const tip = cs.tip();
    const expected = await scanSweepable(cs);
    assert.ok(expected.size >= 5, `only ${expected.size} expired outputs`);
    const sweep = (await selectEmissionSweep(cs, tip, params))!;
    assert.deepEqual(new Set(keys(sweep.inputs)), expected);
    const heights = sweep.inputs.map(([, e]) => e.height);
    assert.deepEqual(heights, [...heights].sort((a, b) => a - b));
    // Block 1's coinbase was spent: it is no candidate even though the oldest.
    assert.ok(heights[0]! >= 2);
    // Every one is old enough by the consensus rule too.
    for (const [, e] of sweep.inputs) {
      assert.ok(tip.mtpSecs - e.createdMtpSecs >= params.emissionReturnAgeSecs);
    }
    assert.equal(sweep.tx.witnesses.length, 0);
    assert.deepEqual(sweep.tx.outputs, [{ value: 0n, address: SWEEP_OUTPUT_ADDRESS }]);
    assert.equal(sweep.returnedResonances, sweep.inputs.reduce((s, [, e]) => s + e.value, 0n));
    // The height bound is the last block old enough by the policy, and the next one is not.
    const h = sweepableHeight(cs, tip, params);
    assert.ok(tip.mtpSecs - cs.getEntryByHeight(h)!.mtpSecs >= params.emissionReturnAgeSecs);
    assert.ok(tip.mtpSecs - cs.getEntryByHeight(h + 1)!.mtpSecs < params.emissionReturnAgeSecs);
  });
});

Deno.test("selectEmissionSweep() stops at maxInputs and skips outputs the mempool spends", async () => {
  await withChain(async (cs) => {
    const tip = cs.tip();
    const all = (await selectEmissionSweep(cs, tip, params))!;
    const two = (await selectEmissionSweep(cs, tip, params, { maxInputs: 2 }))!;
    assert.deepEqual(keys(two.inputs), keys(all.inputs).slice(0, 2));
    const first = keys(all.inputs)[0]!;
    const rest = (await selectEmissionSweep(cs, tip, params, {
      isSpent: (op) => outpointKey(op) === first,
    }))!;
    assert.deepEqual(keys(rest.inputs), keys(all.inputs).slice(1));
  });
});

Deno.test("a block carrying the template's sweep connects, returns its value, and the index forgets the coins", async () => {
  await withChain(async (cs, chain, ev) => {
    const before = cs.tip();
    const node = {
      params,
      chainstate: cs,
      mempool: { getTemplateTxs: () => [], spenderOf: () => undefined },
    };
    const txs = await blockTemplateTxs(node);
    assert.equal(txs.length, 1);
    const sweep = (await selectEmissionSweep(cs, before, params))!;
    assert.equal(toHex(txs[0]!.inputs[0]!.prevout.txid), toHex(sweep.inputs[0]![0].txid));
    const b = await mineBlock(chain, ev, 99, {
      txs,
      timestampSecs: chain.tip.header.timestampSecs + 400,
    });
    assert.equal((await cs.acceptBlock(b.block, b.checkpoint)).status, "connected");
    assert.equal(cs.tip().returnedResonances - before.returnedResonances, sweep.returnedResonances);
    for (const [op] of sweep.inputs) assert.equal(await cs.getUtxo(op), undefined);
    // The coin-age index holds exactly the UTXO set, lowest height first.
    const indexed = await cs.oldestUtxos(cs.tip().height, 1_000_000);
    const scanned: string[] = [];
    for await (const [op] of cs.utxos()) scanned.push(outpointKey(op));
    assert.deepEqual(new Set(keys(indexed)), new Set(scanned));
    assert.equal(indexed.length, scanned.length);
    const hs = indexed.map(([, e]) => e.height);
    assert.deepEqual(hs, [...hs].sort((a, b) => a - b));
    // The next template sweeps only what has expired since (MTP moved on by one block).
    const next = await selectEmissionSweep(cs, cs.tip(), params);
    assert.deepEqual(new Set(next ? keys(next.inputs) : []), await scanSweepable(cs));
    for (const k of next ? keys(next.inputs) : []) assert.ok(!keys(sweep.inputs).includes(k));
  });
});

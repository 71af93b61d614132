import assert from "node:assert/strict";
import { ClassicLevel } from "classic-level";
import { toHex } from "../crypto/keccak.ts";
import { ValidationError } from "../errors.ts";
import { REGTEST } from "../consensus/params.ts";
import { reorgMarginWork } from "../consensus/chain_work.ts";
import type { NetworkParams } from "../consensus/params.ts";
import { genesisEntry } from "../consensus/genesis.ts";
import { heartbeatWallet, outputKey } from "../consensus/testing/block_builder.ts";
import { Chainstate, type TipChange } from "./chainstate.ts";
import { outPointFromKey } from "./keys.ts";
import { BlockStatus } from "./records.ts";
import {
  coinAgeSnapshot,
  mineBlock,
  type MinedBlock,
  referenceChain,
  referenceSnapshot,
  ScriptedEvaluator,
  TestChain,
  testClock,
  utxoSnapshot,
} from "./_test_util.ts";

const corpus = new Uint8Array(64);

async function withDirs(
  n: number,
  fn: (dirs: string[]) => Promise<void>,
): Promise<void> {
  const dirs: string[] = [];
  for (let i = 0; i < n; i++) dirs.push(await Deno.makeTempDir({ prefix: "rnt-chain-" }));
  try {
    await fn(dirs);
  } finally {
    for (const d of dirs) await Deno.remove(d, { recursive: true });
  }
}

function open(
  dir: string,
  params: NetworkParams,
  evaluator: ScriptedEvaluator,
  prune?: number,
): Promise<Chainstate> {
  return Chainstate.open(
    dir,
    params,
    evaluator,
    corpus,
    testClock,
    prune === undefined ? {} : { prune },
  );
}

async function mineN(
  chain: TestChain,
  ev: ScriptedEvaluator,
  n: number,
  seedBase: number,
  opts: Parameters<typeof mineBlock>[3] = {},
): Promise<MinedBlock[]> {
  const out: MinedBlock[] = [];
  for (let i = 0; i < n; i++) out.push(await mineBlock(chain, ev, seedBase + i, opts));
  return out;
}

async function feed(cs: Chainstate, blocks: readonly MinedBlock[]) {
  const results = [];
  for (const b of blocks) results.push(await cs.acceptBlock(b.block, b.checkpoint));
  return results;
}

Deno.test("Chainstate.open() creates genesis once and reopens at the same tip", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const cs = await open(dir!, REGTEST, ev);
    const g = genesisEntry(REGTEST);
    assert.deepEqual(cs.tip(), g);
    assert.equal(cs.height(), 0);
    assert.ok(await cs.getCheckpoint(g.hash));
    assert.equal((await utxoSnapshot(cs)).length, 0);
    await cs.close();
    const again = await open(dir!, REGTEST, ev);
    assert.deepEqual(again.tip(), g);
    await again.close();
  });
});

Deno.test("Chainstate connects 20 blocks with a spend and reopens with the same tip and UTXO set", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const ref = new TestChain(REGTEST);
    const blocks = await mineN(ref, ev, 12, 100);
    // Spend block 1's coinbase (mature at height 11+) in block 13.
    const cbKey = outputKey(REGTEST, blocks[0]!.block.txs[0]!, 0);
    const w = heartbeatWallet(REGTEST, 0);
    const cbValue = ref.view.get(cbKey)!.value;
    const payee = heartbeatWallet(REGTEST, 1);
    const spend = ref.spend(w, [cbKey], [
      { value: cbValue - 5_000n, address: payee.address },
    ]);
    blocks.push(await mineBlock(ref, ev, 200, { txs: [spend] }));
    blocks.push(...await mineN(ref, ev, 7, 300));

    const changes: TipChange[] = [];
    const cs = await open(dir!, REGTEST, ev);
    cs.onTipChange((c) => changes.push(c));
    const results = await feed(cs, blocks);
    assert.ok(results.every((r) => r.status === "connected" && r.reorged === undefined));
    assert.equal(changes.length, 20);
    assert.equal(cs.height(), 20);
    assert.deepEqual(cs.tip(), ref.tip);
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(ref));
    assert.equal(await cs.getUtxo(outPointFromKey(cbKey)), undefined);

    // Undo data of block 13 holds exactly the spent coinbase output.
    const h13 = cs.getEntryByHeight(13)!.hash;
    const undo = (await cs.getUndo(h13))!;
    assert.equal(undo.spent.length, 1);
    assert.equal(`${toHex(undo.spent[0]![0].txid)}:${undo.spent[0]![0].vout}`, cbKey);
    assert.equal(undo.spent[0]![1].value, cbValue);
    assert.equal(undo.created.length, 2); // coinbase + the spend's output

    // A block already stored is a duplicate.
    assert.equal(
      (await cs.acceptBlock(blocks[3]!.block, blocks[3]!.checkpoint)).status,
      "duplicate",
    );
    const tipBefore = cs.tip();
    const utxosBefore = await utxoSnapshot(cs);
    await cs.close();

    const again = await open(dir!, REGTEST, ev);
    assert.deepEqual(again.tip(), tipBefore);
    assert.deepEqual(await utxoSnapshot(again), utxosBefore);
    assert.deepEqual(again.getEntryByHeight(7), ref.entries[7]);
    assert.deepEqual(
      encode(await again.getBlock(ref.entries[9]!.hash)),
      encode(ref.blocks[9]),
    );
    assert.deepEqual(await coinAgeSnapshot(again), utxosBefore);
    await again.close();

    // A store written before the coin-age index existed (no `a` keys, no `A` marker) gets the
    // index built when it is opened.
    const db = new ClassicLevel<Uint8Array, Uint8Array>(`${dir}/chainstate`, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    const stale: Uint8Array[] = [];
    for await (const key of db.keys()) if (key[0] === 0x61 || key[0] === 0x41) stale.push(key);
    assert.equal(stale.length, utxosBefore.length + 1);
    await db.batch(stale.map((key) => ({ type: "del" as const, key })));
    await db.close();
    const upgraded = await open(dir!, REGTEST, ev);
    assert.deepEqual(await coinAgeSnapshot(upgraded), utxosBefore);
    await upgraded.close();
  });
});

function encode(x: unknown): string {
  return JSON.stringify(
    x,
    (_k, v) => typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? toHex(v) : v,
  );
}

Deno.test("Chainstate reorganises to a branch only once its work clears the active tip by the reorg margin, and matches a fresh replay", async () => {
  await withDirs(2, async ([dir, fresh]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const base = await mineN(a, ev, 11, 1000);
    const b = await referenceChain(REGTEST, base);
    const w = heartbeatWallet(REGTEST, 0);
    const payee = heartbeatWallet(REGTEST, 2);
    // Branch A spends coinbase 1; branch B spends coinbase 1 differently and coinbase 2.
    const k1 = outputKey(REGTEST, base[0]!.block.txs[0]!, 0);
    const k2 = outputKey(REGTEST, base[1]!.block.txs[0]!, 0);
    const v1 = a.view.get(k1)!.value, v2 = a.view.get(k2)!.value;
    const spendA = a.spend(w, [k1], [{ value: v1 - 1_000n, address: payee.address }]);
    // A improves 1 % per block (work 10 001 each), B 2 % (20 001, the regtest cap).
    const branchA = [
      await mineBlock(a, ev, 2000, { txs: [spendA], progressPpm: 10_000 }),
      ...await mineN(a, ev, 3, 2001, { progressPpm: 10_000 }),
    ];
    const spendB1 = b.spend(w, [k1], [{ value: v1 - 3_000n, address: w.address }]);
    const spendB2 = b.spend(w, [k2], [{ value: v2 - 2_000n, address: payee.address }]);
    // Replacing A's 4 blocks owes a margin of 3 capped blocks (3 × 20 001) on top of A's
    // 40 004: B's 5 blocks (100 005) out-weigh A but not A plus the margin; 6 (120 006) do.
    const branchB: MinedBlock[] = [];
    branchB.push(await mineBlock(b, ev, 3000, { txs: [spendB1], progressPpm: 20_000 }));
    branchB.push(await mineBlock(b, ev, 3001, { txs: [spendB2], progressPpm: 20_000 }));
    for (let i = 0; i < 3; i++) {
      branchB.push(await mineBlock(b, ev, 3002 + i, { progressPpm: 20_000 }));
    }
    const fiveOfB = b.tip.chainWork;
    branchB.push(await mineBlock(b, ev, 3005, { progressPpm: 20_000 }));
    const margin = reorgMarginWork(REGTEST, branchA.length);
    assert.equal(margin, 60_003n);
    assert.ok(fiveOfB > a.tip.chainWork && fiveOfB <= a.tip.chainWork + margin);
    assert.ok(b.tip.chainWork > a.tip.chainWork + margin);

    const cs = await open(dir!, REGTEST, ev, 0);
    const changes: TipChange[] = [];
    cs.onTipChange((c) => changes.push(c));
    await feed(cs, [...base, ...branchA]);
    assert.deepEqual(cs.tip(), a.tip);
    for (const m of branchB.slice(0, 5)) {
      assert.equal((await cs.acceptBlock(m.block, m.checkpoint)).status, "side-branch");
    }
    assert.deepEqual(cs.tip(), a.tip);
    changes.length = 0;
    const r3 = await cs.acceptBlock(branchB[5]!.block, branchB[5]!.checkpoint);
    assert.equal(r3.status, "connected");
    assert.deepEqual(
      r3.reorged!.disconnected.map(toHex),
      branchA.map((m) => m.block).reverse().map((bl) => toHex(a.entries[bl.header.height]!.hash)),
    );
    assert.equal(r3.reorged!.connected.length, 6);
    assert.equal(changes.length, 1);
    assert.equal(changes[0]!.disconnected.length, 4);
    assert.equal(changes[0]!.connected.length, 6);
    assert.deepEqual(cs.tip(), b.tip);
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(b));
    // The coin-age index (emission sweeps) followed the disconnects and connects.
    assert.deepEqual(await coinAgeSnapshot(cs), referenceSnapshot(b));
    // Branch A's blocks are still known (side branch), not active.
    assert.equal(cs.isActive(a.tip.hash), false);
    assert.ok(cs.getEntry(a.tip.hash));
    assert.deepEqual(
      cs.chainTips().map((t) => [toHex(t.entry.hash), t.branchLength, t.status]),
      [[toHex(b.tip.hash), 0, "active"], [toHex(a.tip.hash), 4, "valid-fork"]],
    );

    const replay = await open(fresh!, REGTEST, ev, 0);
    await feed(replay, [...base, ...branchB]);
    assert.deepEqual(replay.tip(), cs.tip());
    assert.deepEqual(await utxoSnapshot(replay), await utxoSnapshot(cs));
    await replay.close();
    await cs.close();
  });
});

Deno.test("Chainstate heals a deep partition once a branch leads by the bounded reorg margin", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const base = await mineN(a, ev, 1, 10);
    const b = await referenceChain(REGTEST, base);
    // A mined 10 blocks at 1 % (100 010) on its side. Replacing 10 blocks owes the bound, six
    // capped blocks (120 006), not nine: B at the cap needs 12 blocks (240 012 > 220 016); 11
    // (220 011) are not enough. An unbounded margin would have asked for 14.
    const mainA = await mineN(a, ev, 10, 100, { progressPpm: 10_000 });
    const branchB = await mineN(b, ev, 12, 200, { progressPpm: 20_000 });
    assert.equal(reorgMarginWork(REGTEST, 10), 120_006n);
    const cs = await open(dir!, REGTEST, ev);
    await feed(cs, [...base, ...mainA]);
    for (const m of branchB.slice(0, 11)) {
      assert.equal((await cs.acceptBlock(m.block, m.checkpoint)).status, "side-branch");
    }
    assert.deepEqual(cs.tip(), a.tip);
    const last = branchB[11]!;
    const r = await cs.acceptBlock(last.block, last.checkpoint);
    assert.equal(r.status, "connected");
    assert.equal(r.reorged!.disconnected.length, 10);
    assert.deepEqual(cs.tip(), b.tip);
    await cs.close();
  });
});

Deno.test("Chainstate prefers the first-seen tip on equal chain work", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const x = await mineBlock(a, ev, 1);
    const b = new TestChain(REGTEST);
    const y = await mineBlock(b, ev, 2, {
      sampleLossMicroNats: x.block.header.sampleLossMicroNats,
    });
    const cs = await open(dir!, REGTEST, ev);
    assert.equal((await cs.acceptBlock(x.block, x.checkpoint)).status, "connected");
    assert.equal((await cs.acceptBlock(y.block, y.checkpoint)).status, "side-branch");
    assert.deepEqual(cs.tip(), a.tip);
    await cs.close();
  });
});

const SHALLOW: NetworkParams = Object.freeze({ ...REGTEST, maxReorgDepth: 3, keepCheckpoints: 5 });

Deno.test("Chainstate refuses a reorg deeper than maxReorgDepth", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(SHALLOW);
    const base = await mineN(a, ev, 1, 10);
    const b = await referenceChain(SHALLOW, base);
    const mainA = await mineN(a, ev, 4, 20); // tip height 5, fork at 1: depth 4 > 3
    const better = (c: TestChain) => Math.floor(c.tip.header.sampleLossMicroNats * 0.95);
    const sideB: MinedBlock[] = [];
    for (let i = 0; i < 5; i++) {
      sideB.push(await mineBlock(b, ev, 30 + i, { sampleLossMicroNats: better(b) }));
    }
    const cs = await open(dir!, SHALLOW, ev, 0);
    await feed(cs, [...base, ...mainA]);
    const results = await feed(cs, sideB);
    assert.ok(results.every((r) => r.status === "side-branch"));
    assert.deepEqual(cs.tip(), a.tip);
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(a));
    // The refused branch was never evaluated or connected.
    const st = cs.getBlockStatus(b.tip.hash)!;
    assert.equal(
      st.status & (BlockStatus.potValid | BlockStatus.txsValid | BlockStatus.invalid),
      0,
    );
    await cs.close();
  });
});

Deno.test("Chainstate keeps the old tip when the better branch holds a block with a wrong loss", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const base = await mineN(a, ev, 1, 10);
    const b = await referenceChain(REGTEST, base);
    // One block of A above the fork, so B's better branch is a one-block race (no reorg margin).
    const mainA = await mineN(a, ev, 1, 20, { progressPpm: 10_000 });
    const good = await mineBlock(b, ev, 30, { progressPpm: 10_000 }); // B2: A2 was first
    const bad = await mineBlock(b, ev, 31, {
      sampleLossMicroNats: Math.floor(b.tip.header.sampleLossMicroNats * 0.9),
      wrongLossNats: 5.6,
    });
    const child = await mineBlock(b, ev, 32);
    const cs = await open(dir!, REGTEST, ev);
    await feed(cs, [...base, ...mainA]);
    const tip = cs.tip();
    const utxos = await utxoSnapshot(cs);
    assert.equal((await cs.acceptBlock(good.block, good.checkpoint)).status, "side-branch");
    await assert.rejects(
      () => cs.acceptBlock(bad.block, bad.checkpoint),
      (e: unknown) => e instanceof ValidationError && e.reason === "sample-loss-mismatch",
    );
    assert.deepEqual(cs.tip(), tip);
    assert.deepEqual(await utxoSnapshot(cs), utxos);
    const st = cs.getBlockStatus(b.entries[3]!.hash)!;
    assert.equal(st.invalidReason, "sample-loss-mismatch");
    assert.equal(await cs.getCheckpoint(b.entries[3]!.hash), undefined); // deleted
    assert.deepEqual(cs.chainTips().map((t) => [t.entry.height, t.status]), [
      [2, "active"],
      [3, "invalid"],
    ]);
    await assert.rejects(
      () => cs.acceptBlock(child.block, child.checkpoint),
      (e: unknown) => e instanceof ValidationError && e.reason === "bad-prevblk",
    );
    await assert.rejects(
      () => cs.acceptBlock(bad.block, bad.checkpoint),
      (e: unknown) => e instanceof ValidationError && e.reason === "sample-loss-mismatch",
    );
    await cs.close();
    // The invalid mark survives a restart.
    const again = await open(dir!, REGTEST, ev);
    assert.equal(
      again.getBlockStatus(b.entries[3]!.hash)!.status & BlockStatus.invalid,
      BlockStatus.invalid,
    );
    assert.deepEqual(again.tip(), tip);
    await again.close();
  });
});

Deno.test("Chainstate rejects a block whose checkpoint does not match its header", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const x = await mineBlock(a, ev, 1);
    const cs = await open(dir!, REGTEST, ev);
    const tampered = x.checkpoint.slice();
    tampered[tampered.length - 1]! ^= 1;
    await assert.rejects(
      () => cs.acceptBlock(x.block, tampered),
      (e: unknown) => e instanceof ValidationError && e.reason === "bad-checkpoint-root",
    );
    assert.equal(cs.getEntry(a.tip.hash), undefined);
    assert.equal((await cs.acceptBlock(x.block, x.checkpoint)).status, "connected");
    await cs.close();
  });
});

Deno.test("Chainstate prunes checkpoints older than the last `prune` blocks and keeps all with prune=0", async () => {
  await withDirs(2, async ([dir, archive]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(SHALLOW);
    const blocks = await mineN(a, ev, 8, 50);
    const cs = await open(dir!, SHALLOW, ev); // default: keepCheckpoints = 5
    const all = await open(archive!, SHALLOW, ev, 0);
    await feed(cs, blocks);
    await feed(all, blocks);
    for (let h = 0; h <= 8; h++) {
      const hash = a.entries[h]!.hash;
      const kept = await cs.getCheckpoint(hash);
      if (h <= 3) {
        assert.equal(kept, undefined, `height ${h} pruned`);
        await assert.rejects(() => Deno.stat(`${dir}/checkpoints/${toHex(hash)}.rnet`));
      } else {
        assert.deepEqual(kept, h === 0 ? kept : blocks[h - 1]!.checkpoint, `height ${h} kept`);
      }
      assert.ok(await all.getCheckpoint(hash), `archive keeps ${h}`);
      assert.ok(await cs.getBlock(hash), `block ${h} kept`);
    }
    await cs.close();
    await all.close();
  });
});

Deno.test("Chainstate restores the old chain when a branch that cleared the reorg margin fails part-way and its valid prefix alone would not have cleared it", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const base = await mineN(a, ev, 2, 10);
    const b = await referenceChain(REGTEST, base);
    // A: 2 blocks at 1 % (20 002; margin to replace them 20 001). B1, B2 at the cap (40 002)
    // do not clear 40 003; B3 claims the cap too (60 003 clears it) but its claim is false.
    const mainA = await mineN(a, ev, 2, 20, { progressPpm: 10_000 });
    const b1 = await mineBlock(b, ev, 30, { progressPpm: 20_000 });
    const b2 = await mineBlock(b, ev, 31, { progressPpm: 20_000 });
    const b3 = await mineBlock(b, ev, 32, { progressPpm: 20_000, wrongLossNats: 5.6 });
    const cs = await open(dir!, REGTEST, ev);
    await feed(cs, [...base, ...mainA]);
    const tip = cs.tip();
    const utxos = await utxoSnapshot(cs);
    assert.equal((await cs.acceptBlock(b1.block, b1.checkpoint)).status, "side-branch");
    assert.equal((await cs.acceptBlock(b2.block, b2.checkpoint)).status, "side-branch");
    await assert.rejects(
      () => cs.acceptBlock(b3.block, b3.checkpoint),
      (e: unknown) => e instanceof ValidationError && e.reason === "sample-loss-mismatch",
    );
    // B1 and B2 were connected and are valid, with more work than A, yet the node is back on A.
    assert.ok(b.entries[4]!.chainWork > tip.chainWork);
    assert.deepEqual(cs.tip(), tip);
    assert.deepEqual(await utxoSnapshot(cs), utxos);
    assert.deepEqual(cs.chainTips().map((t) => [t.entry.height, t.status]), [
      [4, "active"],
      [5, "invalid"],
    ]);
    assert.equal(cs.getBlockStatus(b.entries[4]!.hash)!.status & BlockStatus.invalid, 0);
    await cs.close();
  });
});

Deno.test("Chainstate stays consistent when evaluation fails mid-reorg and finishes it on reopen", async () => {
  await withDirs(1, async ([dir]) => {
    const ev = new ScriptedEvaluator();
    const a = new TestChain(REGTEST);
    const base = await mineN(a, ev, 2, 10);
    const b = await referenceChain(REGTEST, base);
    // A: 2 blocks at 1 % (work 20 002); replacing them owes one capped block (20 001), so B at
    // 2 % per block (20 001 each) needs 3 blocks: 2 are not enough (40 002 ≤ 40 003).
    const mainA = await mineN(a, ev, 2, 20, { progressPpm: 10_000 });
    const b1 = await mineBlock(b, ev, 30, { progressPpm: 20_000 });
    const b2 = await mineBlock(b, ev, 31, { progressPpm: 20_000 });
    const b3 = await mineBlock(b, ev, 32, { progressPpm: 20_000 });
    // The evaluator dies (say, the GPU is lost) on its 11th call: B2's evaluation (each block
    // is two calls, its checkpoint then its parent's on its sample: 2 + 2 blocks, then B1).
    let calls = 0;
    const flaky = {
      name: "flaky",
      evaluateWindows: (...a: Parameters<ScriptedEvaluator["evaluateWindows"]>) =>
        ++calls === 11 ? Promise.reject(new Error("device lost")) : ev.evaluateWindows(...a),
    };
    const cs = await Chainstate.open(dir!, REGTEST, flaky, corpus, testClock);
    await feed(cs, [...base, ...mainA, b1, b2]);
    assert.deepEqual(cs.tip(), a.tip);
    await assert.rejects(() => cs.acceptBlock(b3.block, b3.checkpoint), /device lost/);
    // The store sits at B1, a consistent state: tip, UTXO set and supply of base + B1.
    const atB1 = await referenceChain(REGTEST, [...base, b1]);
    assert.deepEqual(cs.tip(), atB1.tip);
    assert.deepEqual(await utxoSnapshot(cs), referenceSnapshot(atB1));
    await cs.close();

    const again = await open(dir!, REGTEST, ev);
    assert.deepEqual(again.tip(), b.tip);
    assert.deepEqual(await utxoSnapshot(again), referenceSnapshot(b));
    await again.close();
  });
});

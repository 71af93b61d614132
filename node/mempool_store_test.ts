import assert from "node:assert/strict";
import { toHex } from "../core/crypto/keccak.ts";
import { outpointKey } from "../core/consensus/chain_entry.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, outputKey, TestChain } from "../core/consensus/testing/block_builder.ts";
import { Mempool } from "../core/mempool/mempool.ts";
import { decodeMempoolFile } from "../core/mempool/mempool_file.ts";
import type { OutPoint } from "../core/primitives/tx.ts";
import { loadMempool, mempoolFilePath, MempoolSaver, saveMempool } from "./mempool_store.ts";

const P = REGTEST;
const owner = heartbeatWallet(P, 0);
const payee = heartbeatWallet(P, 1);

async function setup() {
  const ref = new TestChain(P);
  for (let i = 0; i < P.coinbaseMaturity + 2; i++) await ref.mine();
  const chain = {
    params: P,
    tip: () => ref.tip,
    getUtxos: (ops: readonly OutPoint[]) =>
      Promise.resolve(ops.map((op) => ref.view.get(outpointKey(op)))),
  };
  const spend = (h: number) => {
    const key = outputKey(P, ref.blocks[h]!.txs[0]!, 0);
    const v = ref.view.get(key)!.value;
    return ref.spend(owner, [key], [{ value: v - 10_000n, address: payee.address }]);
  };
  const lines: string[] = [];
  const datadir = await Deno.makeTempDir({ prefix: "rnt-mempool-store-" });
  const deps = (pool: Mempool) => ({
    params: P,
    mempool: pool,
    datadir,
    logger: { log: (m: string) => void lines.push(m), close: () => {} },
  });
  return { chain, spend, lines, datadir, deps };
}

Deno.test("MempoolSaver writes the mempool when it changed and once more at stop", async () => {
  const { chain, spend, lines, datadir, deps } = await setup();
  try {
    const pool = new Mempool(chain);
    const saver = new MempoolSaver(deps(pool), 50);
    await pool.acceptTx(spend(1));
    await new Promise((r) => setTimeout(r, 300));
    const file = await Deno.readFile(mempoolFilePath(datadir));
    assert.equal(decodeMempoolFile(file, P.magic, P.maxTxBytes).txs.length, 1);
    await pool.acceptTx(spend(2));
    await saver.stop();
    const after = await Deno.readFile(mempoolFilePath(datadir));
    assert.equal(decodeMempoolFile(after, P.magic, P.maxTxBytes).txs.length, 2);
    assert.ok(lines.includes("saved 2 mempool transactions"));
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
});

Deno.test("loadMempool() restores a saved pool and reports, then ignores, a corrupt file", async () => {
  const { chain, spend, lines, datadir, deps } = await setup();
  try {
    const pool = new Mempool(chain);
    const tx = await pool.acceptTx(spend(1));
    assert.equal(await saveMempool(deps(pool)), 1);
    const back = new Mempool(chain);
    assert.deepEqual(await loadMempool(deps(back)), { accepted: 1, rejected: [] });
    assert.deepEqual(back.entries().map((e) => toHex(e.txid)), [toHex(tx.txid)]);

    await Deno.writeFile(mempoolFilePath(datadir), new Uint8Array([1, 2, 3]));
    const empty = new Mempool(chain);
    assert.equal(await loadMempool(deps(empty)), undefined);
    assert.equal(empty.count, 0);
    assert.match(
      lines.at(-1)!,
      /ignoring corrupt .*mempool\.dat: Mempool file of 3 bytes is too short/,
    );

    await Deno.remove(mempoolFilePath(datadir));
    assert.equal(await loadMempool(deps(new Mempool(chain))), undefined);
  } finally {
    await Deno.remove(datadir, { recursive: true });
  }
});

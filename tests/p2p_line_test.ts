/**
 * Three real `rnt node --regtest` processes in a line (A–B–C via `--connect`) sync 30 trained
 * regtest blocks with their checkpoints; a fourth node joining late catches up from two peers; a
 * coinbase spend sent to C relays into every mempool.
 *
 * The 30 blocks are the committed fixture of tests/chain_fixture.ts (real blocks trained by
 * `generatetoaddress`), submitted to A with `submitblock`: every node still checks every rule and
 * re-evaluates every checkpoint, but the test does not spend the ten-plus minutes that training
 * 30 regtest blocks takes here (the model grows every block). Mining through a node is covered by
 * the node and mining tests.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, signTx } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { txid } from "../core/primitives/tx_hash.ts";
import { gpuTest } from "../gpu/testing.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import {
  connectArgs,
  type P2pNode,
  startP2pNode,
  stopAll,
  waitForTip,
  waitUntil,
} from "./p2p_helpers.ts";

const params = REGTEST;
const owner = heartbeatWallet(params, 1);
const BLOCKS = 30;

interface PeerInfo {
  id: number;
  addr: string;
  inbound: boolean;
  bytesrecv: number;
}

gpuTest(
  `three nodes in a line sync ${BLOCKS} regtest blocks with checkpoints, a late fourth node catches up from two peers, and a transaction relays to every mempool`,
  async () => {
    await using da = await tempDir();
    await using db = await tempDir();
    await using dc = await tempDir();
    await using dd = await tempDir();
    const nodes: (P2pNode | undefined)[] = [];
    try {
      // A makes no outbound connections of its own (`--connect 0`): the line stays a line.
      const a = await startP2pNode(da.path, ["--connect", "0"]);
      nodes.push(a);
      const b = await startP2pNode(db.path, connectArgs(a));
      nodes.push(b);
      const c = await startP2pNode(dc.path, connectArgs(b));
      nodes.push(c);
      await waitUntil(
        async () => (await b.proc.rpc<number>("getconnectioncount")) >= 2,
        20_000,
        () => b.proc.log,
      );
      const fixture = await readChainFixture();
      assert.ok(fixture.length >= BLOCKS, `the chain fixture holds only ${fixture.length} blocks`);
      const started = performance.now();
      await importChainFixture(a.proc, fixture, BLOCKS);
      const importSecs = (performance.now() - started) / 1000;
      const hashes: string[] = [];
      for (let h = 1; h <= BLOCKS; h++) hashes.push(await a.proc.rpc<string>("getblockhash", [h]));
      await waitForTip([a, b, c], hashes.at(-1)!, 60_000 + BLOCKS * 2_000);
      const lineSecs = (performance.now() - started) / 1000;
      // C never talked to A: everything came through B, blocks and checkpoints alike.
      const cPeers = await c.proc.rpc<PeerInfo[]>("getpeerinfo");
      assert.deepEqual(cPeers.map((p) => p.addr), [`127.0.0.1:${b.port}`]);
      for (const n of [b, c]) {
        const block = await n.proc.rpc<{ height: number }>("getblock", [hashes[5]!]);
        assert.equal(block.height, 6);
        // Every block came with its checkpoint and was evaluated, and the checkpoints are kept.
        const info = await n.proc.rpc<{ unevaluated_blocks: number }>("getblockchaininfo");
        assert.equal(info.unevaluated_blocks, 0);
        for (const i of [0, BLOCKS - 1]) {
          const ckpt = await n.proc.rpc<{ hex: string }>("getcheckpoint", [hashes[i]!]);
          assert.equal(ckpt.hex, toHex(fixture[i]!.checkpoint));
        }
      }

      // D joins late, connected to B and C only, and catches up from both.
      const d = await startP2pNode(dd.path, connectArgs(b, c));
      nodes.push(d);
      const joined = performance.now();
      await waitForTip([d], hashes.at(-1)!, 60_000 + BLOCKS * 2_000);
      const catchUpSecs = (performance.now() - joined) / 1000;
      const dPeers = await d.proc.rpc<PeerInfo[]>("getpeerinfo");
      assert.equal(dPeers.length, 2);
      for (const p of dPeers) {
        assert.ok(p.bytesrecv > 20_000, `D got only ${p.bytesrecv} bytes from ${p.addr}`);
      }

      // A coinbase spend (block 1, mature from height 11 on) sent to C reaches A, B and D.
      const block1 = await a.proc.rpc<
        { tx: { txid: string; vout: { value_resonances: number }[] }[] }
      >(
        "getblock",
        [hashes[0]!, 2],
      );
      const coinbase = block1.tx[0]!;
      const value = BigInt(coinbase.vout[0]!.value_resonances);
      const tx = signTx(
        params,
        {
          version: 1,
          inputs: [{ prevout: { txid: fromHex(coinbase.txid), vout: 0 }, sequence: 0 }],
          outputs: [{ value: value - 10_000n, address: heartbeatWallet(params, 2).address }],
          locktime: 0,
        },
        [{ value, address: owner.address }],
        [owner],
      );
      const id = toHex(txid(params.magic, tx));
      assert.equal(await c.proc.rpc("sendrawtransaction", [toHex(encodeTx(tx))]), id);
      await waitUntil(
        async () =>
          (await Promise.all(
            [a, b, d].map((n) => n.proc.rpc<string[]>("getrawmempool")),
          )).every((pool) => pool.includes(id)),
        20_000,
        () => `mempools lack ${id}`,
      );
      console.log(
        `A imported ${BLOCKS} blocks in ${importSecs.toFixed(1)} s; line sync done after ` +
          `${lineSecs.toFixed(1)} s; ` +
          `late node caught up in ${catchUpSecs.toFixed(1)} s; ` +
          `D received ${dPeers.map((p) => `${p.bytesrecv} B from ${p.addr}`).join(", ")}`,
      );
      for (const n of [a, b, c, d]) assert.match(n.proc.log, /p2p: peer \d+ connected/);
    } finally {
      await stopAll(nodes);
    }
  },
);

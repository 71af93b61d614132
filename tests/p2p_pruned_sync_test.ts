/**
 * Sync across pruned checkpoints with real `rnt node --regtest` processes. Every node runs with
 * `--prune 3` (regtest allows a depth below maxReorgDepth; at the default 32, and with the model
 * growing every block, mining the chain would take many minutes here): A mines 5 trained blocks
 * and so prunes the checkpoints of heights 1–2; a fresh node B syncs from A alone and reaches the
 * same tip and UTXO set, having accepted heights 1–2 without evaluation and evaluated the 3 recent
 * ones; a third node C, connected to B only, gets the recent checkpoints from B.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet } from "../core/consensus/testing/block_builder.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { connectArgs, type P2pNode, startP2pNode, stopAll, waitForTip } from "./p2p_helpers.ts";

const params = REGTEST;
const KEEP = 3;
const PRUNED = 2;
const BLOCKS = KEEP + PRUNED;
const PRUNE_ARGS = ["--prune", String(KEEP)];

interface ChainInfo {
  blocks: number;
  unevaluated_blocks: number;
}

async function checkpointError(n: P2pNode, hash: string): Promise<string> {
  try {
    await n.proc.rpc("getcheckpoint", [hash, 0]);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

gpuTest(
  "a fresh node syncs a chain longer than its peers keep checkpoints for: the old blocks without evaluation, the recent ones evaluated and served on",
  async () => {
    await using da = await tempDir();
    await using db = await tempDir();
    await using dc = await tempDir();
    const nodes: (P2pNode | undefined)[] = [];
    try {
      const a = await startP2pNode(da.path, ["--connect", "0", ...PRUNE_ARGS]);
      nodes.push(a);
      let started = performance.now();
      const hashes = await a.proc.rpc<string[]>("generatetoaddress", [
        BLOCKS,
        encodeAddress(params, heartbeatWallet(params, 1).address),
      ]);
      const mineSecs = (performance.now() - started) / 1000;
      assert.equal(hashes.length, BLOCKS);
      assert.match(await checkpointError(a, hashes[PRUNED - 1]!), /pruned/);
      assert.equal(await checkpointError(a, hashes[PRUNED]!), "", "A keeps the recent ones");

      const b = await startP2pNode(db.path, [...connectArgs(a), ...PRUNE_ARGS]);
      nodes.push(b);
      started = performance.now();
      await waitForTip([b], hashes.at(-1)!, 120_000);
      const syncSecs = (performance.now() - started) / 1000;
      const [utxoA, utxoB] = await Promise.all(
        [a, b].map((n) =>
          n.proc.rpc<{ hash_serialized: string; txouts: number }>("gettxoutsetinfo")
        ),
      );
      assert.equal(utxoB!.hash_serialized, utxoA!.hash_serialized);
      assert.equal(utxoB!.txouts, utxoA!.txouts);
      const infoB = await b.proc.rpc<ChainInfo>("getblockchaininfo");
      assert.equal(infoB.blocks, BLOCKS);
      // Block PRUNED + 1 came with its checkpoint, but its parent's is gone everywhere: there is
      // nothing to pair it with (PROTOCOL §5.5 stage 4), so it is taken unevaluated too.
      assert.equal(infoB.unevaluated_blocks, PRUNED + 1);
      assert.equal((await a.proc.rpc<ChainInfo>("getblockchaininfo")).unevaluated_blocks, 0);
      for (let h = 1; h <= PRUNED; h++) {
        assert.match(b.proc.log, new RegExp(`accepted block ${hashes[h - 1]} height=${h} without`));
        assert.match(await checkpointError(b, hashes[h - 1]!), /not evaluated/);
      }
      // The sync assumed only the buried ones; the next was unpaired in the chainstate, and said so.
      assert.match(
        b.proc.log,
        new RegExp(`height=${PRUNED + 1} without evaluation: its parent's checkpoint was pruned`),
      );
      assert.equal(await checkpointError(b, hashes[PRUNED]!), "", "B keeps the evaluated ones");

      // C hears only of B: the recent checkpoints come from B, the old blocks are assumed again.
      const c = await startP2pNode(dc.path, [...connectArgs(b), ...PRUNE_ARGS]);
      nodes.push(c);
      started = performance.now();
      await waitForTip([c], hashes.at(-1)!, 120_000);
      const relaySecs = (performance.now() - started) / 1000;
      const infoC = await c.proc.rpc<ChainInfo>("getblockchaininfo");
      assert.equal(infoC.unevaluated_blocks, PRUNED + 1);
      const utxoC = await c.proc.rpc<{ hash_serialized: string }>("gettxoutsetinfo");
      assert.equal(utxoC.hash_serialized, utxoA!.hash_serialized);
      const cPeers = await c.proc.rpc<{ addr: string; bytesrecv: number }[]>("getpeerinfo");
      assert.deepEqual(cPeers.map((p) => p.addr), [`127.0.0.1:${b.port}`]);
      let recentBytes = 0;
      for (const hash of hashes.slice(PRUNED)) {
        recentBytes += (await b.proc.rpc<{ size: number }>("getcheckpoint", [hash, 0])).size;
      }
      assert.ok(
        cPeers[0]!.bytesrecv > recentBytes,
        `C got ${cPeers[0]!.bytesrecv} bytes, the recent checkpoints are ${recentBytes}`,
      );
      console.log(
        `mined ${BLOCKS} blocks in ${mineSecs.toFixed(1)} s; B synced in ${
          syncSecs.toFixed(1)
        } s, ` +
          `C from B in ${relaySecs.toFixed(1)} s (${PRUNED} blocks without evaluation each)`,
      );
    } finally {
      await stopAll(nodes);
    }
  },
);

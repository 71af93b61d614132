/**
 * The unbroadcast set across a restart of a real `rnt node`: a payment that sat in one node's
 * `mempool.dat` while it had no peers reaches a new peer after the restart, even though that peer
 * first hears of it while still syncing the blocks its input comes from. Those blocks are the
 * committed fixture chain's (tests/chain_fixture.ts), imported rather than trained.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, signTx } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeTx } from "../core/primitives/tx.ts";
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
/** The fixture pays its coinbases to heartbeat wallet 1. */
const owner = heartbeatWallet(params, 1);
type Json = Record<string, unknown>;

/** A signed raw spend (hex) of the coinbase of block `hash`. */
async function spendCoinbase(node: P2pNode, hash: string): Promise<string> {
  const block = await node.proc.rpc<Json>("getblock", [hash, 2]);
  const cb = (block.tx as Json[])[0]!;
  const value = BigInt((cb.vout as Json[])[0]!.value_resonances as number);
  const tx = signTx(
    params,
    {
      version: 1,
      inputs: [{ prevout: { txid: fromHex(cb.txid as string), vout: 0 }, sequence: 0 }],
      outputs: [{ value: value - 10_000n, address: heartbeatWallet(params, 0).address }],
      locktime: 0,
    },
    [{ value, address: owner.address }],
    [owner],
  );
  return toHex(encodeTx(tx));
}

gpuTest(
  "a transaction from mempool.dat reaches a peer connected after the restart",
  async () => {
    await using da = await tempDir();
    await using db = await tempDir();
    const nodes: (P2pNode | undefined)[] = [];
    try {
      let a = await startP2pNode(da.path);
      nodes.push(a);
      const count = params.coinbaseMaturity + 1;
      await importChainFixture(a.proc, await readChainFixture(), count);
      const hashes: string[] = [];
      for (let h = 1; h <= count; h++) hashes.push(await a.proc.rpc<string>("getblockhash", [h]));
      const id = await a.proc.rpc<string>("sendrawtransaction", [
        await spendCoinbase(a, hashes[0]!),
      ]);
      assert.equal(await a.proc.rpc("getconnectioncount"), 0);
      await a.proc.stop();
      assert.match(a.proc.log, /saved 1 mempool transactions/);

      const b = await startP2pNode(db.path);
      nodes.push(b);
      a = await startP2pNode(da.path, connectArgs(b));
      nodes[0] = a;
      assert.deepEqual(await a.proc.rpc("getrawmempool"), [id]);
      const peer = b;
      await waitUntil(
        async () => (await peer.proc.rpc<string[]>("getrawmempool")).includes(id),
        60_000,
        () => `B log tail:\n${peer.proc.log.slice(-3000)}\nA log tail:\n${a.proc.log.slice(-3000)}`,
      );
      // The spend is valid for block 11, so B may take it while it holds 10 blocks: the sync
      // goes on to the end.
      await waitForTip([b], hashes.at(-1)!, 60_000);
      assert.equal(await b.proc.rpc("getblockcount"), hashes.length);
    } finally {
      await stopAll(nodes);
    }
  },
);

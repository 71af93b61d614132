/**
 * The unbroadcast set across a restart of a real `rnt node`: a payment that sat in one node's
 * `mempool.dat` while it had no peers reaches a new peer after the restart, even though that peer
 * first hears of it while still syncing the blocks its input comes from.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { heartbeatWallet, signTx } from "../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../core/crypto/keccak.ts";
import { encodeAddress } from "../core/primitives/address.ts";
import { encodeTx } from "../core/primitives/tx.ts";
import { gpuTest } from "../gpu/testing.ts";
import { tempDir } from "./helpers.ts";
import { connectArgs, type P2pNode, startP2pNode, stopAll, waitUntil } from "./p2p_helpers.ts";

const params = REGTEST;
const owner = heartbeatWallet(params, 0);
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
      outputs: [{ value: value - 10_000n, address: heartbeatWallet(params, 1).address }],
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
      const hashes = await a.proc.rpc<string[]>("generatetoaddress", [
        params.coinbaseMaturity + 1,
        encodeAddress(params, owner.address),
      ]);
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
      assert.equal(await b.proc.rpc("getblockcount"), hashes.length);
    } finally {
      await stopAll(nodes);
    }
  },
);

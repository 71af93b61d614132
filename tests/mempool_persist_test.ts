/**
 * Mempool persistence of a real `rnt node`: a payment accepted before a restart (clean stop, or
 * SIGKILL after `savemempool`) is still in the mempool afterwards and gets mined; a corrupt
 * `mempool.dat` is reported in the log and ignored, and the node starts. The coins are the
 * coinbases of the committed fixture chain (tests/chain_fixture.ts), imported rather than
 * trained; the block that mines the saved payments is mined by the node.
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
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const params = REGTEST;
/** The fixture pays its coinbases to heartbeat wallet 1. */
const owner = heartbeatWallet(params, 1);
const dest = heartbeatWallet(params, 0);
type Json = Record<string, unknown>;

/** Signed raw spends (hex) of the coinbase of each block in `hashes`, paying `dest`. */
export async function spendCoinbases(
  node: NodeProcess,
  hashes: readonly string[],
): Promise<string[]> {
  const out: string[] = [];
  for (const hash of hashes) {
    const block = await node.rpc<Json>("getblock", [hash, 2]);
    const cb = (block.tx as Json[])[0]!;
    const value = BigInt((cb.vout as Json[])[0]!.value_resonances as number);
    const tx = signTx(
      params,
      {
        version: 1,
        inputs: [{ prevout: { txid: fromHex(cb.txid as string), vout: 0 }, sequence: 0 }],
        outputs: [{ value: value - 10_000n, address: dest.address }],
        locktime: 0,
      },
      [{ value, address: owner.address }],
      [owner],
    );
    out.push(toHex(encodeTx(tx)));
  }
  return out;
}

gpuTest(
  "rnt node keeps its mempool across a clean restart and a SIGKILL after savemempool, and the saved payments get mined",
  async () => {
    await using dir = await tempDir("rnt-mempool-");
    let node = await NodeProcess.start(dir.path);
    try {
      const to = encodeAddress(params, owner.address);
      const count = params.coinbaseMaturity + 2;
      await importChainFixture(node, await readChainFixture(), count);
      const hashes: string[] = [];
      for (let h = 1; h <= count; h++) hashes.push(await node.rpc<string>("getblockhash", [h]));
      const [a, b] = await spendCoinbases(node, hashes.slice(0, 2));
      const idA = await node.rpc<string>("sendrawtransaction", [a]);
      await node.stop();
      assert.match(node.log, /saved 1 mempool transactions/);

      node = await NodeProcess.start(dir.path);
      assert.deepEqual(await node.rpc("getrawmempool"), [idA]);
      assert.match(node.log, /loaded 1 of 1 mempool transactions/);
      const idB = await node.rpc<string>("sendrawtransaction", [b]);
      assert.equal(
        (await node.rpc<Json>("savemempool")).filename as string,
        `${dir.path}/mempool.dat`,
      );
      assert.equal((await node.stop("SIGKILL")).signal, "SIGKILL");

      node = await NodeProcess.start(dir.path);
      assert.deepEqual((await node.rpc<string[]>("getrawmempool")).sort(), [idA, idB].sort());
      const [mined] = await node.rpc<string[]>("generatetoaddress", [1, to]);
      const block = await node.rpc<Json>("getblock", [mined, 1]);
      assert.deepEqual((block.tx as string[]).slice(1).sort(), [idA, idB].sort());
      assert.deepEqual(await node.rpc("getrawmempool"), []);
      await node.stop();

      // A corrupt file is reported and ignored; the next save replaces it.
      const path = `${dir.path}/mempool.dat`;
      const bytes = await Deno.readFile(path);
      bytes[bytes.length - 1]! ^= 1;
      await Deno.writeFile(path, bytes);
      node = await NodeProcess.start(dir.path);
      assert.match(node.log, /ignoring corrupt .*mempool\.dat: Mempool file checksum mismatch/);
      assert.deepEqual(await node.rpc("getrawmempool"), []);
      await node.stop();
      assert.equal((await node.exited()).code, 0);
    } finally {
      await node[Symbol.asyncDispose]();
    }
  },
);

/**
 * The wallet keeps its unconfirmed sends and submits them again: `rnt wallet send`, then the
 * node is SIGKILLed before it saves mempool.dat; after the restart the node's mempool is empty
 * until the next wallet command puts the payment back, `rnt wallet history` lists it as
 * pending, and once a block confirms it the wallet forgets it. The same for a node-loaded wallet
 * (`rnt node --wallet`): its `sendtoaddress` payment is back in the mempool after the restart.
 *
 * @module
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { decodeWallet, readWalletBytes } from "../node/wallet/store.ts";
import { gpuTest } from "../gpu/testing.ts";
import { runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { TestWalletCli } from "./wallet_helpers.ts";
import { FixtureChain } from "./fixture_blocks.ts";

type Json = Record<string, unknown>;
const PASS = "correct horse battery staple";

/** The txids of the pending sends stored in the wallet file. */
async function storedPending(file: string): Promise<string[]> {
  const { wallet } = await decodeWallet(await readWalletBytes(file), PASS, REGTEST);
  return wallet.pendingSends().map((p) => p.txid);
}

gpuTest(
  "rnt wallet resubmits a send the node lost in a SIGKILL, history shows it pending, and a block settles it",
  async () => {
    await using dir = await tempDir("rnt-resend-");
    const datadir = `${dir.path}/node`;
    let node = await NodeProcess.start(datadir);
    try {
      let a = new TestWalletCli(node, dir.path, "a");
      const b = new TestWalletCli(node, dir.path, "b");
      await a.setPassphrase(PASS);
      await b.setPassphrase("another one");
      const created = await a.json(["create", "--insecure-fast-kdf"]);
      const payee = (await b.json(["create", "--insecure-fast-kdf"])).address as string;
      // Coinbases to A, one mature (real checkpoints, not trained here: tests/fixture_blocks.ts;
      // so is the block that confirms the send).
      const chain = await FixtureChain.start(node, REGTEST);
      await chain.extend(created.address as string, REGTEST.coinbaseMaturity + 1);
      const before = await a.json(["balance"]);

      const sent = await a.json(["send", payee, "1.5", "--yes"]);
      const id = sent.txid as string;
      assert.deepEqual(await node.rpc("getrawmempool"), [id]);
      assert.deepEqual(await storedPending(a.file), [id]);

      // Killed before any mempool.dat is written (removed in case one was).
      assert.equal((await node.stop("SIGKILL")).signal, "SIGKILL");
      await Deno.remove(`${datadir}/regtest/mempool.dat`).catch(() => {});
      await Deno.remove(`${datadir}/mempool.dat`).catch(() => {});
      node = await NodeProcess.start(datadir);
      assert.deepEqual(await node.rpc("getrawmempool"), []);

      a = new TestWalletCli(node, dir.path, "a");
      const history = await a.json<Json[]>(["history"]);
      assert.deepEqual(await node.rpc("getrawmempool"), [id]);
      const row = history.find((r) => r.txid === id);
      assert.ok(row, `history lists ${id}`);
      assert.equal(row.height, null);
      assert.equal(row.confirmations, 0);
      assert.ok(BigInt(row.amount_resonances as string) < -150_000_000n + 1n);
      // The balance does not silently return: the spent coin stays spent.
      const after = await a.json(["balance"]);
      assert.ok(
        BigInt(after.balance_resonances as string) < BigInt(before.balance_resonances as string),
      );
      assert.deepEqual(await storedPending(a.file), [id]);

      // A block confirms it: the next wallet command drops it from the pending list.
      chain.node = node;
      await chain.submit(created.address as string, Math.floor(Date.now() / 1000), {
        mempool: true,
      });
      const confirmed = (await a.json<Json[]>(["history"])).find((r) => r.txid === id);
      assert.equal(confirmed?.confirmations, 1);
      assert.deepEqual(await storedPending(a.file), []);
      assert.deepEqual(await node.rpc("getrawmempool"), []);
    } finally {
      await node.stop();
    }
  },
);

gpuTest(
  "rnt node --wallet resubmits the loaded wallet's sendtoaddress payment lost in a SIGKILL",
  async () => {
    await using dir = await tempDir("rnt-resend-node-");
    const d = dir.path;
    await Deno.writeTextFile(`${d}/wallet.pass`, PASS + "\n");
    const created = await runRnt([
      "wallet",
      "create",
      "--regtest",
      "--datadir",
      d,
      "--password-file",
      `${d}/wallet.pass`,
      "--insecure-fast-kdf",
    ]);
    assert.equal(created.code, 0, created.stderr);
    const walletArgs = ["--wallet", "--wallet-password-file", `${d}/wallet.pass`];
    let node = await NodeProcess.start(d, undefined, walletArgs);
    try {
      const own = await node.rpc<string>("getnewaddress");
      const chain = await FixtureChain.start(node, REGTEST);
      await chain.extend(own, REGTEST.coinbaseMaturity + 1);
      const payee = await node.rpc<string>("getnewaddress");
      const id = await node.rpc<string>("sendtoaddress", [payee, 1.5]);
      assert.deepEqual(await node.rpc("getrawmempool"), [id]);
      assert.deepEqual(await storedPending(`${d}/wallet.dat`), [id]);

      assert.equal((await node.stop("SIGKILL")).signal, "SIGKILL");
      await Deno.remove(`${d}/mempool.dat`).catch(() => {});
      node = await NodeProcess.start(d, undefined, walletArgs);
      assert.deepEqual(await node.rpc("getrawmempool"), [id]);
      assert.match(node.log, /resubmitted 1 unconfirmed sends/);

      // Mined: the next sendtoaddress forgets it and keeps only the new payment.
      chain.node = node;
      await chain.submit(own, Math.floor(Date.now() / 1000), { mempool: true });
      const id2 = await node.rpc<string>("sendtoaddress", [payee, 0.5]);
      assert.deepEqual(await storedPending(`${d}/wallet.dat`), [id2]);
    } finally {
      await node.stop();
    }
  },
);

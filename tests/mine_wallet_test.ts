/**
 * Where `rnt mine` pays without `--address`: a fresh address of the node's loaded wallet (asked
 * over RPC, no secret in the miner), so the rewards are the wallet's; with no wallet loaded, the
 * miner key's heartbeat address with a warning naming `rnt wallet sweep-miner-key`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, REPO_ROOT, runRnt, tempDir } from "./helpers.ts";
import { RntProcess } from "./mine_helpers.ts";
import { NodeProcess } from "./node_process.ts";

/** Creates a regtest wallet in `datadir` whose passphrase is in `datadir/wallet.pass`. */
async function createWallet(datadir: string): Promise<void> {
  await Deno.writeTextFile(`${datadir}/wallet.pass`, "pw\n");
  const created = await runRnt([
    "wallet",
    "create",
    "--regtest",
    "--datadir",
    datadir,
    "--password-file",
    `${datadir}/wallet.pass`,
    "--insecure-fast-kdf",
  ]);
  assert.equal(created.code, 0, created.stderr);
}

gpuTest(
  "rnt mine pays the node's loaded wallet by default, and warns when no wallet holds the reward",
  async () => {
    await using dir = await tempDir();
    const d = dir.path;
    await createWallet(d);
    const mine = (node: NodeProcess) =>
      RntProcess.spawn([
        "mine",
        "--regtest",
        "--datadir",
        d,
        "--rpcport",
        String(node.rpcPort),
        "--data",
        `${REPO_ROOT}/core/data/sample-train.txt`,
        "--steps-per-round",
        "10",
      ]);
    {
      await using node = NodeProcess.spawn(d, undefined, [
        "--wallet",
        "--wallet-password-file",
        `${d}/wallet.pass`,
      ]);
      await node.ready();
      await using miner = mine(node);
      await miner.waitFor(/^block 1 /m, 120_000);
      assert.equal((await miner.stop("SIGINT")).code, 0, miner.stderr);
      assert.doesNotMatch(miner.stderr, /no wallet loaded/);
      const info = await node.rpc<Record<string, number>>("getwalletinfo");
      assert.ok(info.immature_balance! > 0, JSON.stringify(info)); // the coinbase is the wallet's
      assert.equal(info.addresses, 2); // the first address and the miner's fresh one
      assert.equal((await node.stop()).code, 0);
    }
    {
      await using node = NodeProcess.spawn(d);
      await node.ready();
      await using miner = mine(node);
      await miner.waitFor(/^mining on regtest/m, 60_000);
      assert.equal((await miner.stop("SIGINT")).code, 0, miner.stderr);
      assert.match(
        miner.stderr,
        /miner\.key's address rrnt1\w+, which no wallet holds; move them with 'rnt wallet sweep-miner-key' before they are 1 hour old/,
      );
    }
  },
);

gpuTest(
  "rnt node --mine pays its loaded wallet by default, and warns when it mines without one",
  async () => {
    await using dir = await tempDir();
    const d = dir.path;
    await createWallet(d);
    const rpcPort = freePort();
    const nodeArgs = (extra: string[]) => [
      "node",
      "--regtest",
      "--datadir",
      d,
      "--rpcport",
      String(rpcPort),
      "--port",
      String(freePort()),
      "--mine",
      ...extra,
    ];
    {
      await using node = RntProcess.spawn(
        nodeArgs(["--wallet", "--wallet-password-file", `${d}/wallet.pass`]),
      );
      await node.waitFor(/^block 1 /m, 120_000);
      const info = await runRnt([
        "cli",
        "--regtest",
        "--datadir",
        d,
        "--rpcport",
        String(rpcPort),
        "getwalletinfo",
      ]);
      assert.equal(info.code, 0, info.stderr);
      const parsed = JSON.parse(info.stdout) as Record<string, number>;
      assert.ok(parsed.immature_balance! > 0, info.stdout); // the coinbase is the wallet's
      assert.equal(parsed.addresses, 2); // the first address and the miner's fresh one
      assert.equal((await node.stop("SIGINT")).code, 0, node.stderr);
      assert.doesNotMatch(node.stderr, /no wallet is loaded/);
    }
    {
      await using node = RntProcess.spawn(nodeArgs([]));
      await node.waitFor(/^mining on regtest/m, 60_000);
      assert.equal((await node.stop("SIGINT")).code, 0, node.stderr);
      assert.match(
        node.stderr,
        /warning: no wallet is loaded, so the mining reward goes to miner\.key/,
      );
    }
  },
);

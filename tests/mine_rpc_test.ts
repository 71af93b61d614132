/**
 * `rnt mine` against a real regtest node over JSON-RPC: it trains on its own bytes, uploads the
 * checkpoint in verified chunks and submits blocks signed with the datadir's miner key; the
 * chain re-derived from genesis pays exactly the emission reward with its bonus; a block mined
 * elsewhere (generatetoaddress) makes one side start over on the new tip; when the node
 * restarts, the miner waits, reconnects with the new cookie and goes on mining.
 */
import assert from "node:assert/strict";
import { BASE_REWARD_RESONANCES, REGTEST } from "../core/consensus/params.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { gpuTest } from "../gpu/testing.ts";
import { loadOrCreateMinerKey } from "../node/miner/miner_key.ts";
import { minerHeartbeatKey } from "../node/miner/miner_address.ts";
import { freePort, REPO_ROOT, tempDir } from "./helpers.ts";
import { foundHeights, RntProcess, verifyChainEmission } from "./mine_helpers.ts";
import { NodeProcess } from "./node_process.ts";

const params = REGTEST;

gpuTest(
  "rnt mine mines on a node over RPC, follows a foreign tip and resumes after the node restarts",
  async () => {
    await using dir = await tempDir("rnt-mine-rpc-");
    const port = freePort();
    let node = await NodeProcess.start(dir.path, port);
    try {
      await using miner = RntProcess.spawn([
        "mine",
        "--regtest",
        "--datadir",
        dir.path,
        "--rpcport",
        String(port),
        "--data",
        `${REPO_ROOT}/core/data/sample-train.txt`,
        "--steps-per-round",
        "10",
      ]);
      await miner.waitFor(/^block 2 /m, 60_000);

      // A block from elsewhere: one of the two miners sees the tip move and starts over.
      const other = minerHeartbeatKey(params, new Uint8Array(32).fill(7)).address;
      // (generatetoaddress gives up after its third restart when rnt mine keeps winning.)
      await node.rpc("generatetoaddress", [1, other]).catch((e) => {
        assert.match(String(e), /tip kept changing while training/);
        return null;
      });
      const before = await node.rpc<number>("getblockcount");

      // Node restart: the miner waits, reconnects (new cookie) and mines on.
      await node.stop();
      await miner.waitFor(/lost the node/, 20_000);
      node = NodeProcess.spawn(dir.path, port);
      await node.ready();
      await miner.waitFor(/connection to the node is back/, 30_000);
      const after = new RegExp(`^block (${before + 1}|${before + 2}|${before + 3}) `, "m");
      await miner.waitFor(after, 60_000);
      const status = await miner.stop("SIGINT");
      assert.equal(status.code, 0, miner.stderr);
      assert.match(miner.stderr, /mining stopped/);
      assert.ok(
        /new tip [0-9a-f]{64} from elsewhere/.test(miner.stderr) ||
          /\(side-branch\)/.test(miner.stdout) ||
          /tip changed while training/.test(await Deno.readTextFile(`${dir.path}/debug.log`)),
        `the two miners raced: one started over or lost the height:\n${miner.stdout}\n${miner.stderr}\n` +
          (await Deno.readTextFile(`${dir.path}/debug.log`)),
      );

      // The chain, re-derived from genesis with the consensus rules.
      const { tip, blocks } = await verifyChainEmission(node, params);
      assert.ok(tip.height > before, `mined past the restart (tip ${tip.height}, was ${before})`);
      const mined = foundHeights(miner.stdout);
      assert.ok(mined.length >= 3, miner.stdout);
      const seed = await loadOrCreateMinerKey(dir.path);
      const own = toHex(keyPairFromSeed(seed).publicKey);
      const ownAddr = minerHeartbeatKey(params, seed).address;
      const byOwn = blocks.filter((b) => toHex(b.header.minerKey) === own);
      assert.ok(byOwn.length >= mined.length - 1, "blocks are signed with the datadir miner key");
      assert.ok(
        blocks.some((b) => b.txs[0]!.outputs[0]!.value > BASE_REWARD_RESONANCES),
        "some block earned a performance bonus",
      );
      const info = await node.rpc<{ isvalid: boolean }>("validateaddress", [ownAddr]);
      assert.equal(info.isvalid, true);
    } finally {
      await node[Symbol.asyncDispose]();
    }
  },
);

gpuTest("rnt mine refuses a missing --data and a data file it cannot open", async () => {
  await using dir = await tempDir("rnt-mine-args-");
  await using missing = RntProcess.spawn(["mine", "--regtest", "--datadir", dir.path]);
  assert.equal((await missing.exited()).code, 2);
  assert.match(missing.stderr, /--data FILE is required/);
  await using bad = RntProcess.spawn([
    "mine",
    "--regtest",
    "--datadir",
    dir.path,
    "--data",
    `${dir.path}/nope.txt`,
  ]);
  assert.equal((await bad.exited()).code, 1);
  assert.match(bad.stderr, /cannot open training data/);
});

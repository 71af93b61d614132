/**
 * `rnt node --mine` (what `deno task start` runs): mines in process on the bundled sample text
 * with no --data or --address, prints one line per block (height, val loss, d_model, layers,
 * reward), stops cleanly on SIGINT, and a re-run on the same datadir continues the chain.
 */
import assert from "node:assert/strict";
import { REGTEST } from "../core/consensus/params.ts";
import { gpuTest } from "../gpu/testing.ts";
import { RpcClient } from "../rpc/client.ts";
import { freePort, tempDir } from "./helpers.ts";
import { foundHeights, RntProcess, verifyChainEmission } from "./mine_helpers.ts";

function nodeArgs(datadir: string, rpcPort: number, extra: string[] = []): string[] {
  return [
    "node",
    "--regtest",
    "--datadir",
    datadir,
    "--rpcport",
    String(rpcPort),
    "--port",
    String(freePort()),
    ...extra,
  ];
}

gpuTest(
  "rnt node --mine prints each block and a re-run on the same datadir continues",
  async () => {
    await using dir = await tempDir("rnt-node-mine-");
    const rpcPort = freePort();
    {
      await using first = RntProcess.spawn(nodeArgs(dir.path, rpcPort, ["--mine"]));
      await first.waitFor(/^mining on regtest from height 0 .*reward address rrnt1/m, 60_000);
      await first.waitFor(/^block 2 /m, 60_000);
      assert.equal((await first.stop("SIGINT")).code, 0, first.stderr);
      assert.match(
        first.stdout,
        /^block 1 {2}sample_loss \d\.\d{6} \(parent \d\.\d{6}, -\d+\.\d\d%\) {2}d_model 18 {2}layers 1 {2}reward \d+\.\d{8} RNT.*train \d+\.\ds, verify \d+\.\ds\]/m,
      );
    }
    await using second = RntProcess.spawn(nodeArgs(dir.path, rpcPort, ["--mine"]));
    const m = await second.waitFor(/^mining on regtest from height (\d+) /m, 60_000);
    const resumed = Number(m[1]);
    assert.ok(resumed >= 2, `resumed from ${resumed}`);
    await second.waitFor(new RegExp(`^block ${resumed + 1} `, "m"), 60_000);
    const client = await RpcClient.fromDatadir({ datadir: dir.path, port: rpcPort });
    const rpc = async <T>(method: string, params: unknown[] = []) =>
      await client.call(method, params) as T;
    const { tip } = await verifyChainEmission({ rpc }, REGTEST);
    assert.ok(tip.height >= resumed + 1);
    assert.deepEqual(foundHeights(second.stdout).slice(0, 1), [resumed + 1]);
    assert.equal((await second.stop("SIGTERM")).code, 0, second.stderr);
  },
);

gpuTest("rnt node refuses --data without --mine and an unreadable --data", async () => {
  await using dir = await tempDir("rnt-node-mine-args-");
  await using usage = RntProcess.spawn(nodeArgs(dir.path, freePort(), ["--data", "x.txt"]));
  assert.equal((await usage.exited()).code, 2);
  assert.match(usage.stderr, /--data, --address and --max-rounds are for --mine/);
  await using bad = RntProcess.spawn(
    nodeArgs(dir.path, freePort(), ["--mine", "--data", `${dir.path}/missing.txt`]),
  );
  assert.equal((await bad.exited()).code, 1);
  assert.match(bad.stderr, /cannot open training data/);
});

/**
 * `rnt mine` and `rnt node --mine` tell the user what is wrong instead of stalling silently:
 * no node (how to start one, and no miner key written), a node that does not accept the miner
 * (which cookie was looked for), a block whose training stops getting closer to the target
 * (why, and what to do), `--max-rounds N` (give up, summary, exit 1 / stop mining), and the
 * summary line when a miner stops.
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import { RntProcess } from "./mine_helpers.ts";
import { NodeProcess } from "./node_process.ts";

/** Deno's cache directory of this process (as `deno info` reports it). */
function denoDir(): string {
  return Deno.env.get("DENO_DIR") ?? `${Deno.env.get("HOME")}/.cache/deno`;
}

async function exists(path: string): Promise<boolean> {
  return await Deno.stat(path).then(() => true, () => false);
}

/** Bytes (0x80–0xFF) that never occur in the English validation text: training cannot help. */
async function unsuitableData(dir: string): Promise<string> {
  const path = `${dir}/unsuitable.bin`;
  const bytes = new Uint8Array(64 * 1024);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    bytes[i] = 0x80 | (x >>> 24) & 0x7f;
  }
  await Deno.writeFile(path, bytes);
  return path;
}

Deno.test("rnt mine with no node says how to start one and writes no miner key", async () => {
  await using dir = await tempDir("rnt-mine-nonode-");
  const port = freePort();
  const r = await runRnt([
    "mine",
    "--regtest",
    "--datadir",
    dir.path,
    "--rpcport",
    String(port),
    "--data",
    "core/data/sample-train.txt",
  ]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`no regtest node is answering RPC at 127\\.0\\.0\\.1:${port}`));
  assert.match(r.stderr, new RegExp(`start one with: rnt node --regtest --datadir ${dir.path}`));
  assert.equal(await exists(`${dir.path}/miner.key`), false);
});

Deno.test("rnt mine without --datadir names the cookie it looked for, writes nothing", async () => {
  await using dir = await tempDir("rnt-mine-nocookie-");
  await using home = await tempDir("rnt-mine-home-");
  await using node = await NodeProcess.start(dir.path);
  const r = await runRnt(
    [
      "mine",
      "--regtest",
      "--rpcport",
      String(node.rpcPort),
      "--data",
      "core/data/sample-train.txt",
    ],
    // Keep Deno's own cache where it is: only rnt's default datadir moves.
    { env: { HOME: home.path, DENO_DIR: denoDir() } },
  );
  assert.equal(r.code, 1, r.stderr);
  assert.doesNotMatch(r.stderr, /^error: authorization failed$/m);
  assert.match(
    r.stderr,
    new RegExp(
      `did not accept this miner: no valid cookie at ${home.path}/\\.rnt/regtest/\\.cookie ` +
        `\\(no --datadir given`,
    ),
  );
  assert.match(r.stderr, /pass the running node's --datadir/);
  assert.equal(await exists(`${home.path}/.rnt/regtest/miner.key`), false);
  await node.stop();
});

gpuTest(
  "rnt mine on unsuitable data reports the stall, gives up after --max-rounds with a summary, exit 1",
  async () => {
    await using dir = await tempDir("rnt-mine-stall-");
    const data = await unsuitableData(dir.path);
    await using node = await NodeProcess.start(dir.path);
    await using miner = RntProcess.spawn([
      "mine",
      "-regtest",
      "--datadir",
      dir.path,
      "--rpcport",
      String(node.rpcPort),
      "--data",
      data,
      "--steps-per-round",
      "1",
      "--max-rounds",
      "21",
    ]);
    const status = await miner.exited();
    assert.equal(status.code, 1, miner.stderr);
    assert.match(miner.stderr, /block 1: no real progress in the last 20 rounds/);
    assert.match(miner.stderr, /the data is probably unlike it/);
    assert.match(miner.stderr, /--max-rounds N/);
    assert.match(
      miner.stderr,
      /^mining stopped: 0 blocks found in 21 rounds \(21 steps\), \d+[sm].*rewards 0\.00000000 RNT; gave up on block 1 after 21 rounds \(--max-rounds\): best val \d\.\d{4}, needed \d\.\d{4}$/m,
    );
    assert.equal(await node.rpc<number>("getblockcount"), 0);
  },
);

gpuTest(
  "rnt node --mine --max-rounds stops mining with a summary; its log stays out of the block lines",
  async () => {
    await using dir = await tempDir("rnt-node-maxrounds-");
    const data = await unsuitableData(dir.path);
    const rpcPort = freePort();
    await using node = RntProcess.spawn([
      "node",
      "--regtest",
      "--datadir",
      dir.path,
      "--rpcport",
      String(rpcPort),
      "--port",
      String(freePort()),
      "--mine",
      "--data",
      data,
      "--max-rounds",
      "2",
    ]);
    await node.waitFor(/^mining stopped: 0 blocks found in 2 rounds .*gave up on block 1/m, 90_000);
    await node.waitFor(/keeps running without mining/m, 10_000);
    assert.equal((await node.stop("SIGTERM")).code, 0, node.stderr);
    // Only the path of the log and problems reach stderr while mining; debug.log has it all.
    assert.match(node.stderr, /^log: .*debug\.log/m);
    assert.doesNotMatch(node.stderr, /RPC server listening|chain tip height=/);
    const log = await Deno.readTextFile(`${dir.path}/debug.log`);
    assert.match(log, /RPC server listening/);
    assert.match(log, /mining stopped: 0 blocks found in 2 rounds/);
  },
);

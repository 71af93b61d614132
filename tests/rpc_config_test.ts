/**
 * RPC beyond the cookie, with the real program: rnt.conf in the datadir (comments, a [regtest]
 * section, every flag settable, command-line flags win, unknown keys warned about),
 * rpcuser/rpcpassword and rpcauth credentials, rpcbind on another loopback address, rpcbind
 * refused without rpcallowip, and `rnt mine --rpcconnect HOST` to a node listening there.
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { generateRpcAuth } from "../rpc/auth.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import { RntProcess } from "./mine_helpers.ts";

const HOST = "127.0.0.2"; // loopback, but not the default 127.0.0.1

async function writeConf(datadir: string, rpcPort: number, bobLine: string): Promise<void> {
  await Deno.writeTextFile(
    `${datadir}/rnt.conf`,
    [
      "# rnt.conf written by the test",
      "rpcuser=alice",
      "rpcpassword=alice-secret   # a comment after a value",
      `rpcauth=${bobLine}`,
      "frobnicate=1",
      "",
      "[regtest]",
      `rpcbind=${HOST}`,
      `rpcport=${rpcPort}`,
      `port=${freePort()}`,
      "[test]",
      "rpcport=1",
    ].join("\n"),
  );
}

async function answers(host: string, port: number): Promise<boolean> {
  try {
    const c = await Deno.connect({ hostname: host, port });
    c.close();
    return true;
  } catch {
    return false;
  }
}

Deno.test("rnt.conf sets credentials, rpcbind and ports; flags win; rpcauth users get in", async () => {
  await using dir = await tempDir("rnt-conf-");
  const rpcPort = freePort();
  const bob = generateRpcAuth("bob");
  await writeConf(dir.path, rpcPort, bob.line);
  await using node = RntProcess.spawn(["node", "-regtest", `-datadir=${dir.path}`]);
  await node.waitFor(new RegExp(`RPC server listening on 127\\.0\\.0\\.2:${rpcPort}`), 60_000);
  assert.match(node.stderr, /rnt\.conf line 5: unknown setting 'frobnicate' ignored/);
  assert.equal(await answers("127.0.0.1", rpcPort), false, "rpcbind replaces 127.0.0.1");

  // rnt cli reads the same file: rpcuser/rpcpassword and the [regtest] rpcport.
  const viaConf = await runRnt([
    "cli",
    "-regtest",
    `-datadir=${dir.path}`,
    `-rpcconnect=${HOST}`,
    "getblockcount",
  ]);
  assert.equal(viaConf.code, 0, viaConf.stderr);
  assert.equal(viaConf.stdout.trim(), "0");
  // A flag on the command line wins over the file.
  const wrong = await runRnt([
    "cli",
    "-regtest",
    `-datadir=${dir.path}`,
    `-rpcconnect=${HOST}`,
    "-rpcpassword=not-it",
    "getblockcount",
  ]);
  assert.equal(wrong.code, 1);
  assert.match(wrong.stderr, /incorrect --rpcuser or --rpcpassword/);
  // An rpcauth user, from a machine with no datadir of the node.
  await using empty = await tempDir("rnt-conf-client-");
  const asBob = await runRnt([
    "cli",
    "--regtest",
    "--datadir",
    empty.path,
    "--rpcconnect",
    `${HOST}:${rpcPort}`,
    "--rpcuser",
    "bob",
    "--rpcpassword",
    bob.password,
    "getblockcount",
  ]);
  assert.equal(asBob.code, 0, asBob.stderr);
  assert.equal(asBob.stdout.trim(), "0");
  assert.equal((await node.stop("SIGTERM")).code, 0, node.stderr);
});

Deno.test("rpcbind beyond loopback without rpcallowip is refused with a warning", async () => {
  await using dir = await tempDir("rnt-rpcbind-");
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
    "--rpcbind",
    "192.0.2.1",
  ]);
  await node.waitFor(new RegExp(`RPC server listening on 127\\.0\\.0\\.1:${rpcPort}`), 60_000);
  assert.match(node.stderr, /--rpcbind ignored because --rpcallowip is not set/);
  assert.equal((await node.stop("SIGTERM")).code, 0);
  const bad = await runRnt([
    "node",
    "--regtest",
    "--datadir",
    dir.path,
    "--rpcallowip",
    "10.0.0.0/99",
  ]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rpcallowip: invalid rpcallowip '10\.0\.0\.0\/99'/);
  const conf = `${dir.path}/rnt.conf`;
  await Deno.writeTextFile(conf, "[moon]\nrpcport=1\n");
  const section = await runRnt(["node", "--regtest", "--datadir", dir.path]);
  assert.equal(section.code, 1);
  assert.match(section.stderr, /rnt\.conf line 1: unknown section '\[moon\]'/);
});

gpuTest(
  "rnt mine --rpcconnect HOST mines against a node listening on another address",
  async () => {
    await using dir = await tempDir("rnt-mine-remote-");
    await using minerDir = await tempDir("rnt-mine-remote-miner-");
    const rpcPort = freePort();
    const bob = generateRpcAuth("bob");
    await writeConf(dir.path, rpcPort, bob.line);
    await using node = RntProcess.spawn(["node", "-regtest", `-datadir=${dir.path}`]);
    await node.waitFor(/RPC server listening on 127\.0\.0\.2/, 60_000);
    await using miner = RntProcess.spawn([
      "mine",
      "--regtest",
      "--datadir",
      minerDir.path,
      "--rpcconnect",
      HOST,
      "--rpcport",
      String(rpcPort),
      "--rpcuser",
      "bob",
      "--rpcpassword",
      bob.password,
      "--data",
      "core/data/sample-train.txt",
    ]);
    await miner.waitFor(new RegExp(`mining on regtest node 127\\.0\\.0\\.2:${rpcPort}`), 60_000);
    await miner.waitFor(/^block 1 /m, 120_000);
    assert.equal((await miner.stop("SIGINT")).code, 0, miner.stderr);
    assert.match(miner.stderr, /^mining stopped: \d+ blocks? found/m);
    // The miner key lives with the miner, not with the node.
    await Deno.stat(`${minerDir.path}/miner.key`);
    assert.equal((await node.stop("SIGTERM")).code, 0, node.stderr);
  },
);

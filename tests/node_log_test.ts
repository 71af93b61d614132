/**
 * The node log with the real program: `--debug=rpc` adds the RPC calls to debug.log (and
 * nothing is added without it), an unknown category is a usage error, and a debug.log past the
 * size limit is rotated to debug.log.1 at start.
 */
import assert from "node:assert/strict";
import { runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

Deno.test("--debug=rpc logs each RPC call; an oversized debug.log is rotated at start", async () => {
  await using dir = await tempDir("rnt-log-");
  const big = "x".repeat(1024) + "\n";
  await Deno.writeTextFile(`${dir.path}/debug.log`, big.repeat(11 * 1024)); // 11 MiB
  {
    await using node = NodeProcess.spawn(dir.path, undefined, ["-debug=rpc"]);
    await node.ready();
    await node.rpc("getblockcount");
    assert.equal((await node.stop()).code, 0);
  }
  const log = await Deno.readTextFile(`${dir.path}/debug.log`);
  assert.match(log, /\[rpc\] received request for method=getblockcount/);
  assert.doesNotMatch(log, /^x{100}/m);
  assert.equal((await Deno.stat(`${dir.path}/debug.log.1`)).size, big.length * 11 * 1024);

  await using node = NodeProcess.spawn(dir.path);
  await node.ready();
  await node.rpc("getbestblockhash");
  await node.stop();
  const after = await Deno.readTextFile(`${dir.path}/debug.log`);
  assert.doesNotMatch(after, /method=getbestblockhash/);
});

Deno.test("an unknown --debug category is a usage error naming the known ones", async () => {
  await using dir = await tempDir("rnt-log-bad-");
  const r = await runRnt(["node", "--regtest", "--datadir", dir.path, "--debug=nett"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--debug: unknown debug category 'nett' \(known: net, rpc/);
});

Deno.test("a P2P port in use is reported once, and the node exits 1", async () => {
  await using dir = await tempDir("rnt-p2p-busy-");
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (busy.addr as Deno.NetAddr).port;
    const r = await runRnt([
      "node",
      "--regtest",
      "--datadir",
      dir.path,
      "--rpcport",
      "0",
      "--port",
      String(port),
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr.match(/P2P port \d+ is in use/g)?.length, 1, r.stderr);
    assert.match(r.stderr, /error: P2P port \d+ is in use \(another node\? use --port\)/);
  } finally {
    busy.close();
  }
});

/**
 * Bitcoin habits of the real `rnt` program: single-dash flags, `rnt help`, "did you mean",
 * negative numbers as arguments, `rnt cli -getinfo` / `-named`, exit status = |RPC error code|,
 * and Core's result shapes (getchaintips, relayfee = minrelaytxfee, warnings arrays,
 * initialblockdownload on an old tip).
 */
import assert from "node:assert/strict";
import { runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

Deno.test("rnt help COMMAND prints that command's help; typos get a suggestion", async () => {
  const help = await runRnt(["help", "node"]);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /^rnt node — /);
  const typo = await runRnt(["nide"]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /unknown command 'nide' \(did you mean 'node'\?\)/);
  const flag = await runRnt(["node", "-regtest", "--rpcprot", "1"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option '--rpcprot' \(did you mean '--rpcport'\?\)/);
});

Deno.test("rnt cli takes -flags, negative numbers, -named and -getinfo; exits with |RPC code|", async () => {
  await using dir = await tempDir();
  await using node = await NodeProcess.start(dir.path);
  const base = ["cli", "-regtest", `-datadir=${dir.path}`, `-rpcport=${node.rpcPort}`];

  const negative = await runRnt([...base, "getblockhash", "-1"]);
  assert.equal(negative.code, 8, negative.stderr); // -8 RPC_INVALID_PARAMETER
  assert.match(negative.stderr, /^error code: -8\nerror message:\nBlock height out of range/);
  const unknown = await runRnt([...base, "nosuchmethod"]);
  assert.equal(unknown.code, 32601 & 0xff);

  const named = await runRnt([...base, "-named", "getblockhash", "height=0"]);
  assert.equal(named.code, 0, named.stderr);
  assert.equal(named.stdout.trim(), await node.rpc<string>("getblockhash", [0]));

  const info = await runRnt([...base, "-getinfo"]);
  assert.equal(info.code, 0, info.stderr);
  assert.match(info.stdout, /^Chain: regtest\nBlocks: 0\n/);
  assert.match(info.stdout, /Initial block download: yes/);
  assert.match(info.stdout, /Min tx relay fee rate \(RNT\/kvB\): 0\.\d{8}/);
  assert.match(info.stdout, /Warnings: \(none\)/);

  const tips = await node.rpc<{ height: number; status: string; branchlen: number }[]>(
    "getchaintips",
  );
  assert.deepEqual(tips.map((t) => [t.height, t.branchlen, t.status]), [[0, 0, "active"]]);
  const net = await node.rpc<{ relayfee: number; warnings: unknown }>("getnetworkinfo");
  const pool = await node.rpc<{ minrelaytxfee: number }>("getmempoolinfo");
  assert.equal(net.relayfee, pool.minrelaytxfee);
  assert.ok(net.relayfee > 0);
  const chain = await node.rpc<{ warnings: unknown; initialblockdownload: boolean }>(
    "getblockchaininfo",
  );
  const mining = await node.rpc<{ warnings: unknown }>("getmininginfo");
  for (const w of [net.warnings, chain.warnings, mining.warnings]) assert.deepEqual(w, []);
  // Regtest's genesis is years old and nothing newer is known: still "downloading".
  assert.equal(chain.initialblockdownload, true);
  await node.rpc("stop");
  assert.equal((await node.exited()).code, 0);
});

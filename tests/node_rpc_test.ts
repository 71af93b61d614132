/**
 * `rnt node` as a process: RPC errors with Core's codes over a real socket, `rnt cli` against it,
 * the datadir lock, and clean shutdown on SIGTERM.
 */
import assert from "node:assert/strict";
import { genesisEntry } from "../core/consensus/genesis.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { buildChildBlock } from "../core/consensus/testing/block_builder.ts";
import { toHex } from "../core/crypto/keccak.ts";
import { RpcError } from "../core/errors.ts";
import { encodeBlock } from "../core/primitives/block.ts";
import { runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";
import { DEFAULT_MAX_REPLY_BYTES } from "../rpc/json_rpc.ts";

async function rpcError(p: Promise<unknown>): Promise<RpcError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RpcError) return e;
    throw e;
  }
  throw new Error("expected an RPC error");
}

Deno.test("rnt node answers RPC with Core's error codes, serves rnt cli, and exits cleanly on SIGTERM", async () => {
  await using dir = await tempDir();
  await using node = await NodeProcess.start(dir.path);

  // Authentication: no credentials → 401 with a Basic challenge; wrong ones → 401.
  const noAuth = await node.post('{"method":"getblockcount","params":[],"id":1}', null);
  assert.equal(noAuth.status, 401);
  assert.match(noAuth.headers.get("www-authenticate") ?? "", /^Basic/);
  await noAuth.body?.cancel();
  const wrong = await node.post("{}", "Basic " + btoa("__cookie__:wrong"));
  assert.equal(wrong.status, 401);
  await wrong.body?.cancel();

  // Malformed JSON → −32700; unknown method → −32601.
  const bad = await node.post('{"method": "getblockcount", ');
  assert.equal((await bad.json()).error.code, -32700);
  const unknown = await node.post('{"jsonrpc":"2.0","method":"nosuchmethod","params":[],"id":2}');
  assert.equal((await unknown.json()).error.code, -32601);

  // Bad parameters: −8 for a bad value, −3 for a wrong JSON type, −5 for an unknown block.
  assert.equal((await rpcError(node.rpc("getblockhash", [5]))).rpcCode, -8);
  assert.equal((await rpcError(node.rpc("getblockhash", ["0"]))).rpcCode, -3);
  assert.equal((await rpcError(node.rpc("getblock", ["abcd"]))).rpcCode, -8);
  assert.equal((await rpcError(node.rpc("getblock", ["zz".repeat(32)]))).rpcCode, -8);
  assert.equal((await rpcError(node.rpc("getblock", ["00".repeat(32)]))).rpcCode, -5);
  assert.equal((await rpcError(node.rpc("getblock", ["00".repeat(32), 7]))).rpcCode, -8);
  assert.equal((await rpcError(node.rpc("sendrawtransaction", ["0102"]))).rpcCode, -22);
  assert.equal((await rpcError(node.rpc("generatetoaddress", [1, "rrnt1nope"]))).rpcCode, -5);

  // Genesis is served in Core's shapes with our fields beside them.
  const info = await node.rpc<Record<string, unknown>>("getblockchaininfo");
  assert.equal(info.chain, "regtest");
  assert.equal(info.blocks, 0);
  assert.equal(info.d_model, 16);
  assert.equal(info.layers, 1);
  const best = await node.rpc<string>("getbestblockhash");
  assert.equal(await node.rpc("getblockhash", [0]), best);
  const block = await node.rpc<Record<string, unknown>>("getblock", [best, 2]);
  assert.equal(block.height, 0);
  assert.equal(block.confirmations, 1);
  assert.ok(Array.isArray(block.tx));
  const header = await node.rpc<string>("getblockheader", [best, false]);
  assert.equal(header.length, 528);
  const model = await node.rpc<Record<string, unknown>>("getmodelinfo");
  assert.equal(model.next_d_model, 18);
  assert.equal(model.checkpoint_available, true);
  const ckpt = await node.rpc<Record<string, unknown>>("getcheckpoint", [best]);
  assert.equal((ckpt.hex as string).length, 2 * (ckpt.size as number));
  assert.equal((await node.rpc<Record<string, unknown>>("getmempoolinfo")).size, 0);
  assert.deepEqual(await node.rpc("getrawmempool"), []);
  assert.equal(typeof await node.rpc("uptime"), "number");
  const help = await node.rpc<string>("help");
  for (const m of ["getblockchaininfo", "submitblock", "generatetoaddress", "getcheckpoint"]) {
    assert.match(help, new RegExp(`^${m}\\b`, "m"));
  }

  // setmocktime moves the node's clock: a block 3 h after genesis is "time-too-new" at a mock
  // time just after genesis, and passes the time check again on the system clock.
  const genesis = genesisEntry(REGTEST);
  const later = buildChildBlock(REGTEST, genesis, {
    timestampSecs: genesis.header.timestampSecs + 3 * 3600,
  });
  const submit = () => node.rpc("submitblock", [toHex(encodeBlock(later)), "00"]);
  assert.equal(await node.rpc("setmocktime", [genesis.header.timestampSecs + 10]), null);
  const early = await rpcError(submit());
  assert.equal(early.rpcCode, -26);
  assert.match(early.message, /^time-too-new/);
  await node.rpc("setmocktime", [0]);
  const onTime = await rpcError(submit());
  assert.equal(onTime.rpcCode, -26);
  assert.doesNotMatch(onTime.message, /^time-too/);
  assert.equal(await node.rpc("getblockcount"), 0);

  // rnt cli: declared numeric params become numbers, string params stay strings.
  const cli = (...args: string[]) =>
    runRnt(["cli", "--regtest", "--datadir", dir.path, "--rpcport", String(node.rpcPort), ...args]);
  const viaCli = await cli("getblockhash", "0");
  assert.equal(viaCli.code, 0, viaCli.stderr);
  assert.equal(viaCli.stdout.trim(), best);
  const helpCli = await cli("help", "getblock");
  assert.equal(helpCli.code, 0, helpCli.stderr);
  assert.match(helpCli.stdout, /^getblock "blockhash"/);
  const errCli = await cli("getblockhash", "99");
  assert.equal(errCli.code, 8); // |-8|, as bitcoin-cli exits
  assert.match(errCli.stderr, /error code: -8/);

  // A second node on the same datadir refuses to start, and the first keeps running.
  const second = NodeProcess.spawn(dir.path);
  const secondStatus = await second.exited();
  assert.equal(secondStatus.code, 1);
  assert.match(second.log, /another rnt node/);
  assert.equal(await node.rpc("getblockcount"), 0);

  // SIGTERM: exit 0, cookie and lock removed, the log says so.
  const status = await node.stop("SIGTERM");
  assert.equal(status.code, 0, node.log);
  for (const f of [".cookie", ".lock"]) {
    await assert.rejects(Deno.stat(`${dir.path}/${f}`), Deno.errors.NotFound);
  }
  const debugLog = await Deno.readTextFile(`${dir.path}/debug.log`);
  assert.match(debugLog, /shutdown requested \(SIGTERM\)/);
  assert.match(debugLog, /^\d{4}-\d\d-\d\dT[\d:.]+Z shutdown complete$/m);
});

Deno.test("rnt node shuts down cleanly on SIGINT and a fresh start on the same datadir works", async () => {
  await using dir = await tempDir();
  const first = await NodeProcess.start(dir.path);
  const tip = await first.rpc("getbestblockhash");
  assert.equal((await first.stop("SIGINT")).code, 0, first.log);
  await assert.rejects(Deno.stat(`${dir.path}/.cookie`), Deno.errors.NotFound);
  await assert.rejects(Deno.stat(`${dir.path}/.lock`), Deno.errors.NotFound);
  assert.match(first.log, /shutdown requested \(SIGINT\)/);
  await using second = await NodeProcess.start(dir.path);
  assert.equal(await second.rpc("getbestblockhash"), tip);
  assert.equal(await second.rpc("stop"), "rnt stopping");
  assert.equal((await second.exited()).code, 0, second.log);
});

Deno.test("rnt node refuses a batch of getcheckpoint past the reply limit and keeps serving", async () => {
  await using dir = await tempDir();
  await using node = await NodeProcess.start(dir.path);
  const best = await node.rpc<string>("getbestblockhash");
  const one = await node.rpc<{ hex: string }>("getcheckpoint", [best]);
  // Enough copies of the genesis checkpoint's hex to pass the limit by a tenth.
  const count = Math.ceil((1.1 * DEFAULT_MAX_REPLY_BYTES) / one.hex.length);
  const batch = Array.from({ length: count }, (_, id) => ({
    jsonrpc: "2.0",
    method: "getcheckpoint",
    params: [best],
    id,
  }));
  const res = await node.post(JSON.stringify(batch));
  assert.equal(res.status, 200);
  const text = await res.text();
  assert.ok(text.length <= DEFAULT_MAX_REPLY_BYTES + 200 * count, `reply of ${text.length}`);
  const replies = JSON.parse(text) as {
    result?: { hex: string };
    error?: { code: number; message: string };
    id: number;
  }[];
  assert.equal(replies.length, count);
  const served = replies.findIndex((r) => r.error !== undefined);
  assert.ok(served > 0 && served < count, `first refusal at ${served}`);
  for (const r of replies.slice(0, served)) assert.equal(r.result?.hex, one.hex);
  for (const r of replies.slice(served)) {
    assert.equal(r.error?.code, -32001);
    assert.match(r.error?.message ?? "", /limit|left for this reply/);
  }
  // Still alive and answering.
  assert.equal(await node.rpc("getblockcount"), 0);
  assert.equal((await node.rpc<{ hex: string }>("getcheckpoint", [best])).hex, one.hex);
});

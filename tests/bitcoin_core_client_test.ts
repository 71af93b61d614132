/**
 * The npm `bitcoin-core` client (5.0.0, unchanged) talks to a real rnt node as it talks to
 * Bitcoin Core: HTTP Basic auth with the cookie, Core-named methods, positional parameters, a
 * batch, and Core's error codes on a failed call. It is given a quiet logger only because its
 * default one (bunyan) asks the OS for the host name, which the test task does not allow.
 *
 * @module
 */
import assert from "node:assert/strict";
import Client from "bitcoin-core";
import { cookiePath, readAuthCookie } from "../rpc/auth.ts";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const quiet = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  trace() {},
  fatal() {},
  child() {
    return quiet;
  },
};

Deno.test("the npm bitcoin-core client reads a real rnt node like Bitcoin Core", async () => {
  await using dir = await tempDir();
  await using node = NodeProcess.spawn(dir.path);
  await node.ready();
  const cookie = await readAuthCookie(cookiePath(dir.path));
  const [username, password] = cookie.split(":") as [string, string];
  const client = new Client({
    host: `http://127.0.0.1:${node.rpcPort}`,
    username,
    password,
    logger: quiet,
  });
  // Core's camelCase methods are generated at run time and missing from the package's typings.
  const core = client as unknown as Record<string, () => Promise<unknown>>;
  const info = await core.getBlockchainInfo!() as Record<string, unknown>;
  assert.equal(info.chain, "regtest");
  assert.equal(info.blocks, 0);
  const best = await core.getBestBlockHash!() as string;
  assert.equal(best, info.bestblockhash);
  assert.equal(await client.command("getblockhash", 0), best);
  const [count, hash] = await client.command([
    { method: "getblockcount" },
    { method: "getblockhash", parameters: [0] },
  ]) as [number, string];
  assert.equal(count, 0);
  assert.equal(hash, best);
  await assert.rejects(
    () => client.command("getblockhash", 999),
    (e: Error & { code?: number }) => e.code === -8 && /out of range/i.test(e.message),
  );
  assert.equal((await node.stop()).code, 0);
});

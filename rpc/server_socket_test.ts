import assert from "node:assert/strict";
import { RpcError } from "../core/errors.ts";
import { RpcAuthenticator, writeAuthCookie } from "./auth.ts";
import { RpcClient, RpcTransportError } from "./client.ts";
import { createRpcApp, startRpcServer } from "./server.ts";
import { testRegistry } from "./_test_registry.ts";

Deno.test.sanitizer({ ops: true, resources: true });

async function startNode(maxBodyBytes = 1 << 20) {
  const datadir = await Deno.makeTempDir({ prefix: "rnt-rpc-" });
  const cookie = await writeAuthCookie(datadir);
  const { registry, state } = testRegistry();
  const app = createRpcApp(registry, new RpcAuthenticator({ userPass: [cookie.userPass] }), {
    maxBodyBytes,
  });
  const server = startRpcServer(app, { port: 0, cookie });
  return {
    datadir,
    cookie,
    state,
    server,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await Deno.remove(datadir, { recursive: true });
    },
  };
}

Deno.test("startRpcServer() binds 127.0.0.1 and serves RpcClient with the datadir cookie", async () => {
  await using node = await startNode();
  assert.equal(node.server.hostname, "127.0.0.1");
  assert.ok(node.server.port > 0);
  const client = await RpcClient.fromDatadir({ datadir: node.datadir, port: node.server.port });
  assert.equal(client.url, `http://127.0.0.1:${node.server.port}/`);
  assert.deepEqual(await client.call("echo", [{ a: [1, "x"] }]), { a: [1, "x"] });
  assert.equal(await client.call("bump"), 1);
  assert.equal(await client.call("greet", { name: "eve", times: 2 }), "hello eve hello eve");
  await assert.rejects(client.call("nope"), (e) => {
    assert.ok(e instanceof RpcError);
    assert.equal(e.rpcCode, -32601);
    assert.equal(e.message, "Method not found");
    return true;
  });
  await assert.rejects(client.call("invalid"), (e) => e instanceof RpcError && e.rpcCode === -8);
  const wallet = await RpcClient.fromDatadir({
    datadir: node.datadir,
    port: node.server.port,
    wallet: "w 1",
  });
  assert.deepEqual(await wallet.call("whoami"), { user: "__cookie__", wallet: "w 1" });
});

Deno.test("RpcClient gets 'unauthorized' for a wrong password after the 250 ms wait", async () => {
  await using node = await startNode();
  const client = await RpcClient.fromDatadir({
    datadir: node.datadir,
    port: node.server.port,
    user: "__cookie__",
    password: "wrong",
  });
  const t0 = performance.now();
  await assert.rejects(client.call("bump"), (e) => {
    assert.ok(e instanceof RpcTransportError);
    assert.equal(e.kind, "unauthorized");
    assert.equal(e.status, 401);
    return true;
  });
  assert.ok(performance.now() - t0 >= 245);
  assert.equal(node.state.bumps, 0);
});

Deno.test("real socket: batch, notification and 413 over the limit", async () => {
  await using node = await startNode(4096);
  const url = `http://127.0.0.1:${node.server.port}/`;
  const headers = { authorization: "Basic " + btoa(node.cookie.userPass) };
  const batch = await fetch(url, {
    method: "POST",
    headers,
    body: '[{"jsonrpc":"2.0","method":"bump","id":1},{"jsonrpc":"2.0","method":"bump"}]',
  });
  assert.equal(batch.status, 200);
  assert.deepEqual(await batch.json(), [{ jsonrpc: "2.0", result: 1, id: 1 }]);
  const note = await fetch(url, {
    method: "POST",
    headers,
    body: '{"jsonrpc":"2.0","method":"bump"}',
  });
  assert.equal(note.status, 204);
  assert.equal(await note.text(), "");
  assert.equal(node.state.bumps, 3);
  const big = await fetch(url, { method: "POST", headers, body: "x".repeat(5000) });
  assert.equal(big.status, 413);
  await big.body?.cancel();
  const after = await fetch(url, { method: "POST", headers, body: '{"method":"bump","id":1}' });
  assert.deepEqual(await after.json(), { result: 4, error: null, id: 1 });
});

Deno.test("shutdown() deletes the cookie and later calls cannot connect", async () => {
  const node = await startNode();
  const client = await RpcClient.fromDatadir({ datadir: node.datadir, port: node.server.port });
  assert.equal(await client.call("bump"), 1);
  await node.server.shutdown();
  await node.server.finished;
  await assert.rejects(Deno.stat(node.cookie.path), Deno.errors.NotFound);
  await assert.rejects(client.call("bump"), (e) => {
    assert.ok(e instanceof RpcTransportError);
    assert.equal(e.kind, "connect");
    return true;
  });
  await node.server.shutdown(); // idempotent
  await Deno.remove(node.datadir, { recursive: true });
});

Deno.test("RpcClient without a cookie sends no credentials and gets 'unauthorized'", async () => {
  await using node = await startNode();
  const empty = await Deno.makeTempDir();
  try {
    const client = await RpcClient.fromDatadir({ datadir: empty, port: node.server.port });
    assert.equal(client.hasCredentials, false);
    await assert.rejects(client.call("bump"), (e) => {
      return e instanceof RpcTransportError && e.kind === "unauthorized";
    });
  } finally {
    await Deno.remove(empty);
  }
});

Deno.test("RpcClient reports a non-JSON HTTP error and a timeout", async () => {
  await using node = await startNode();
  const cookie = node.cookie.userPass;
  const notFound = new RpcClient({
    url: `http://127.0.0.1:${node.server.port}/nowhere`,
    userPass: cookie,
  });
  await assert.rejects(notFound.call("bump"), (e) => {
    return e instanceof RpcTransportError && e.kind === "http" && e.status === 404;
  });
  // A listener that accepts but never answers.
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const silent = new RpcClient({
      url: `http://127.0.0.1:${(listener.addr as Deno.NetAddr).port}/`,
      userPass: cookie,
      timeoutMs: 100,
    });
    await assert.rejects(silent.call("bump"), (e) => {
      return e instanceof RpcTransportError && e.kind === "timeout";
    });
  } finally {
    listener.close();
    await accepting.catch(() => {});
    for (const conn of accepted) conn.close();
  }
});

import assert from "node:assert/strict";
import { RpcAuthenticator } from "./auth.ts";
import { createRpcApp, type RpcAppOptions, WWW_AUTHENTICATE } from "./server.ts";
import { testRegistry } from "./_test_registry.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const USER_PASS = "__cookie__:0123abcd";
const AUTH = "Basic " + btoa(USER_PASS);

function setup(options: RpcAppOptions = {}) {
  const { registry, state } = testRegistry();
  const auth = new RpcAuthenticator({ userPass: [USER_PASS] });
  const app = createRpcApp(registry, auth, {
    onInternalError: (e) => state.internalErrors.push(e),
    ...options,
  });
  const post = async (body: BodyInit, path = "/", headers: Record<string, string> = {}) => {
    const res = await app.request(path, {
      method: "POST",
      headers: { authorization: AUTH, ...headers },
      body,
    });
    return { status: res.status, text: await res.text(), headers: res.headers };
  };
  const call = async (request: unknown) => {
    const r = await post(JSON.stringify(request));
    return { ...r, json: r.text === "" ? undefined : JSON.parse(r.text) };
  };
  return { app, registry, state, post, call };
}

// --- JSON-RPC 2.0 -------------------------------------------------------------------------

Deno.test("2.0 request gets HTTP 200 with jsonrpc echoed and only result", async () => {
  const { post } = setup();
  const r = await post('{"jsonrpc":"2.0","method":"echo","params":[[1,"a"]],"id":7}');
  assert.equal(r.status, 200);
  assert.equal(r.headers.get("content-type"), "application/json");
  assert.equal(r.text, '{"jsonrpc":"2.0","result":[1,"a"],"id":7}\n');
});

Deno.test("2.0 error is HTTP 200 with only error, even for method not found", async () => {
  const { call } = setup();
  const r = await call({ jsonrpc: "2.0", method: "nope", id: "x" });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, {
    jsonrpc: "2.0",
    error: { code: -32601, message: "Method not found" },
    id: "x",
  });
  assert.ok(!("result" in r.json));
  const bad = await call({ jsonrpc: "2.0", method: "invalid", id: null });
  assert.equal(bad.status, 200);
  assert.deepEqual(bad.json.error, { code: -8, message: "Invalid parameter, bad thing" });
  assert.equal(bad.json.id, null);
});

Deno.test("2.0 notification without id runs the method and gets 204 with no body", async () => {
  const { call, state } = setup();
  const r = await call({ jsonrpc: "2.0", method: "bump" });
  assert.equal(r.status, 204);
  assert.equal(r.text, "");
  assert.equal(state.bumps, 1);
  const failing = await call({ jsonrpc: "2.0", method: "nope", params: [] });
  assert.equal(failing.status, 204);
  assert.equal(failing.text, "");
});

Deno.test("2.0 request that fails to parse gets Core's status by code in 2.0 shape", async () => {
  const { call } = setup();
  const r = await call({ jsonrpc: "2.0", id: 3 });
  assert.equal(r.status, 400);
  assert.deepEqual(r.json, {
    jsonrpc: "2.0",
    error: { code: -32600, message: "Missing method" },
    id: 3,
  });
});

// --- legacy 1.0 / 1.1 ---------------------------------------------------------------------

Deno.test("legacy request gets result and error both present", async () => {
  const { post } = setup();
  const r = await post('{"method":"echo","params":["hi"],"id":"a"}');
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"result":"hi","error":null,"id":"a"}\n');
  const v1 = await post('{"jsonrpc":"1.0","method":"echo","params":[true],"id":1}');
  assert.equal(v1.text, '{"result":true,"error":null,"id":1}\n');
});

Deno.test("legacy request without id is answered (not a notification) without an id key", async () => {
  const { post, state } = setup();
  const r = await post('{"method":"bump"}');
  assert.equal(r.status, 200);
  assert.equal(r.text, '{"result":1,"error":null}\n');
  assert.equal(state.bumps, 1);
});

Deno.test("legacy errors set HTTP status: -32600 → 400, -32601 → 404, others → 500", async () => {
  const { call } = setup();
  const cases: [unknown, number, number][] = [
    [{ id: 1 }, 400, -32600],
    [{ method: 5, id: 1 }, 400, -32600],
    [{ method: "echo", params: "x", id: 1 }, 400, -32600],
    [{ jsonrpc: "3.0", method: "echo", id: 1 }, 400, -32600],
    [{ jsonrpc: 2, method: "echo", id: 1 }, 400, -32600],
    [{ method: "nope", id: 1 }, 404, -32601],
    [{ method: "invalid", id: 1 }, 500, -8],
    [{ method: "greet", params: [1], id: 1 }, 500, -3],
    [{ method: "greet", params: [], id: 1 }, 500, -1],
    [{ method: "crash", id: 1 }, 500, -32603],
  ];
  for (const [request, status, code] of cases) {
    const r = await call(request);
    assert.equal(r.status, status, JSON.stringify(request));
    assert.equal(r.json.error.code, code, JSON.stringify(request));
    assert.equal(r.json.result, null);
    assert.ok("result" in r.json && !("jsonrpc" in r.json));
    assert.equal(r.json.id, 1);
  }
});

Deno.test("request-level messages match Core's", async () => {
  const { call } = setup();
  const messages: [unknown, string][] = [
    [{ id: 1 }, "Missing method"],
    [{ method: null, id: 1 }, "Missing method"],
    [{ method: [], id: 1 }, "Method must be a string"],
    [{ method: "echo", params: 1, id: 1 }, "Params must be an array or object"],
    [{ jsonrpc: "2.1", method: "echo", id: 1 }, "JSON-RPC version not supported"],
    [{ jsonrpc: true, method: "echo", id: 1 }, "jsonrpc field must be a string"],
  ];
  for (const [request, message] of messages) {
    assert.equal((await call(request)).json.error.message, message);
  }
});

// --- parse errors -------------------------------------------------------------------------

Deno.test("malformed JSON is -32700 Parse error, HTTP 500, legacy shape, no id", async () => {
  const { post } = setup();
  for (const body of ["{", "", "{'method':'x'}", "[1,]", "nul", '{"a":1} x']) {
    const r = await post(body);
    assert.equal(r.status, 500, body);
    assert.equal(r.text, '{"result":null,"error":{"code":-32700,"message":"Parse error"}}\n');
  }
});

Deno.test("a body neither object nor array is -32700 Top-level object parse error", async () => {
  const { post } = setup();
  for (const body of ["42", '"echo"', "null", "true"]) {
    const r = await post(body);
    assert.equal(r.status, 500, body);
    assert.deepEqual(JSON.parse(r.text).error, {
      code: -32700,
      message: "Top-level object parse error",
    });
  }
});

Deno.test("nesting deeper than 512 levels is a parse error; 512 is accepted", async () => {
  const { call, post } = setup();
  const nest = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  const ok = await post(`{"jsonrpc":"2.0","method":"echo","params":[${nest(510)}],"id":1}`);
  assert.equal(ok.status, 200);
  const deep = await post(`{"jsonrpc":"2.0","method":"echo","params":[${nest(511)}],"id":1}`);
  assert.equal(deep.status, 500);
  assert.equal(JSON.parse(deep.text).error.code, -32700);
  const r = await call({ method: "echo", params: ["[[[[ in a string ]]]]"], id: 1 });
  assert.equal(r.status, 200);
});

Deno.test("invalid UTF-8 in the body is a parse error", async () => {
  const { post } = setup();
  const bytes = new TextEncoder().encode('{"method":"echo","params":["x"],"id":1}');
  bytes[29] = 0xff;
  const r = await post(bytes);
  assert.equal(r.status, 500);
  assert.equal(JSON.parse(r.text).error.code, -32700);
});

// --- batches ------------------------------------------------------------------------------

Deno.test("batch replies in order, skips notifications, is always HTTP 200", async () => {
  const { call, state } = setup();
  const r = await call([
    { jsonrpc: "2.0", method: "echo", params: ["a"], id: 1 },
    { method: "echo", params: ["b"], id: 2 },
    { jsonrpc: "2.0", method: "bump" },
    5,
    { method: "nope", id: 3 },
    { jsonrpc: "2.0", method: "greet", params: [], id: 4 },
    { jsonrpc: "2.0", method: 7 },
  ]);
  assert.equal(r.status, 200);
  assert.equal(state.bumps, 1);
  assert.equal(r.json.length, 5);
  assert.deepEqual(r.json[0], { jsonrpc: "2.0", result: "a", id: 1 });
  assert.deepEqual(r.json[1], { result: "b", error: null, id: 2 });
  assert.deepEqual(r.json[2], {
    result: null,
    error: { code: -32600, message: "Invalid Request object" },
  });
  assert.deepEqual(r.json[3], {
    result: null,
    error: { code: -32601, message: "Method not found" },
    id: 3,
  });
  assert.equal(r.json[4].error.code, -1);
  assert.equal(r.json[4].id, 4);
});

Deno.test("batch of only notifications gets 204", async () => {
  const { call, state } = setup();
  const r = await call([{ jsonrpc: "2.0", method: "bump" }, { jsonrpc: "2.0", method: "bump" }]);
  assert.equal(r.status, 204);
  assert.equal(r.text, "");
  assert.equal(state.bumps, 2);
});

Deno.test("empty batch and oversized batch are -32600 with HTTP 400", async () => {
  const { call } = setup({ maxBatchSize: 3 });
  const empty = await call([]);
  assert.equal(empty.status, 400);
  assert.deepEqual(empty.json, {
    result: null,
    error: { code: -32600, message: "Empty batch" },
  });
  const three = await call(Array(3).fill({ method: "bump", id: 1 }));
  assert.equal(three.status, 200);
  const four = await call(Array(4).fill({ method: "bump", id: 1 }));
  assert.equal(four.status, 400);
  assert.equal(four.json.error.code, -32600);
});

// --- reply size limit --------------------------------------------------------------------

/** setup() plus `blob n [char]`, which returns a string of n copies of char (default "a"). */
function setupWithBlob(maxReplyBytes: number) {
  const t = setup({ maxReplyBytes });
  const calls: { n: number; bytesLeft: number | undefined }[] = [];
  t.registry.register({
    name: "blob",
    params: [
      { name: "n", type: "number", required: true, description: "Length" },
      { name: "char", type: "string", required: false, description: "Character" },
    ],
    help: "Returns a long string.",
    handler: ([n, char], context) => {
      calls.push({ n: n as number, bytesLeft: context.maxReplyBytes });
      return ((char as string | undefined) ?? "a").repeat(n as number);
    },
  });
  return { ...t, calls };
}

Deno.test("a single reply over the reply limit is -32001 and names the limit", async () => {
  const { call, calls } = setupWithBlob(1000);
  const fits = await call({ jsonrpc: "2.0", method: "blob", params: [900], id: 1 });
  assert.equal(fits.json.result.length, 900);
  const big = await call({ jsonrpc: "2.0", method: "blob", params: [2000], id: 2 });
  assert.equal(big.status, 200);
  assert.deepEqual(big.json, {
    jsonrpc: "2.0",
    error: {
      code: -32001,
      message: "Reply of 2036 bytes is over the limit of 1000 bytes per request",
    },
    id: 2,
  });
  const legacy = await call({ method: "blob", params: [2000], id: 3 });
  assert.equal(legacy.status, 500);
  assert.equal(legacy.json.error.code, -32001);
  assert.deepEqual(calls.map((c) => c.bytesLeft), [1000, 1000, 1000]);
});

Deno.test("the reply limit counts UTF-8 bytes, not characters", async () => {
  const { call } = setupWithBlob(1000);
  // 400 × "é" is 800 bytes of UTF-8 (+ 36 of envelope): fits; 500 × "é" is 1000: does not.
  const fits = await call({ jsonrpc: "2.0", method: "blob", params: [400, "é"], id: 1 });
  assert.equal(fits.json.result, "é".repeat(400));
  const over = await call({ jsonrpc: "2.0", method: "blob", params: [500, "é"], id: 1 });
  assert.equal(over.json.error.code, -32001);
  const emoji = await call({ jsonrpc: "2.0", method: "blob", params: [250, "😀"], id: 1 });
  assert.equal(emoji.json.error.code, -32001, "250 × 4 bytes + envelope is over 1000");
});

Deno.test("a batch stops running once its replies would pass the reply limit", async () => {
  const { call, calls, state } = setupWithBlob(1000);
  const r = await call([
    { jsonrpc: "2.0", method: "blob", params: [300], id: 1 },
    { jsonrpc: "2.0", method: "blob", params: [300], id: 2 },
    { jsonrpc: "2.0", method: "blob", params: [300], id: 3 },
    { jsonrpc: "2.0", method: "bump", id: 4 },
    { jsonrpc: "2.0", method: "blob", params: [1], id: 5 },
    { jsonrpc: "2.0", method: 7, id: 6 },
  ]);
  assert.equal(r.status, 200);
  assert.equal(r.json.length, 6);
  assert.equal(r.json[0].result.length, 300);
  assert.equal(r.json[1].result.length, 300);
  assert.deepEqual(r.json[2].error, {
    code: -32001,
    message: "Reply of 336 bytes would take the batch reply past its limit of 1000 bytes",
  });
  for (const i of [3, 4]) {
    assert.deepEqual(r.json[i].error, {
      code: -32001,
      message: "Not run: the batch reply reached its limit of 1000 bytes",
    });
    assert.equal(r.json[i].id, i + 1);
  }
  assert.equal(r.json[5].error.code, -32600, "a malformed request still gets its own error");
  assert.equal(state.bumps, 0, "requests after the limit are not run");
  // Each handler was told what was left: 1000 less the brackets, replies and commas so far.
  assert.deepEqual(calls.map((c) => c.bytesLeft), [997, 997 - 337, 997 - 674]);
  const resultBytes = r.json.slice(0, 2).reduce(
    (n: number, x: unknown) => n + JSON.stringify(x).length + 1,
    2,
  );
  assert.ok(resultBytes <= 1000);
});

Deno.test("a batch under the reply limit is answered whole", async () => {
  const { call } = setupWithBlob(1000);
  const r = await call(Array.from({ length: 5 }, (_, i) => ({
    jsonrpc: "2.0",
    method: "blob",
    params: [100],
    id: i,
  })));
  assert.deepEqual(r.json.map((x: { result: string }) => x.result.length), [
    100,
    100,
    100,
    100,
    100,
  ]);
  assert.ok(r.text.length <= 1001);
});

// --- parameters ---------------------------------------------------------------------------

Deno.test("named params map to positions; holes become null; optional absent → default", async () => {
  const { call } = setup();
  const ok = await call({ method: "greet", params: { name: "bob" }, id: 1 });
  assert.equal(ok.json.result, "hello bob");
  const hole = await call({ method: "greet", params: { name: "bob", times: 2 }, id: 1 });
  assert.equal(hole.json.result, "hello bob hello bob");
  const nulls = await call({ method: "greet", params: ["ann", null, null], id: 1 });
  assert.equal(nulls.json.result, "hello ann");
});

Deno.test("named params: 'args' supplies leading positions; conflicts and unknowns are -8", async () => {
  const { call, post } = setup();
  const mixed = await call({ method: "greet", params: { args: ["cy"], times: 2 }, id: 1 });
  assert.equal(mixed.json.result, "hello cy hello cy");
  const twice = await call({ method: "greet", params: { args: ["cy"], name: "x" }, id: 1 });
  assert.deepEqual(twice.json.error, {
    code: -8,
    message: "Parameter name specified twice both as positional and named argument",
  });
  const unknown = await call({ method: "greet", params: { name: "x", colour: "red" }, id: 1 });
  assert.deepEqual(unknown.json.error, { code: -8, message: "Unknown named parameter colour" });
  const proto = await post('{"method":"greet","params":{"name":"x","__proto__":1},"id":1}');
  assert.deepEqual(JSON.parse(proto.text).error, {
    code: -8,
    message: "Unknown named parameter __proto__",
  });
});

Deno.test("a missing required named param is a type error at its position", async () => {
  const { call } = setup();
  const r = await call({ method: "greet", params: { greeting: "hi" }, id: 1 });
  assert.equal(r.json.error.code, -3);
  assert.equal(
    r.json.error.message,
    'Wrong type passed:\n{\n    "Position 1 (name)": ' +
      '"JSON value of type null is not of expected type string"\n}',
  );
});

Deno.test("too many or too few arguments is -1 with the method's help text", async () => {
  const { call } = setup();
  for (const params of [[], ["a", "b", 1, "extra"]]) {
    const r = await call({ method: "greet", params, id: 1 });
    assert.equal(r.json.error.code, -1);
    assert.ok(r.json.error.message.startsWith('greet "name" ( "greeting" times )\n\nGreets'));
    assert.match(r.json.error.message, /1\. name\s+\(string, required\) Who/);
  }
});

Deno.test("wrong JSON types are -3 'Wrong type passed' listing every position", async () => {
  const { call } = setup();
  const r = await call({ method: "types", params: [1, "2", 0, [], {}], id: 1 });
  assert.equal(r.json.error.code, -3);
  assert.deepEqual(JSON.parse(r.json.error.message.replace("Wrong type passed:\n", "")), {
    "Position 1 (s)": "JSON value of type number is not of expected type string",
    "Position 2 (n)": "JSON value of type string is not of expected type number",
    "Position 3 (b)": "JSON value of type number is not of expected type bool",
    "Position 4 (o)": "JSON value of type array is not of expected type object",
    "Position 5 (a)": "JSON value of type object is not of expected type array",
  });
  const ok = await call({ method: "types", params: ["x", 2, true, {}, []], id: 1 });
  assert.deepEqual(ok.json.result, ["string", "number", "boolean", "object", "object"]);
});

// --- help, internals, results --------------------------------------------------------------

Deno.test("help lists methods by category, hides 'hidden', and explains one method", async () => {
  const { call } = setup();
  const all = (await call({ method: "help", id: 1 })).json.result as string;
  assert.ok(all.startsWith('== Control ==\nhelp ( "command" )\n\n== Util ==\n'));
  assert.match(all, /\ngreet "name" \( "greeting" times \)\n/);
  assert.ok(!all.includes("secret"));
  const one = (await call({ method: "help", params: ["greet"], id: 1 })).json.result as string;
  assert.match(one, /^greet "name" \( "greeting" times \)\n\nGreets someone\.\n\nArguments:\n/);
  assert.match(one, /2\. greeting\s+\(string, optional, default="hello"\) Word/);
  const hidden = (await call({ method: "help", params: ["secret"], id: 1 })).json.result;
  assert.match(hidden, /^secret\n\nNot listed\./);
  const unknown = (await call({ method: "help", params: ["nope"], id: 1 })).json.result;
  assert.equal(unknown, "help: unknown command: nope");
});

Deno.test("a handler's unexpected exception is -32603 with no details leaked", async () => {
  const { post, state } = setup();
  for (const body of ['{"method":"crash","id":1}', '{"jsonrpc":"2.0","method":"crash","id":1}']) {
    const r = await post(body);
    assert.ok(r.text.includes('"error":{"code":-32603,"message":"Internal error"}'));
    assert.ok(!r.text.includes("secret") && !r.text.includes("alice") && !r.text.includes(" at "));
  }
  assert.equal(state.internalErrors.length, 2);
  assert.match(String(state.internalErrors[0]), /secret/);
});

Deno.test("a result JSON cannot hold is -32603; bigint and jsonNumber are exact", async () => {
  const { post } = setup();
  const circular = await post('{"jsonrpc":"2.0","method":"circular","id":1}');
  assert.equal(JSON.parse(circular.text).error.code, -32603);
  const exact = await post('{"jsonrpc":"2.0","method":"amounts","id":1}');
  assert.equal(
    exact.text,
    '{"jsonrpc":"2.0","result":{"sats":18446744073709551616,"amount":0.00100000},"id":1}\n',
  );
});

Deno.test("while warming up every call is -28 with the status message", async () => {
  const { call, registry } = setup();
  registry.setWarmup("Loading block index…");
  const r = await call({ jsonrpc: "2.0", method: "echo", params: [1], id: 1 });
  assert.deepEqual(r.json.error, { code: -28, message: "Loading block index…" });
  registry.setWarmup(null);
  assert.equal((await call({ jsonrpc: "2.0", method: "echo", params: [1], id: 1 })).json.result, 1);
});

// --- HTTP: paths, methods, auth, size -----------------------------------------------------

Deno.test("only POST is served (405), only / and /wallet/<name> exist (404)", async () => {
  const { app, post } = setup();
  const get = await app.request("/", { headers: { authorization: AUTH } });
  assert.equal(get.status, 405);
  assert.equal(await get.text(), "JSONRPC server handles only POST requests\n");
  const other = await post('{"method":"echo","params":[1],"id":1}', "/rest");
  assert.equal(other.status, 404);
});

Deno.test("/wallet/<name> passes the decoded wallet name to handlers", async () => {
  const { post, state } = setup();
  const r = await post('{"jsonrpc":"2.0","method":"whoami","id":1}', "/wallet/my%20wallet");
  assert.deepEqual(JSON.parse(r.text).result, { user: "__cookie__", wallet: "my wallet" });
  assert.equal(state.lastContext?.walletName, "my wallet");
  const root = await post('{"jsonrpc":"2.0","method":"whoami","id":1}');
  assert.deepEqual(JSON.parse(root.text).result, { user: "__cookie__", wallet: null });
  const { post: postNoWallet } = setup({ walletEndpoints: false });
  assert.equal((await postNoWallet("{}", "/wallet/w")).status, 404);
});

Deno.test("no credentials → 401 at once with WWW-Authenticate", async () => {
  const { app } = setup();
  const t0 = performance.now();
  const res = await app.request("/", { method: "POST", body: '{"method":"bump"}' });
  const elapsed = performance.now() - t0;
  assert.equal(res.status, 401);
  assert.equal(res.headers.get("www-authenticate"), WWW_AUTHENTICATE);
  assert.equal(await res.text(), "");
  assert.ok(elapsed < 200, `took ${elapsed} ms`);
});

Deno.test("wrong credentials → 250 ms wait, then 401 with WWW-Authenticate", async () => {
  const { app, state } = setup();
  const bad = [
    "Basic " + btoa("__cookie__:0123abce"),
    "Basic " + btoa("__cookie__"),
    "Basic !!!notbase64",
    "Bearer " + btoa(USER_PASS),
    "basic " + btoa(USER_PASS),
  ];
  for (const authorization of bad) {
    const t0 = performance.now();
    const res = await app.request("/", {
      method: "POST",
      headers: { authorization },
      body: '{"method":"bump"}',
    });
    const elapsed = performance.now() - t0;
    assert.equal(res.status, 401, authorization);
    assert.equal(res.headers.get("www-authenticate"), 'Basic realm="jsonrpc"');
    await res.body?.cancel();
    assert.ok(elapsed >= 245, `answered after ${elapsed} ms`);
  }
  assert.equal(state.bumps, 0);
});

Deno.test("concurrent failed logins are served one at a time", async () => {
  const { app } = setup({ failedAuthDelayMs: 40 });
  const t0 = performance.now();
  const replies = await Promise.all(
    Array.from({ length: 5 }, () =>
      app.request("/", {
        method: "POST",
        headers: { authorization: "Basic " + btoa("x:y") },
        body: "{}",
      })),
  );
  assert.deepEqual(replies.map((r) => r.status), [401, 401, 401, 401, 401]);
  assert.ok(performance.now() - t0 >= 195);
});

Deno.test("rpcauth credentials log in with their user name", async () => {
  const { registry } = testRegistry();
  // rpcauth line for alice / password "pw", salt "00112233445566778899aabbccddeeff"
  const salt = "00112233445566778899aabbccddeeff";
  const { createHmac } = await import("node:crypto");
  const hash = createHmac("sha256", salt).update("pw").digest("hex");
  const app = createRpcApp(registry, new RpcAuthenticator({ rpcauth: [`alice:${salt}$${hash}`] }));
  const res = await app.request("/", {
    method: "POST",
    headers: { authorization: "Basic " + btoa("alice:pw") },
    body: '{"jsonrpc":"2.0","method":"whoami","id":1}',
  });
  assert.deepEqual((await res.json()).result, { user: "alice", wallet: null });
});

Deno.test("body size limit: at the limit is served, one byte over is 413", async () => {
  const { post } = setup({ maxBodyBytes: 64 });
  const body = (n: number) => {
    const base = '{"method":"echo","params":[""],"id":1}';
    return base.replace('""', `"${"x".repeat(n - base.length)}"`);
  };
  assert.equal(body(64).length, 64);
  assert.equal((await post(body(64))).status, 200);
  assert.equal((await post(body(65))).status, 413);
});

Deno.test("body size limit stops reading a streamed body with no Content-Length", async () => {
  const { app } = setup({ maxBodyBytes: 1000 });
  let pulled = 0;
  const endless = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled += 100;
      controller.enqueue(new Uint8Array(100).fill(0x20));
    },
  });
  const res = await app.request("/", {
    method: "POST",
    headers: { authorization: AUTH },
    body: endless,
    // @ts-ignore: needed by fetch for a stream body
    duplex: "half",
  });
  assert.equal(res.status, 413);
  await res.body?.cancel();
  assert.ok(pulled <= 1300, `read ${pulled} bytes`);
});

Deno.test("a declared Content-Length over the limit is refused before reading", async () => {
  const { app } = setup({ maxBodyBytes: 10 });
  let pulled = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled++;
      controller.enqueue(new Uint8Array(5));
    },
  });
  const req = new Request("http://localhost/", {
    method: "POST",
    headers: { authorization: AUTH, "content-length": "100000" },
    body: stream,
    // @ts-ignore: needed by fetch for a stream body
    duplex: "half",
  });
  const res = await app.request(req);
  assert.equal(res.status, 413);
  await res.body?.cancel();
  await stream.cancel().catch(() => {});
  assert.ok(pulled <= 1, `pulled ${pulled} chunks`);
});

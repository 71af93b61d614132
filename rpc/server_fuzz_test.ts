import assert from "node:assert/strict";
import { mulberry32 } from "../core/util/mulberry32.ts";
import { RpcAuthenticator } from "./auth.ts";
import { createRpcApp } from "./server.ts";
import { testRegistry } from "./_test_registry.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** A seeded PRNG (mulberry32), so every failure replays. */
function rng(seed: number) {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;
  return { next, int, pick };
}
type Rng = ReturnType<typeof rng>;

const METHODS = [
  "echo",
  "bump",
  "greet",
  "types",
  "whoami",
  "invalid",
  "crash",
  "circular",
  "amounts",
  "help",
  "secret",
  "nope",
  "",
  "__proto__",
  "constructor",
  "toString",
];
const KEYS = ["jsonrpc", "method", "params", "id", "args", "name", "times", "value", "__proto__"];
const STRINGS = ["", "2.0", "1.0", "a", "\u0000", "\ud800", "é", "[[", "0", "greet", "\\"];

function randomValue(r: Rng, depth: number): unknown {
  switch (r.int(depth > 3 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return r.next() < 0.5;
    case 2:
      return r.pick([0, -1, 1.5, 1e308, -0, 2 ** 53 + 1, 7]);
    case 3:
      return r.pick(STRINGS);
    case 4:
      return r.pick(METHODS);
    case 5:
      return Array.from({ length: r.int(4) }, () => randomValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = r.int(4); i > 0; i--) o[r.pick(KEYS)] = randomValue(r, depth + 1);
      return o;
    }
  }
}

function randomRequest(r: Rng): Record<string, unknown> {
  const request: Record<string, unknown> = {};
  if (r.next() < 0.8) request.jsonrpc = r.pick(["2.0", "2.0", "1.0", "3", 2, null, true]);
  if (r.next() < 0.9) request.method = r.next() < 0.9 ? r.pick(METHODS) : randomValue(r, 2);
  if (r.next() < 0.8) {
    request.params = r.next() < 0.7
      ? Array.from({ length: r.int(5) }, () => randomValue(r, 1))
      : randomValue(r, 1);
  }
  if (r.next() < 0.7) request.id = randomValue(r, 2);
  if (r.next() < 0.1) request[r.pick(KEYS)] = randomValue(r, 1);
  return request;
}

function mutate(r: Rng, text: string): string {
  let s = text;
  for (let n = 1 + r.int(3); n > 0; n--) {
    const at = r.int(s.length + 1);
    switch (r.int(4)) {
      case 0:
        s = s.slice(0, at) + s.slice(at + 1);
        break;
      case 1:
        s = s.slice(0, at) + r.pick(["{", "}", "[", "]", '"', ",", ":", "\\", "0", " ", "-"]) +
          s.slice(at);
        break;
      case 2:
        s = s.slice(0, at);
        break;
      default:
        s = s.slice(0, at) + s.slice(r.int(s.length)) + s.slice(at);
    }
  }
  return s;
}

function randomBody(r: Rng): string | Uint8Array<ArrayBuffer> {
  switch (r.int(5)) {
    case 0:
      return Uint8Array.from({ length: r.int(48) }, () => r.int(256));
    case 1:
      return JSON.stringify(randomValue(r, 0));
    case 2:
      return mutate(r, JSON.stringify(randomRequest(r)));
    case 3:
      return JSON.stringify(Array.from({ length: r.int(5) }, () => randomRequest(r)));
    default:
      return JSON.stringify(randomRequest(r));
  }
}

const DOCUMENTED_CODES = new Set([-32700, -32600, -32601, -32603, -1, -3, -8]);
const REPLY_KEYS = new Set(["jsonrpc", "result", "error", "id"]);

function checkReplyObject(reply: unknown, context: string): number | null {
  assert.ok(typeof reply === "object" && reply !== null && !Array.isArray(reply), context);
  const o = reply as Record<string, unknown>;
  for (const key of Object.keys(o)) assert.ok(REPLY_KEYS.has(key), `${context}: key ${key}`);
  if (o.jsonrpc !== undefined) {
    assert.equal(o.jsonrpc, "2.0", context);
    assert.ok(("result" in o) !== ("error" in o), `${context}: 2.0 has exactly one`);
  } else {
    assert.ok("result" in o && "error" in o, `${context}: legacy has both`);
  }
  if (o.error === undefined || o.error === null) return null;
  const error = o.error as { code: unknown; message: unknown };
  assert.deepEqual(Object.keys(error), ["code", "message"], context);
  assert.ok(typeof error.code === "number" && DOCUMENTED_CODES.has(error.code), context);
  assert.equal(typeof error.message, "string", context);
  assert.ok(!/\n\s+at /.test(error.message as string), `${context}: stack leaked`);
  if (error.code === -32603) assert.equal(error.message, "Internal error", context);
  if (!("jsonrpc" in o)) assert.equal(o.result, null, context);
  return error.code;
}

Deno.test("seeded fuzz: random bodies get only documented replies and never crash", async () => {
  const { registry } = testRegistry();
  const internal: string[] = [];
  const auth = "Basic " + btoa("u:p");
  const app = createRpcApp(registry, new RpcAuthenticator({ userPass: ["u:p"] }), {
    maxBodyBytes: 4096,
    onInternalError: (_e, method) => internal.push(method),
  });
  const r = rng(0x5eed_2026);
  const counts: Record<number, number> = {};
  for (let i = 0; i < 10_000; i++) {
    const body = randomBody(r);
    const path = r.next() < 0.9 ? "/" : "/wallet/w";
    const res = await app.request(path, {
      method: "POST",
      headers: { authorization: auth },
      body,
    });
    const text = await res.text();
    const context = `case ${i}: ${typeof body === "string" ? body : `bytes ${body}`}`;
    counts[res.status] = (counts[res.status] ?? 0) + 1;
    assert.ok([200, 204, 400, 404, 500].includes(res.status), `${context}: ${res.status}`);
    if (res.status === 204) {
      assert.equal(text, "", context);
      continue;
    }
    assert.equal(res.headers.get("content-type"), "application/json", context);
    assert.ok(text.endsWith("\n"), context);
    const reply = JSON.parse(text);
    if (Array.isArray(reply)) {
      assert.equal(res.status, 200, context);
      reply.forEach((item, j) => checkReplyObject(item, `${context} [${j}]`));
      continue;
    }
    const code = checkReplyObject(reply, context);
    if (res.status === 200) continue;
    assert.notEqual(code, null, `${context}: HTTP ${res.status} without an error`);
    const expected = code === -32600 ? 400 : code === -32601 ? 404 : 500;
    assert.equal(res.status, expected, context);
  }
  assert.ok(internal.every((m) => m === "crash" || m === "circular"), internal.join());
  assert.ok((counts[200] ?? 0) > 300 && (counts[500] ?? 0) > 100 && (counts[400] ?? 0) > 100);
  const alive = await app.request("/", {
    method: "POST",
    headers: { authorization: auth },
    body: '{"jsonrpc":"2.0","method":"echo","params":["still here"],"id":1}',
  });
  assert.equal((await alive.json()).result, "still here");
});

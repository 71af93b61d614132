import assert from "node:assert/strict";
import { RpcError } from "../core/errors.ts";
import {
  checkParams,
  executeRpc,
  handleJsonRpc,
  toPositionalParams,
  utf8ByteLength,
} from "./json_rpc.ts";
import type { RpcMethod } from "./method.ts";
import { testRegistry } from "./_test_registry.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const method: RpcMethod = {
  name: "m",
  params: ["a", "b", "c", "d"].map((name, i) => ({
    name,
    type: "any" as const,
    required: i === 0,
    description: "",
  })),
  help: "",
  handler: () => null,
};

const ctx = { authUser: "u", walletName: undefined };

Deno.test("toPositionalParams() fills holes with null but adds none at the end", () => {
  assert.deepEqual(toPositionalParams(method, { c: 3 }), [null, null, 3]);
  assert.deepEqual(toPositionalParams(method, { a: 1, d: 4 }), [1, null, null, 4]);
  assert.deepEqual(toPositionalParams(method, { a: 1 }), [1]);
  assert.deepEqual(toPositionalParams(method, {}), []);
  assert.deepEqual(toPositionalParams(method, [9, 8]), [9, 8]);
});

Deno.test("toPositionalParams() puts 'args' first and named values after them", () => {
  assert.deepEqual(toPositionalParams(method, { args: [1, 2], d: 4 }), [1, 2, null, 4]);
  assert.deepEqual(toPositionalParams(method, { args: [1, 2, 3, 4, 5] }), [1, 2, 3, 4, 5]);
  // A non-array 'args' is dropped, as Core does.
  assert.deepEqual(toPositionalParams(method, { args: 5, a: 1 }), [1]);
  assert.throws(
    () => toPositionalParams(method, { args: [1, 2], b: 2 }),
    (e) =>
      e instanceof RpcError && e.rpcCode === -8 && /Parameter b specified twice/.test(e.message),
  );
});

Deno.test("checkParams() counts up to the last required parameter", () => {
  const m: RpcMethod = {
    ...method,
    params: [
      { name: "a", type: "any", required: false, description: "" },
      { name: "b", type: "number", required: true, description: "" },
    ],
  };
  assert.throws(() => checkParams(m, [1]), (e) => e instanceof RpcError && e.rpcCode === -1);
  assert.deepEqual(checkParams(m, [null, 2]), [undefined, 2]);
  assert.throws(() => checkParams(m, [1, null]), (e) => e instanceof RpcError && e.rpcCode === -3);
});

Deno.test("checkParams() accepts a number or a string for 'amount'", () => {
  const m: RpcMethod = {
    ...method,
    params: [{ name: "x", type: "amount", required: true, description: "" }],
  };
  assert.deepEqual(checkParams(m, ["0.1"]), ["0.1"]);
  assert.deepEqual(checkParams(m, [0.1]), [0.1]);
});

Deno.test("executeRpc() runs a call in-process and rejects only with RpcError", async () => {
  const { registry } = testRegistry();
  assert.equal(await executeRpc(registry, "greet", { name: "z" }, ctx), "hello z");
  await assert.rejects(
    executeRpc(registry, "crash", [], ctx),
    (e) => e instanceof RpcError && e.rpcCode === -32603 && e.message === "Internal error",
  );
  await assert.rejects(
    executeRpc(registry, "toString", [], ctx),
    (e) => e instanceof RpcError && e.rpcCode === -32601,
  );
});

Deno.test("handleJsonRpc() never throws, even for an id JSON cannot nest deeper", async () => {
  const { registry } = testRegistry();
  const id = "[".repeat(400) + "]".repeat(400);
  const reply = await handleJsonRpc(registry, `{"method":"bump","id":${id}}`, ctx);
  assert.equal(reply.status, 200);
  assert.equal(reply.body, `{"result":1,"error":null,"id":${id}}\n`);
});

Deno.test("utf8ByteLength() matches TextEncoder on JSON text of every width", () => {
  const samples = ["", "abc", "é", "€", "😀", "a\u0000b", "ÿ", "\u07ff\u0800", "x".repeat(1000)];
  for (const value of samples) {
    const text = JSON.stringify({ value, mixed: value + "é😀€" });
    assert.equal(utf8ByteLength(text), new TextEncoder().encode(text).length, text);
  }
  // A lone surrogate is escaped by JSON.stringify, so it is 6 ASCII bytes.
  assert.equal(utf8ByteLength(JSON.stringify("\ud800")), 8);
});

import assert from "node:assert/strict";
import { formatMethodHelp, formatUsageLine, type RpcMethod } from "./method.ts";
import { RpcRegistry } from "./registry.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const noop = () => null;

Deno.test("RpcRegistry.register() rejects duplicates and malformed names", () => {
  const registry = new RpcRegistry();
  registry.register({ name: "a", params: [], help: "", handler: noop });
  assert.throws(() => registry.register({ name: "a", params: [], help: "", handler: noop }));
  assert.throws(() => registry.register({ name: "help", params: [], help: "", handler: noop }));
  assert.throws(() => registry.register({ name: "a b", params: [], help: "", handler: noop }));
  const p = { type: "any" as const, required: true, description: "" };
  assert.throws(() =>
    registry.register({
      name: "b",
      params: [{ name: "x", ...p }, { name: "x", ...p }],
      help: "",
      handler: noop,
    }), TypeError);
  assert.throws(
    () =>
      registry.register({ name: "c", params: [{ name: "args", ...p }], help: "", handler: noop }),
    TypeError,
  );
});

Deno.test("RpcRegistry without help has no help method; lookups are exact", () => {
  const registry = new RpcRegistry({ help: false });
  assert.equal(registry.has("help"), false);
  assert.equal(registry.get("__proto__"), undefined);
  assert.equal(registry.get("constructor"), undefined);
  assert.equal(registry.helpText(), "");
});

Deno.test("formatUsageLine() quotes strings and brackets the optional tail", () => {
  const method: Pick<RpcMethod, "name" | "params"> = {
    name: "getblock",
    params: [
      { name: "blockhash", type: "hex", required: true, description: "" },
      { name: "verbosity", type: "number", required: false, description: "" },
    ],
  };
  assert.equal(formatUsageLine(method), 'getblock "blockhash" ( verbosity )');
  assert.equal(formatUsageLine({ name: "x", params: [] }), "x");
});

Deno.test("formatMethodHelp() lists arguments with type, required flag and default", () => {
  const text = formatMethodHelp({
    name: "getblock",
    params: [
      { name: "blockhash", type: "hex", required: true, description: "The block hash" },
      {
        name: "verbosity",
        type: "number",
        required: false,
        description: "0, 1 or 2",
        defaultHint: "1",
      },
    ],
    help: "Returns a block.",
    result: "{...}",
    examples: "> rnt cli getblock 00ab",
    handler: noop,
  });
  assert.equal(
    text,
    [
      'getblock "blockhash" ( verbosity )',
      "",
      "Returns a block.",
      "",
      "Arguments:",
      "1. blockhash    (string, required) The block hash",
      "2. verbosity    (numeric, optional, default=1) 0, 1 or 2",
      "",
      "Result:",
      "{...}",
      "",
      "Examples:",
      "> rnt cli getblock 00ab",
    ].join("\n"),
  );
});

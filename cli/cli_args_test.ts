import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { cliArgToJson, parseCliArgs } from "./cli_args.ts";
import { stringifyJson } from "../rpc/json_text.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("parseCliArgs() parses numbers, booleans, null, objects and arrays as JSON", () => {
  assert.deepEqual(parseCliArgs(["1", "-2.5", "true", "false", "null", '{"a":[1]}', "[]"]), [
    1,
    -2.5,
    true,
    false,
    null,
    { a: [1] },
    [],
  ]);
});

Deno.test("parseCliArgs() sends everything else as a string", () => {
  assert.deepEqual(parseCliArgs(["abc", "0123", "1.", "{bad", "", " ", "True", "rrnt1qx"]), [
    "abc",
    "0123",
    "1.",
    "{bad",
    "",
    " ",
    "True",
    "rrnt1qx",
  ]);
  assert.deepEqual(parseCliArgs(['"123"']), ["123"]);
});

Deno.test("parseCliArgs() keeps the exact digits of amounts and big integers", () => {
  const params = parseCliArgs(["0.00100000", "18446744073709551617"]);
  assert.equal(stringifyJson(params), "[0.00100000,18446744073709551617]");
});

Deno.test("parseCliArgs() never JSON-parses a parameter declared as string", () => {
  const params = [
    { name: "label", type: "string" as const },
    { name: "count", type: "number" as const },
  ];
  assert.deepEqual(parseCliArgs(["123", "5"], { params }), ["123", 5]);
  assert.deepEqual(parseCliArgs(["true", "x"], { params }), ["true", "x"]);
  assert.equal(cliArgToJson("00ff", "hex"), "00ff");
});

Deno.test("parseCliArgs() named mode: key=value pairs, later wins, positionals go to args", () => {
  assert.deepEqual(
    parseCliArgs(["verbosity=2", "blockhash=00ab", "verbosity=1", "x", "7", "a=b=c"], {
      named: true,
    }),
    { verbosity: 1, blockhash: "00ab", a: "b=c", args: ["x", 7] },
  );
  const named = parseCliArgs(["__proto__=1"], { named: true }) as Record<string, unknown>;
  assert.deepEqual(Object.keys(named), ["__proto__"]);
  assert.deepEqual(
    parseCliArgs(["label=42"], { named: true, params: [{ name: "label", type: "string" }] }),
    { label: "42" },
  );
});

Deno.test("parseCliArgs() named mode rejects an empty name and args given twice", () => {
  assert.throws(() => parseCliArgs(["=1"], { named: true }), UsageError);
  assert.throws(() => parseCliArgs(["args=[1]", "2"], { named: true }), UsageError);
});

import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import {
  type CommandSpec,
  formatHelp,
  intFlag,
  networkFlag,
  numberFlag,
  parseCommandArgs,
  runCommandTree,
} from "./command.ts";

const spec: CommandSpec = {
  name: "train",
  summary: "train a model",
  usage: "train --steps N",
  options: {
    steps: { type: "string", valueName: "N", description: "steps" },
    json: { type: "boolean", description: "json" },
    regtest: { type: "boolean", description: "regtest" },
    testnet: { type: "boolean", description: "testnet" },
  },
  run: (args, ctx) => {
    ctx.out(`steps=${intFlag(args, "steps", 10, 1, 100)}`);
    return 0;
  },
};

Deno.test("parseCommandArgs() rejects unknown flags with a UsageError naming the flag", () => {
  assert.throws(() => parseCommandArgs(spec, ["--stepz", "3"]), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /unknown option '--stepz'/);
    return true;
  });
});

Deno.test("parseCommandArgs() rejects stray positionals unless the command takes them", () => {
  assert.throws(() => parseCommandArgs(spec, ["extra"]), UsageError);
  const r = parseCommandArgs({ ...spec, positionals: true }, ["a", "--json", "b"]);
  assert.deepEqual(r.positionals, ["a", "b"]);
  assert.equal(r.values.json, true);
});

Deno.test("intFlag() and numberFlag() validate their values and ranges", () => {
  const args = parseCommandArgs(spec, ["--steps", "abc"]);
  assert.throws(() => intFlag(args, "steps", 1), /must be an integer/);
  assert.throws(
    () => intFlag(parseCommandArgs(spec, ["--steps=500"]), "steps", 1, 1, 100),
    /between/,
  );
  assert.equal(intFlag(parseCommandArgs(spec, []), "steps", 7), 7);
  assert.equal(numberFlag(parseCommandArgs(spec, ["--steps", "0.5"]), "steps", 1), 0.5);
  assert.throws(() => numberFlag(parseCommandArgs(spec, ["--steps", "NaN"]), "steps", 1));
});

Deno.test("networkFlag() picks the network and refuses two at once", () => {
  assert.equal(networkFlag(parseCommandArgs(spec, [])), "mainnet");
  assert.equal(networkFlag(parseCommandArgs(spec, ["--regtest"])), "regtest");
  assert.throws(() => networkFlag(parseCommandArgs(spec, ["--regtest", "--testnet"])), UsageError);
});

Deno.test("formatHelp() shows usage and every option with its value name", () => {
  const text = formatHelp(spec, ["model", "train"]);
  assert.match(text, /^rnt model train — train a model/);
  assert.match(text, /--steps N/);
  assert.match(text, /-h, --help/);
});

Deno.test("runCommandTree() returns 2 and prints usage for a usage error raised by the command", async () => {
  const out: string[] = [], err: string[] = [];
  const root: CommandSpec = { name: "rnt", summary: "", usage: "", subcommands: [spec] };
  const ctx = { out: (l: string) => out.push(l), err: (l: string) => err.push(l) };
  assert.equal(await runCommandTree(root, ["train", "--steps", "0"], ctx), 2);
  assert.match(err.join("\n"), /--steps must be between 1 and 100/);
  assert.match(err.join("\n"), /usage: rnt train --steps N/);
  assert.equal(await runCommandTree(root, ["train", "--steps", "5"], ctx), 0);
  assert.deepEqual(out, ["steps=5"]);
});

Deno.test("runCommandTree() reports a failing command's error without a stack, exit code 1", async () => {
  const err: string[] = [];
  const failing: CommandSpec = {
    name: "eval",
    summary: "",
    usage: "eval",
    run: () => {
      throw new Error("cannot read checkpoint x.rnet");
    },
  };
  const root: CommandSpec = { name: "rnt", summary: "", usage: "", subcommands: [failing] };
  const code = await runCommandTree(root, ["eval"], { out: () => {}, err: (l) => err.push(l) });
  assert.equal(code, 1);
  assert.deepEqual(err, ["error: cannot read checkpoint x.rnet"]);
});

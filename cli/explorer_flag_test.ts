import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { type CommandSpec, formatHelp, parseCommandArgs } from "./command.ts";
import { EXPLORER_OPTION, explorerFlag } from "./explorer_flag.ts";

const NODE: CommandSpec = {
  name: "node",
  summary: "test",
  usage: "node",
  options: { ...EXPLORER_OPTION, regtest: { type: "boolean", description: "" } },
};

Deno.test("explorerFlag() reads a bare --explorer as the network's default port and --explorer=PORT as PORT", () => {
  const at = (argv: string[]) => explorerFlag(parseCommandArgs(NODE, argv), "regtest");
  assert.equal(at([]), undefined);
  assert.deepEqual(at(["--explorer"]), { port: 29556 });
  assert.deepEqual(at(["--explorer", "--regtest"]), { port: 29556 });
  assert.deepEqual(at(["--regtest", "--explorer"]), { port: 29556 });
  assert.deepEqual(at(["--explorer=8080"]), { port: 8080 });
  assert.deepEqual(at(["--explorer=0"]), { port: 0 });
  assert.deepEqual(explorerFlag(parseCommandArgs(NODE, ["--explorer"]), "testnet"), {
    port: 19556,
  });
});

Deno.test("explorerFlag() rejects values that are not ports, and a bare --explorer never takes the next argument", () => {
  for (const v of ["x", "65536", "-1", "80.5"]) {
    assert.throws(
      () => explorerFlag(parseCommandArgs(NODE, [`--explorer=${v}`]), "regtest"),
      (e) => e instanceof UsageError && /--explorer must be a port number/.test(e.message),
    );
  }
  assert.throws(
    () => parseCommandArgs(NODE, ["--explorer", "8080"]),
    (e) => e instanceof UsageError && /unexpected argument '8080'/.test(e.message),
  );
});

Deno.test("formatHelp() shows an optional value as --explorer[=PORT]", () => {
  assert.match(formatHelp(NODE, ["node"]), /--explorer\[=PORT\]/);
});

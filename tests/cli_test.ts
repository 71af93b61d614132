import assert from "node:assert/strict";
import { ROOT_COMMAND } from "../main.ts";
import { runRnt } from "./helpers.ts";

Deno.test("rnt --help lists every command", async () => {
  const r = await runRnt(["--help"]);
  assert.equal(r.code, 0, r.stderr);
  for (const name of ["node", "cli", "mine", "wallet", "key", "model", "ln"]) {
    assert.match(r.stdout, new RegExp(`^  ${name} `, "m"), `missing ${name} in help`);
  }
});

Deno.test("rnt --version prints the version from deno.json", async () => {
  const denoJson = JSON.parse(await Deno.readTextFile(new URL("../deno.json", import.meta.url)));
  const r = await runRnt(["--version"]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout.trim(), `rnt ${denoJson.version}`);
});

Deno.test("an unknown command prints an error and the usage, exit code 2", async () => {
  const r = await runRnt(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown command 'frobnicate'/);
  assert.match(r.stderr, /usage: rnt/);
  assert.equal(r.stdout, "");
});

Deno.test("an unknown flag prints an error and the command's usage, exit code 2", async () => {
  const r = await runRnt(["node", "--no-such-flag"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--no-such-flag'/);
  assert.match(r.stderr, /usage: rnt node/);
});

Deno.test("no command at all is a usage error", async () => {
  const r = await runRnt([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /usage: rnt COMMAND/);
});

Deno.test("every command and sub-command answers --help with its usage", async () => {
  const paths: string[][] = [];
  const walk = (spec: typeof ROOT_COMMAND, path: string[]) => {
    for (const sub of spec.subcommands ?? []) {
      paths.push([...path, sub.name]);
      walk(sub, [...path, sub.name]);
    }
  };
  walk(ROOT_COMMAND, []);
  // One process per command path would be slow; main() is the same code path the binary runs.
  const { main } = await import("../main.ts");
  for (const path of paths) {
    const lines: string[] = [];
    const log = console.log;
    console.log = (line: string) => lines.push(line);
    let code: number;
    try {
      code = await main([...path, "--help"]);
    } finally {
      console.log = log;
    }
    assert.equal(code, 0, path.join(" "));
    const text = lines.join("\n");
    assert.match(text, new RegExp(`^rnt ${path.join(" ")} — `), path.join(" "));
    assert.match(text, /Usage:/);
    assert.match(text, /--help/);
    // Every usage line names a command: no "rnt" followed by a bare continuation.
    assert.doesNotMatch(text, /^ {2}rnt \s/m, `${path.join(" ")}: broken usage line`);
  }
});

Deno.test("every command that prints results accepts --json", () => {
  const resultCommands = [
    ["key", "new"],
    ["mine"],
    ["wallet", "balance"],
    ["model", "info"],
    ["ln", "decode"],
    ["ln", "invoice"],
    ["ln", "info"],
    ["ln", "connect"],
    ["ln", "open"],
    ["ln", "addinvoice"],
    ["ln", "pay"],
    ["ln", "channels"],
    ["ln", "graph"],
    ["ln", "close"],
    ["ln", "forceclose"],
    ["ln", "backup"],
    ["ln", "restore"],
  ];
  for (const path of resultCommands) {
    let spec = ROOT_COMMAND;
    for (const name of path) spec = spec.subcommands!.find((s) => s.name === name)!;
    assert.ok(spec.options?.json, `${path.join(" ")} lacks --json`);
  }
});

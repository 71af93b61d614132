import assert from "node:assert/strict";
import type { CommandSpec, ParsedArgs } from "./command.ts";
import { applyConfigFile, parseConfigFile } from "./config_file.ts";

Deno.test("parseConfigFile reads key=value, bare keys, comments and network sections", () => {
  const conf = parseConfigFile(
    "# top\nrpcuser = ann\nlisten\n\n[test]\naddnode=a:1 # x\n[regtest]\naddnode=b:2\naddnode=c:3\n",
    "f",
  );
  assert.deepEqual(conf.top.map((e) => [e.key, e.value]), [["rpcuser", "ann"], ["listen", "1"]]);
  assert.deepEqual(conf.sections.testnet.map((e) => e.value), ["a:1"]);
  assert.deepEqual(conf.sections.regtest.map((e) => e.value), ["b:2", "c:3"]);
  assert.throws(() => parseConfigFile("ok=1\n=x\n", "f"), /f line 2: expected key=value/);
  assert.throws(() => parseConfigFile("[moon]\n", "f"), /unknown section '\[moon\]'/);
});

Deno.test("applyConfigFile fills unset flags, section first; the command line wins", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/rnt.conf`,
      "regtest=1\nrpcport=1\nmine=1\naddnode=x:1\nwhat=2\n[regtest]\nrpcport=2\naddnode=y:2\n",
    );
    const spec: CommandSpec = {
      name: "node",
      summary: "",
      usage: "",
      options: {
        regtest: { type: "boolean", description: "" },
        datadir: { type: "string", description: "" },
        rpcport: { type: "string", description: "" },
        mine: { type: "boolean", description: "" },
        addnode: { type: "string", multiple: true, description: "" },
      },
    };
    const args: ParsedArgs = { values: { datadir: dir }, positionals: [] };
    const known = new Set(["regtest", "datadir", "rpcport", "mine", "addnode"]);
    const warnings = await applyConfigFile(spec, args, known);
    assert.deepEqual(warnings, [`${dir}/rnt.conf line 5: unknown setting 'what' ignored`]);
    assert.equal(args.values.regtest, true);
    assert.equal(args.values.rpcport, "2");
    assert.equal(args.values.mine, true);
    assert.deepEqual(args.values.addnode, ["y:2", "x:1"]);
    const flagged: ParsedArgs = { values: { datadir: dir, rpcport: "9" }, positionals: [] };
    await applyConfigFile(spec, flagged, known);
    assert.equal(flagged.values.rpcport, "9");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * `rnt cli` end to end against a real RPC server on 127.0.0.1: cookie from the datadir, output
 * formatting, RPC errors, credentials errors and a node that is not running.
 */
import assert from "node:assert/strict";
import { RpcError, UsageError } from "../core/errors.ts";
import { RpcAuthenticator, writeAuthCookie } from "../rpc/auth.ts";
import { resolveCliEndpoint, runCliCommand, runCliParsed } from "../cli/cli_command.ts";
import { jsonNumber } from "../rpc/json_text.ts";
import { RpcRegistry } from "../rpc/registry.ts";
import { createRpcApp, startRpcServer } from "../rpc/server.ts";
import { tempDir } from "./helpers.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** A tiny node: `echo`, `getblockcount` (a counter `mine` bumps) and `getbalance`. */
async function startTinyNode(datadir: string) {
  const cookie = await writeAuthCookie(datadir);
  let height = 0;
  const registry = new RpcRegistry()
    .register({
      name: "echo",
      category: "util",
      params: [
        { name: "value", type: "any", required: true, description: "Any JSON value" },
        { name: "label", type: "string", required: false, description: "A label" },
      ],
      help: "Returns its first argument (and the label if given).",
      handler: ([value, label]) => label === undefined ? value : { value, label },
    })
    .register({
      name: "getblockcount",
      category: "blockchain",
      params: [],
      help: "Returns the height of the best chain.",
      handler: () => height,
    })
    .register({
      name: "mine",
      category: "generating",
      params: [{ name: "nblocks", type: "number", required: true, description: "Blocks" }],
      help: "Adds blocks.",
      handler: ([n]) => {
        if (!Number.isInteger(n) || (n as number) < 1) {
          throw new RpcError(-8, "nblocks must be a positive integer");
        }
        height += n as number;
        return null;
      },
    })
    .register({
      name: "getbalance",
      category: "wallet",
      params: [],
      help: "Returns the balance.",
      handler: () => jsonNumber("12.50000000"),
    });
  const app = createRpcApp(registry, new RpcAuthenticator({ userPass: [cookie.userPass] }));
  const server = startRpcServer(app, { port: 0, cookie });
  return { server, cookie };
}

async function cli(options: Parameters<typeof runCliCommand>[0], method: string, args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCliCommand(options, method, args, (l) => out.push(l), (l) => err.push(l));
  return { code, out: out.join("\n"), err: err.join("\n") };
}

Deno.test("rnt cli: calls methods with the datadir cookie and prints like bitcoin-cli", async () => {
  await using dir = await tempDir();
  const { server } = await startTinyNode(dir.path);
  try {
    const base = { network: "regtest" as const, datadir: dir.path, rpcport: server.port };
    assert.deepEqual(await cli(base, "getblockcount", []), { code: 0, out: "0", err: "" });
    assert.deepEqual(await cli(base, "mine", ["3"]), { code: 0, out: "", err: "" });
    assert.equal((await cli(base, "getblockcount", [])).out, "3");
    assert.equal((await cli(base, "echo", ["hello world"])).out, "hello world");
    assert.equal(
      (await cli(base, "echo", ['{"a":[1,true]}'])).out,
      '{\n  "a": [\n    1,\n    true\n  ]\n}',
    );
    // The server reads numbers as floats, so an echoed amount loses its trailing zeros…
    assert.equal((await cli(base, "echo", ["0.00100000"])).out, "0.001");
    // …but digits the node sends are printed exactly.
    assert.equal((await cli(base, "getbalance", [])).out, "12.50000000");
    assert.equal((await cli(base, "echo", ["null"])).out, "");
    const help = await cli(base, "help", []);
    assert.equal(help.code, 0);
    assert.match(help.out, /== Blockchain ==\ngetblockcount\n/);
    const named = await cli({ ...base, named: true }, "echo", ["label=7", "value=[1]"]);
    assert.equal(named.code, 3); // -3: label=7 is guessed as a number; label is a string
    assert.match(named.err, /Position 2 \(label\)/);
    const namedOk = await cli({ ...base, named: true }, "echo", ['label="7"', "value=[1]"]);
    assert.equal(namedOk.out, '{\n  "value": [\n    1\n  ],\n  "label": "7"\n}');
  } finally {
    await server.shutdown();
  }
});

Deno.test("rnt cli: declared string params stay strings when paramsFor knows them", async () => {
  await using dir = await tempDir();
  const { server } = await startTinyNode(dir.path);
  try {
    const options = {
      network: "regtest" as const,
      datadir: dir.path,
      rpcport: String(server.port),
      paramsFor: (m: string) =>
        m === "echo"
          ? [{ name: "value", type: "any", required: true, description: "" }, {
            name: "label",
            type: "string",
            required: false,
            description: "",
          }] as const
          : undefined,
    };
    const r = await cli(options, "echo", ["5", "42"]);
    assert.equal(r.out, '{\n  "value": 5,\n  "label": "42"\n}');
    const guessed = await cli({ ...options, paramsFor: undefined }, "echo", ["5", "42"]);
    assert.equal(guessed.code, 3);
    assert.match(guessed.err, /^error code: -3\nerror message:\nWrong type passed:/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("rnt cli: RPC errors print code and message on stderr and exit |code| like bitcoin-cli", async () => {
  await using dir = await tempDir();
  const { server } = await startTinyNode(dir.path);
  try {
    const base = { network: "regtest" as const, datadir: dir.path, rpcport: server.port };
    assert.deepEqual(await cli(base, "nosuchmethod", []), {
      code: 32601 & 0xff, // what the OS keeps of bitcoin-cli's abs(-32601)
      out: "",
      err: "error code: -32601\nerror message:\nMethod not found",
    });
    assert.deepEqual(await cli(base, "mine", ["0"]), {
      code: 8,
      out: "",
      err: "error code: -8\nerror message:\nnblocks must be a positive integer",
    });
    const usage = await cli(base, "mine", []);
    assert.equal(usage.code, 1);
    assert.match(usage.err, /^error code: -1\nerror message:\nmine nblocks\n\nAdds blocks\./);
  } finally {
    await server.shutdown();
  }
});

Deno.test("rnt cli: wrong password or a missing cookie is explained, exit 1", async () => {
  await using dir = await tempDir();
  await using other = await tempDir();
  const { server } = await startTinyNode(dir.path);
  try {
    const wrong = await cli(
      {
        network: "regtest",
        datadir: dir.path,
        rpcport: server.port,
        rpcuser: "__cookie__",
        rpcpassword: "nope",
      },
      "getblockcount",
      [],
    );
    assert.deepEqual(wrong, {
      code: 1,
      out: "",
      err: "error: authorization failed: incorrect --rpcuser or --rpcpassword",
    });
    const noCookie = await cli(
      { network: "regtest", datadir: other.path, rpcport: server.port },
      "getblockcount",
      [],
    );
    assert.equal(noCookie.code, 1);
    assert.equal(
      noCookie.err,
      `error: no RPC credentials: no cookie at ${other.path}/.cookie and no --rpcpassword ` +
        "(is --datadir the node's?)",
    );
  } finally {
    await server.shutdown();
  }
});

Deno.test("rnt cli: a node that is not running gets a clear message, exit 1", async () => {
  await using dir = await tempDir();
  const { server } = await startTinyNode(dir.path);
  const port = server.port;
  await server.shutdown();
  const r = await cli(
    { network: "regtest", datadir: dir.path, rpcport: port },
    "getblockcount",
    [],
  );
  assert.deepEqual(r, {
    code: 1,
    out: "",
    err: `could not connect to the node at 127.0.0.1:${port} — is \`rnt node\` running?`,
  });
});

Deno.test("rnt cli: default datadir is <HOME>/.rnt/<network>; rpcconnect may carry the port", async () => {
  await using home = await tempDir();
  const datadir = `${home.path}/.rnt/regtest`;
  const { server } = await startTinyNode(datadir);
  try {
    const viaHome = await cli(
      { network: "regtest", home: home.path, rpcport: server.port },
      "getblockcount",
      [],
    );
    assert.deepEqual(viaHome, { code: 0, out: "0", err: "" });
    const viaConnect = await cli(
      { network: "regtest", home: home.path, rpcconnect: `127.0.0.1:${server.port}` },
      "getblockcount",
      [],
    );
    assert.equal(viaConnect.out, "0");
    const testnet = await cli(
      { network: "testnet", home: home.path, rpcport: server.port },
      "getblockcount",
      [],
    );
    assert.match(testnet.err, /no cookie at .*\/\.rnt\/testnet\/\.cookie/);
  } finally {
    await server.shutdown();
  }
});

Deno.test("resolveCliEndpoint() uses each network's default port and ~/.rnt/<network>", () => {
  const home = "/home/ann";
  for (const [network, port] of [["mainnet", 9554], ["testnet", 19554], ["regtest", 29554]]) {
    assert.deepEqual(resolveCliEndpoint({ network: network as "mainnet", home }), {
      host: "127.0.0.1",
      port,
      datadir: `/home/ann/.rnt/${network}`,
    });
  }
  assert.deepEqual(
    resolveCliEndpoint({ network: "regtest", rpcconnect: "[::1]:5000", datadir: "/d" }),
    { host: "::1", port: 5000, datadir: "/d" },
  );
  assert.equal(
    resolveCliEndpoint({ network: "regtest", rpcconnect: "h:5000", rpcport: 6000 })
      .port,
    6000,
  );
  assert.equal(resolveCliEndpoint({ network: "regtest", rpcconnect: "::1" }).host, "::1");
});

Deno.test("rnt cli: usage errors throw UsageError (exit 2 through the command tree)", async () => {
  const base = { network: "regtest" as const, datadir: "/x" };
  await assert.rejects(cli(base, "", []), UsageError);
  await assert.rejects(cli({ ...base, rpcport: "70000" }, "x", []), UsageError);
  await assert.rejects(cli({ ...base, rpcport: "abc" }, "x", []), UsageError);
  await assert.rejects(cli({ ...base, rpcconnect: "h:0" }, "x", []), UsageError);
});

Deno.test("runCliParsed() reads the cli command's flags and positionals", async () => {
  await using dir = await tempDir();
  const { server } = await startTinyNode(dir.path);
  try {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCliParsed(
      {
        values: { regtest: true, datadir: dir.path, rpcport: String(server.port) },
        positionals: ["echo", "[1,2]"],
      },
      { out: (l) => out.push(l), err: (l) => err.push(l), path: ["cli"] },
    );
    assert.equal(code, 0);
    assert.deepEqual(out, ["[\n  1,\n  2\n]"]);
    await assert.rejects(
      runCliParsed(
        { values: { regtest: true, testnet: true }, positionals: ["echo", "1"] },
        { out: () => {}, err: () => {}, path: ["cli"] },
      ),
      UsageError,
    );
  } finally {
    await server.shutdown();
  }
});

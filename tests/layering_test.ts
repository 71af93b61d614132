/**
 * The shape of the program, enforced: what each folder may import (README "Layout").
 *
 * ```
 * core  <-  gpu, net, rpc (protocol)  <-  node  <-  rpc/methods  <-  node/start_node.ts
 *                                                                 <-  cli  <-  main.ts
 *                                                 rpc/methods  <-  rpc/explorer  <-  node/start_node.ts, cli
 * ```
 */
import assert from "node:assert/strict";
import { REPO_ROOT } from "./helpers.ts";

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

const IMPORT = /(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

/** Every relative import in the repository as [importing file, imported file], repo-relative. */
async function importEdges(): Promise<[string, string][]> {
  const edges: [string, string][] = [];
  for (const dir of ["core", "gpu", "net", "rpc", "node", "cli", "bench", "tests"]) {
    for await (const file of tsFiles(`${REPO_ROOT}/${dir}`)) {
      const text = await Deno.readTextFile(file);
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (spec === undefined || !spec.startsWith(".")) continue;
        const target = new URL(spec, `file://${file}`).pathname;
        edges.push([file.slice(REPO_ROOT.length + 1), target.slice(REPO_ROOT.length + 1)]);
      }
    }
  }
  return edges;
}

const edges = await importEdges();

/** The edges from files matching `from` to files matching `to`, as "a -> b" lines. */
function offending(from: (f: string) => boolean, to: (t: string) => boolean): string[] {
  return edges.filter(([f, t]) => from(f) && to(t)).map(([f, t]) => `${f} -> ${t}`);
}

const inDir = (dir: string) => (p: string) => p.startsWith(`${dir}/`);
const isTest = (p: string) => p.endsWith("_test.ts");
/** The JSON-RPC protocol: files directly in rpc/ (not rpc/methods/). */
const isRpcProtocol = (p: string) => /^rpc\/[^/]+\.ts$/.test(p);
const isStartNode = (p: string) => p === "node/start_node.ts";

Deno.test("core/ imports nothing outside core/", () => {
  assert.deepEqual(offending(inDir("core"), (t) => !t.startsWith("core/")), []);
});

Deno.test("gpu/ and net/ import only core/ and themselves", () => {
  for (const dir of ["gpu", "net"]) {
    assert.deepEqual(
      offending(inDir(dir), (t) => !t.startsWith("core/") && !t.startsWith(`${dir}/`)),
      [],
    );
  }
});

Deno.test("the RPC protocol (rpc/*.ts) imports only core/ and itself: it knows nothing of the chain", () => {
  assert.deepEqual(
    offending(
      (f) => isRpcProtocol(f) && !isTest(f),
      (t) => !t.startsWith("core/") && !isRpcProtocol(t),
    ),
    [],
  );
});

Deno.test("node/ imports no CLI command, and rpc/methods/ only from node/start_node.ts", () => {
  assert.deepEqual(offending(inDir("node"), (t) => t.startsWith("cli/") || t === "main.ts"), []);
  assert.deepEqual(
    offending((f) => inDir("node")(f) && !isStartNode(f), inDir("rpc/methods")),
    [],
  );
});

Deno.test("rpc/methods/ imports no CLI command and not the node's assembly", () => {
  assert.deepEqual(
    offending(inDir("rpc/methods"), (t) => t.startsWith("cli/") || isStartNode(t)),
    [],
  );
});

Deno.test("rpc/explorer/ imports no CLI command and not the node's assembly; only start_node.ts serves it", () => {
  assert.deepEqual(
    offending(inDir("rpc/explorer"), (t) => t.startsWith("cli/") || isStartNode(t)),
    [],
  );
  // The explorer sits beside the RPC methods (it reads the same node): they never import it.
  assert.deepEqual(offending(inDir("rpc/methods"), inDir("rpc/explorer")), []);
  assert.deepEqual(
    offending((f) => inDir("node")(f) && !isStartNode(f), inDir("rpc/explorer")),
    [],
  );
});

Deno.test("nothing below the command layer imports cli/ or main.ts", () => {
  for (const dir of ["core", "gpu", "net", "rpc", "node"]) {
    assert.deepEqual(offending(inDir(dir), (t) => t.startsWith("cli/") || t === "main.ts"), []);
  }
});

Deno.test("only the command layer asks on the terminal: no Deno.stdin below cli/", async () => {
  const readers: string[] = [];
  for (const dir of ["core", "gpu", "net", "rpc", "node"]) {
    for await (const file of tsFiles(`${REPO_ROOT}/${dir}`)) {
      if (isTest(file)) continue;
      if ((await Deno.readTextFile(file)).includes("Deno.stdin")) {
        readers.push(file.slice(REPO_ROOT.length + 1));
      }
    }
  }
  assert.deepEqual(readers, []);
});

Deno.test("the wallet's logic is shared: rpc/methods/ and node/ import nothing from cli/wallet/", () => {
  assert.deepEqual(
    offending((f) => inDir("rpc")(f) || inDir("node")(f), inDir("cli/wallet")),
    [],
  );
  // The CLI and the RPC classify a balance with the same function.
  for (const user of ["cli/wallet/coins.ts", "rpc/methods/wallet.ts"]) {
    assert.ok(edges.some(([f, t]) => f === user && t === "core/wallet/balance.ts"), user);
  }
});

Deno.test("the layering check sees the imports it judges", () => {
  // Guards against a regex or path slip that would make every rule above pass vacuously.
  assert.ok(edges.length > 1000, `only ${edges.length} import edges found`);
  assert.ok(edges.some(([f, t]) => f === "cli/node_command.ts" && t === "node/start_node.ts"));
  assert.ok(edges.some(([f, t]) => isStartNode(f) && t === "rpc/methods/mod.ts"));
  assert.ok(edges.some(([f, t]) => isStartNode(f) && t === "rpc/explorer/mod.ts"));
});

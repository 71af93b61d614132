/**
 * The explorer and `rnt model generate --tip` against a real `rnt node` process holding real
 * trained blocks (the committed regtest chain fixture): the tip's model generates the same text
 * through the CLI (checkpoint fetched by RPC) as from the fixture's checkpoint bytes in-process;
 * the node shuts down cleanly while an explorer event stream is open; a taken explorer port
 * stops the node with a clear error.
 */
import assert from "node:assert/strict";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { generateBytes } from "../gpu/ref/generate.ts";
import { importChainFixture, readChainFixture } from "./chain_fixture.ts";
import { freePort, runRnt, tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

const BLOCKS = 3;

Deno.test("rnt model generate --tip generates with the running node's tip model; the node stops cleanly with an event stream open", async () => {
  const fixture = await readChainFixture();
  await using dir = await tempDir("rnt-explorer-node-");
  const explorerPort = freePort();
  await using node = NodeProcess.spawn(dir.path, undefined, [`--explorer=${explorerPort}`]);
  await node.ready();
  await importChainFixture(node, fixture, BLOCKS);
  assert.equal(await node.rpc("getblockcount"), BLOCKS);

  const r = await runRnt([
    "model",
    "generate",
    "--regtest",
    "--tip",
    "--datadir",
    dir.path,
    "--rpcport",
    String(node.rpcPort),
    "--prompt",
    "The ",
    "--length",
    "40",
    "--seed",
    "7",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const expected = generateBytes(
    decodeCheckpoint(fixture[BLOCKS - 1]!.checkpoint),
    new TextEncoder().encode("The "),
    40,
    { temperature: 0.8, topK: 40, seed: 7 },
  );
  assert.equal(JSON.parse(r.stdout).text, new TextDecoder().decode(expected));

  const usage = await runRnt(["model", "generate", "--regtest", "--tip", "--in", "x.rnet"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--tip takes the model from the node/);

  // An open event stream does not hold the shutdown up; the stream ends with the node.
  const events = await fetch(`http://127.0.0.1:${explorerPort}/api/events`);
  const reader = events.body!.getReader();
  assert.match(new TextDecoder().decode((await reader.read()).value), /^: connected/);
  const status = await node.stop();
  assert.equal(status.code, 0, node.log);
  while (!(await reader.read()).done) { /* drain to the end */ }
  assert.match(node.log, /shutdown complete/);
});

Deno.test("rnt node --explorer on a taken port exits 1 and names the port", async () => {
  await using dir = await tempDir("rnt-explorer-port-");
  const taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  try {
    const port = (taken.addr as Deno.NetAddr).port;
    await using node = NodeProcess.spawn(dir.path, undefined, [`--explorer=${port}`]);
    const status = await node.exited();
    assert.equal(status.code, 1);
    assert.match(node.log, new RegExp(`explorer port ${port} is in use`));
    const bad = await runRnt(["node", "--regtest", "--datadir", dir.path, "--explorer=http"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--explorer must be a port number/);
  } finally {
    taken.close();
  }
});

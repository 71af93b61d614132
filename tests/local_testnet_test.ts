/**
 * `deno task testnet-local` (cli/local_testnet.ts) runs a local network: node 0 mines, node 1
 * joins it by --addnode and connects every block; Ctrl-C stops them all cleanly.
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { REPO_ROOT, tempDir } from "./helpers.ts";

/** A base port with `count` free ports after it. */
function freeRange(count: number): number {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 40_000 + Math.floor(Math.random() * 20_000);
    const listeners: Deno.Listener[] = [];
    try {
      for (let i = 0; i < count; i++) {
        listeners.push(Deno.listen({ hostname: "127.0.0.1", port: base + i }));
      }
      return base;
    } catch {
      // taken: try another
    } finally {
      for (const l of listeners) l.close();
    }
  }
  throw new Error("no free port range");
}

gpuTest(
  "deno task testnet-local: node 0 mines, node 1 joins and follows, Ctrl-C stops both",
  async () => {
    await using dir = await tempDir("rnt-localnet-");
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-run",
        "--allow-read",
        "--allow-write",
        `${REPO_ROOT}/cli/local_testnet.ts`,
        "--nodes",
        "2",
        "--dir",
        dir.path,
        "--base-port",
        String(freeRange(4)),
      ],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    let output = "";
    const read = (s: ReadableStream<Uint8Array>) =>
      (async () => {
        for await (const t of s.pipeThrough(new TextDecoderStream())) output += t;
      })();
    const done = Promise.all([read(child.stdout), read(child.stderr)]);
    const deadline = Date.now() + 120_000;
    while (!/\[node1\] .*connected block height=2 /.test(output)) {
      if (Date.now() > deadline) {
        child.kill("SIGKILL");
        await done;
        throw new Error(`node1 never followed node0:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    child.kill("SIGINT");
    const status = await child.status;
    await done;
    assert.equal(status.code, 0, output);
    assert.match(output, /^\[node0\] block 1 {2}sample_loss/m);
    assert.match(output, /^\[node0\] mining stopped: \d+ blocks? found/m);
    assert.match(output, /^local network stopped$/m);
  },
);

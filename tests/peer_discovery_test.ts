/**
 * How a node finds a network, with the real program: it says on start what it is doing (or how
 * to give it peers), `--seednode` reaches a node (kept when it is the whole network), the
 * addresses it reached are kept in peers.dat across a restart, and `--dnsseed NAME:PORT` finds
 * a node through DNS (localhost).
 */
import assert from "node:assert/strict";
import { tempDir } from "./helpers.ts";
import { NodeProcess } from "./node_process.ts";

async function logMatch(
  node: NodeProcess,
  pattern: RegExp,
  ms = 20_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + ms;
  for (;;) {
    const m = node.log.match(pattern);
    if (m) return m;
    if (Date.now() > deadline) throw new Error(`${pattern} not in the log:\n${node.log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function peerAddrs(node: NodeProcess): Promise<string[]> {
  return (await node.rpc<{ addr: string }[]>("getpeerinfo")).map((p) => p.addr);
}

async function until(check: () => Promise<boolean>, ms: number, what: () => string) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

Deno.test("a node finds peers by --seednode, keeps them in peers.dat across a restart, and by DNS", async () => {
  await using dirB = await tempDir("rnt-disc-b-");
  await using dirA = await tempDir("rnt-disc-a-");
  await using dirC = await tempDir("rnt-disc-c-");
  await using b = await NodeProcess.start(dirB.path);
  const [, portB] = await logMatch(b, /p2p: listening for peers on 127\.0\.0\.1:(\d+)/);
  const addrB = `127.0.0.1:${portB}`;
  assert.match(
    b.log,
    /p2p: no peers: start another node with --connect\/--addnode HOST:PORT or see README 'Running a local testnet'/,
  );

  let a = NodeProcess.spawn(dirA.path, undefined, ["--seednode", addrB]);
  await a.ready();
  assert.match(
    a.log,
    /looking for peers: 1 seed \(1 --seednode, 0 DNS, 0 fixed\), 0 known addresses/,
  );
  await until(async () => (await peerAddrs(a)).includes(addrB), 20_000, () => a.log);
  assert.equal((await a.stop()).code, 0);

  // Restarted with no peer flags: peers.dat remembers B.
  a = NodeProcess.spawn(dirA.path);
  try {
    await a.ready();
    assert.match(a.log, /looking for peers: 0 seeds \(.*\), 1 known address \(peers\.dat\)/);
    await until(async () => (await peerAddrs(a)).includes(addrB), 20_000, () => a.log);
  } finally {
    await a.stop();
  }

  await using c = NodeProcess.spawn(dirC.path, undefined, ["--dnsseed", `localhost:${portB}`]);
  await c.ready();
  await logMatch(c, new RegExp(`p2p: DNS seed localhost:${portB}: \\d+ address`));
  await until(async () => (await peerAddrs(c)).includes(addrB), 20_000, () => c.log);
  await c.stop();
  await b.stop();
});

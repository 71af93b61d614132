import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { ScriptedEvaluator } from "../../core/consensus/testing/block_builder.ts";
import { startTestNode, until } from "./_test_nodes.ts";

const listen = { hostname: "127.0.0.1", port: 0 };

Deno.test("a node that knows nobody asks the fixed seeds, and keeps a seed that is the whole network", async () => {
  const evaluator = new ScriptedEvaluator();
  const seed = await startTestNode(REGTEST, evaluator, [], { listen });
  const port = seed.manager.listenPort!;
  const a = await startTestNode(REGTEST, evaluator, [], {
    listen,
    fixedSeeds: [{ host: "127.0.0.1", port }],
  });
  try {
    assert.ok(
      a.lines.includes(
        "p2p: looking for peers: 1 seed (0 --seednode, 0 DNS, 1 fixed), 0 known addresses " +
          "(peers.dat), 0 --addnode peers",
      ),
      a.lines.join("\n"),
    );
    await until(() => a.manager.peers().length === 1, 10_000, () => a.lines.join("\n"));
    // The seed knew no one else: the connection stays, as an ordinary outbound one.
    await until(
      () => a.manager.connections()[0]?.kind === "outbound",
      10_000,
      () => a.lines.join("\n"),
    );
    assert.equal(a.manager.addrMan.size, 1, "the seed is remembered for peers.dat");
  } finally {
    await a.close();
    await seed.close();
  }
});

Deno.test("DNS seeds: the names' A/AAAA records become addresses to connect to (localhost)", async () => {
  const evaluator = new ScriptedEvaluator();
  const seed = await startTestNode(REGTEST, evaluator, [], { listen });
  const port = seed.manager.listenPort!;
  const a = await startTestNode(REGTEST, evaluator, [], {
    listen,
    dnsSeeds: [{ host: "localhost", port }, { host: "no-such-seed.invalid", port }],
    dnsTimeoutMs: 2000,
  });
  try {
    await until(
      () => a.lines.some((l) => l.startsWith(`p2p: DNS seed localhost:${port}: `)),
      10_000,
      () => a.lines.join("\n"),
    );
    assert.ok(
      a.lines.some((l) =>
        /^p2p: DNS seed localhost:\d+: [1-9]\d* address(es)?, [1-9]\d* new$/.test(l)
      ),
      a.lines.join("\n"),
    );
    await until(
      () => a.lines.some((l) => l.startsWith("p2p: DNS seed no-such-seed.invalid")),
      10_000,
      () => a.lines.join("\n"),
    );
    assert.ok(a.lines.some((l) => /no-such-seed\.invalid:\d+: 0 addresses \(no answer\)/.test(l)));
    await until(
      () => a.manager.connections().some((c) => c.peer.address === `127.0.0.1:${port}`),
      15_000,
      () => a.lines.join("\n"),
    );
  } finally {
    await a.close();
    await seed.close();
  }
});

Deno.test("a node with no way to find peers says how to give it some", async () => {
  const a = await startTestNode(REGTEST, new ScriptedEvaluator(), [], { listen });
  try {
    assert.ok(
      a.lines.some((l) =>
        l.startsWith(
          "p2p: no peers: start another node with --connect/--addnode HOST:PORT or see README " +
            "'Running a local testnet'; waiting for inbound peers on port ",
        )
      ),
      a.lines.join("\n"),
    );
  } finally {
    await a.close();
  }
});

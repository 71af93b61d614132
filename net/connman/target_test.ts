import assert from "node:assert/strict";
import { UsageError } from "../../core/errors.ts";
import { loadOrCreateNodeKey } from "./node_key.ts";
import { formatTarget, parseTarget } from "./target.ts";

Deno.test("peer targets parse host:port, [ipv6]:port, .onion and a bare host with the default port", () => {
  assert.deepEqual(parseTarget("127.0.0.1:29555", 1), { host: "127.0.0.1", port: 29555 });
  assert.deepEqual(parseTarget("[::1]:8", 1), { host: "::1", port: 8 });
  assert.deepEqual(parseTarget("[2001:db8::1]", 9555), { host: "2001:db8::1", port: 9555 });
  assert.deepEqual(parseTarget("2001:db8::1", 9555), { host: "2001:db8::1", port: 9555 });
  assert.deepEqual(parseTarget("seed.example.org", 19555), {
    host: "seed.example.org",
    port: 19555,
  });
  assert.equal(formatTarget({ host: "::1", port: 8 }), "[::1]:8");
  assert.equal(formatTarget({ host: "abc.onion", port: 9 }), "abc.onion:9");
  for (const bad of ["", "host:", "host:0", "host:70000", "host:x", ":5"]) {
    assert.throws(() => parseTarget(bad, 1), UsageError, bad);
  }
});

Deno.test("the node key is created once in <datadir>/node.key (mode 0600) and loaded again", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await loadOrCreateNodeKey(dir);
    const second = await loadOrCreateNodeKey(dir);
    assert.deepEqual(second.publicKey, first.publicKey);
    assert.equal((await Deno.stat(`${dir}/node.key`)).mode! & 0o777, 0o600);
    await Deno.writeTextFile(`${dir}/node.key`, "nothex\n");
    await assert.rejects(loadOrCreateNodeKey(dir), /32-byte hex seed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { allowIpCheck, isLoopbackHost, parseAllowIp, parseIp } from "./allow_ip.ts";
import { RpcAuthenticator } from "./auth.ts";
import { RpcRegistry } from "./registry.ts";
import { createRpcApp, startRpcServer } from "./server.ts";

Deno.test("parseIp reads IPv4, IPv6 with ::, and IPv4-mapped IPv6", () => {
  assert.deepEqual([...parseIp("10.1.2.3")!], [10, 1, 2, 3]);
  assert.deepEqual([...parseIp("::1")!], [...Array(15).fill(0), 1]);
  assert.deepEqual([...parseIp("fd00::5")!.subarray(0, 2)], [0xfd, 0]);
  assert.deepEqual([...parseIp("::ffff:192.168.0.1")!.subarray(12)], [192, 168, 0, 1]);
  for (const bad of ["256.1.1.1", "1.2.3", "1::2::3", "abc", "1:2:3:4:5:6:7:8:9", ""]) {
    assert.equal(parseIp(bad), null, bad);
  }
});

Deno.test("rpcallowip accepts an address, CIDR and netmask; loopback is always allowed", () => {
  const allowed = allowIpCheck(["192.168.1.0/24", "10.0.0.0/255.0.0.0", "203.0.113.7", "fd00::/8"]);
  assert.equal(allowed("192.168.1.200"), true);
  assert.equal(allowed("192.168.2.1"), false);
  assert.equal(allowed("10.200.3.4"), true);
  assert.equal(allowed("203.0.113.7"), true);
  assert.equal(allowed("203.0.113.8"), false);
  assert.equal(allowed("fd12::1"), true);
  assert.equal(allowed("fe80::1"), false);
  assert.equal(allowed("::ffff:192.168.1.3"), true);
  assert.equal(allowed("127.0.0.2"), true);
  assert.equal(allowed("::1"), true);
  assert.equal(allowIpCheck([])("192.168.1.200"), false);
  assert.equal(isLoopbackHost("127.5.5.5"), true);
  assert.equal(isLoopbackHost("0.0.0.0"), false);
});

Deno.test("a malformed rpcallowip is an error naming it", () => {
  assert.throws(() => parseAllowIp("192.168.1.0/33"), /invalid rpcallowip '192\.168\.1\.0\/33'/);
  assert.throws(() => parseAllowIp("host.example"), /not an IP address/);
  assert.throws(() => parseAllowIp("10.0.0.0/255.0.255.0"), /not contiguous/);
});

Deno.test("a client outside rpcallowip gets 403 before its credentials are looked at", async () => {
  const app = createRpcApp(new RpcRegistry(), new RpcAuthenticator({ userPass: ["u:p"] }));
  // Loopback is always allowed by allowIpCheck, so refuse 127.0.0.1 here to see the 403.
  const server = startRpcServer(app, { port: 0, allowClient: (host) => host !== "127.0.0.1" });
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/`, {
      method: "POST",
      headers: { authorization: "Basic " + btoa("u:p") },
      body: '{"method":"help","params":[],"id":1}',
    });
    assert.equal(res.status, 403);
    await res.body?.cancel();
  } finally {
    await server.shutdown();
  }
});

import assert from "node:assert/strict";
import { formatHost, formatNetAddress, parseHost, sameNetAddress } from "./net_address.ts";
import { onionFromPublicKey } from "./onion.ts";

Deno.test("parseHost() and formatHost() round-trip IPv4, IPv6 and onion hosts", () => {
  const cases: [string, string][] = [
    ["127.0.0.1", "ipv4"],
    ["255.255.255.255", "ipv4"],
    ["::1", "ipv6"],
    ["::", "ipv6"],
    ["2001:db8::8:800:200c:417a", "ipv6"],
    ["2001:db8:0:1:1:1:1:1", "ipv6"],
    ["fe80::", "ipv6"],
    [onionFromPublicKey(new Uint8Array(32).fill(9)), "torv3"],
  ];
  for (const [host, network] of cases) {
    const a = parseHost(host, 9555);
    assert.equal(a?.network, network, host);
    assert.equal(formatHost(a!), host);
  }
});

Deno.test("formatHost() compresses the longest zero run of IPv6 (RFC 5952)", () => {
  const a = parseHost("2001:0db8:0000:0000:0001:0000:0000:0000", 1)!;
  assert.equal(formatHost(a), "2001:db8:0:0:1::");
  assert.equal(formatNetAddress(a), "[2001:db8:0:0:1::]:1");
  assert.equal(formatNetAddress(parseHost("10.0.0.1", 80)!), "10.0.0.1:80");
});

Deno.test("parseHost() maps IPv4-mapped IPv6 to IPv4 and accepts brackets", () => {
  assert.ok(sameNetAddress(parseHost("::ffff:1.2.3.4", 5)!, parseHost("1.2.3.4", 5)!));
  assert.equal(parseHost("[::1]", 5)?.network, "ipv6");
});

Deno.test("parseHost() rejects DNS names, malformed literals and bad ports", () => {
  for (
    const host of [
      "example.com",
      "1.2.3",
      "1.2.3.256",
      "01.2.3.4",
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "",
      "x.onion",
    ]
  ) {
    assert.equal(parseHost(host, 1), undefined, host);
  }
  assert.equal(parseHost("1.2.3.4", 65536), undefined);
  assert.equal(parseHost("1.2.3.4", -1), undefined);
});

import assert from "node:assert/strict";
import { parseHost } from "../wire/net_address.ts";
import { addressGroup, isRoutable } from "./address_group.ts";

const at = (host: string, port = 9555) => parseHost(host, port)!;

Deno.test("addressGroup() is /16 for IPv4, /32 for IPv6 and 4 bits for onions", () => {
  assert.deepEqual(addressGroup(at("8.8.4.4")), addressGroup(at("8.8.200.1")));
  assert.notDeepEqual(addressGroup(at("8.8.4.4")), addressGroup(at("8.9.4.4")));
  assert.deepEqual(addressGroup(at("2001:4860:1::1")), addressGroup(at("2001:4860:ffff::2")));
  assert.notDeepEqual(addressGroup(at("2001:4860::1")), addressGroup(at("2001:4861::1")));
  const onion = (b: number) => ({
    network: "torv3" as const,
    bytes: new Uint8Array(32).fill(b),
    port: 1,
  });
  assert.deepEqual(addressGroup(onion(0x12)), addressGroup(onion(0x1f)));
  assert.notDeepEqual(addressGroup(onion(0x12)), addressGroup(onion(0x22)));
  assert.notDeepEqual(addressGroup(at("1.2.3.4")), addressGroup(onion(1)));
});

Deno.test("isRoutable() rejects local, private, reserved ranges and port 0", () => {
  for (
    const host of [
      "0.1.2.3",
      "10.0.0.1",
      "127.0.0.1",
      "169.254.1.1",
      "172.16.0.1",
      "172.31.255.1",
      "192.168.0.1",
      "100.64.0.1",
      "224.0.0.1",
      "255.255.255.255",
      "192.0.2.1",
      "::",
      "::1",
      "fc00::1",
      "fd12::1",
      "fe80::1",
      "ff02::1",
      "2001:db8::1",
    ]
  ) assert.equal(isRoutable(at(host)), false, host);
  for (const host of ["8.8.8.8", "172.32.0.1", "100.128.0.1", "2001:4860::8888"]) {
    assert.equal(isRoutable(at(host)), true, host);
  }
  assert.equal(isRoutable(at("8.8.8.8", 0)), false);
});

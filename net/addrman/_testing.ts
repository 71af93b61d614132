/**
 * Test helpers (private): a seeded integer source, a manual clock and address makers.
 *
 * @module
 */
import type { AddrEntry } from "../wire/addr.ts";
import type { NetAddress } from "../wire/net_address.ts";

/** A deterministic `randomInt(n)` (xorshift32); `seed` must be non-zero. */
export function seededRandomInt(seed: number): (n: number) => number {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return Math.floor((s / 2 ** 32) * n);
  };
}

/** A clock the test moves by hand. */
export class ManualClock {
  /** Current time in seconds. */
  now = 1_800_000_000;
  /** The clock function to hand to AddrMan. */
  readonly nowSecs = (): number => this.now;
}

/** The routable IPv4 address `a.b.c.d:port`. */
export function ipv4(a: number, b: number, c: number, d: number, port = 9555): NetAddress {
  return { network: "ipv4", bytes: new Uint8Array([a, b, c, d]), port };
}

/** An advertised entry seen at `lastSeenSecs`. */
export function entry(address: NetAddress, lastSeenSecs: number, services = 1n): AddrEntry {
  return { address, services, lastSeenSecs };
}

/** The i-th address of a spread over distinct /16 groups (i < 40,000). */
export function spreadAddress(i: number): NetAddress {
  return ipv4(11 + Math.floor(i / 256 / 4), (i >> 2) & 0xff, i & 0xff, 1 + (i % 200));
}

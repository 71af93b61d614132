import assert from "node:assert/strict";
import {
  AddrMan,
  BUCKET_SIZE,
  NEW_BUCKETS_PER_SOURCE_GROUP,
  TRIED_BUCKETS_PER_GROUP,
} from "./addr_man.ts";
import { entry, ipv4, ManualClock, seededRandomInt, spreadAddress } from "./_testing.ts";
import { sameNetAddress } from "../wire/net_address.ts";

const KEY = new Uint8Array(32).fill(0x5a);

function makeTable(clock: ManualClock, seed = 1, allowUnroutable = false): AddrMan {
  return new AddrMan({
    key: KEY,
    randomInt: seededRandomInt(seed),
    nowSecs: clock.nowSecs,
    allowUnroutable,
  });
}

Deno.test("AddrMan.add() puts addresses in the new table and good() moves them to tried", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  const a = ipv4(8, 8, 4, 4);
  assert.equal(am.add([entry(a, clock.now - 100)], ipv4(1, 1, 1, 1)), 1);
  assert.deepEqual(am.counts, { new: 1, tried: 0 });
  clock.now += 10;
  am.attempt(a);
  assert.equal(am.find(a)?.attempts, 1);
  am.good(a);
  const info = am.find(a)!;
  assert.deepEqual(am.counts, { new: 0, tried: 1 });
  assert.equal(info.tried, true);
  assert.equal(info.attempts, 0);
  assert.equal(info.lastSuccessSecs, clock.now);
  assert.deepEqual(info.source.bytes, new Uint8Array([1, 1, 1, 1]));
});

Deno.test("AddrMan.add() skips unroutable addresses and port 0 unless allowed", () => {
  const clock = new ManualClock();
  const local = [ipv4(127, 0, 0, 1), ipv4(10, 1, 2, 3), ipv4(192, 168, 1, 1), ipv4(8, 8, 8, 8, 0)];
  const src = ipv4(1, 1, 1, 1);
  assert.equal(makeTable(clock).add(local.map((a) => entry(a, clock.now)), src), 0);
  assert.equal(makeTable(clock, 1, true).add(local.map((a) => entry(a, clock.now)), src), 3);
});

Deno.test("AddrMan.add() merges a known address: services OR-ed, newest time kept", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  const a = ipv4(8, 8, 4, 4);
  am.add([entry(a, clock.now - 1000, 1n)], ipv4(1, 1, 1, 1));
  assert.equal(am.add([entry(a, clock.now - 10, 2n)], ipv4(2, 2, 2, 2)), 0);
  assert.equal(am.size, 1);
  assert.equal(am.find(a)?.services, 3n);
  assert.equal(am.find(a)?.lastSeenSecs, clock.now - 10);
});

Deno.test("AddrMan.add() replaces future or bogus times and applies the relay penalty", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  const src = ipv4(1, 1, 1, 1);
  am.add([entry(ipv4(8, 8, 4, 4), clock.now + 3600), entry(ipv4(9, 9, 9, 9), 5)], src);
  assert.equal(am.find(ipv4(8, 8, 4, 4))?.lastSeenSecs, clock.now - 5 * 86_400);
  assert.equal(am.find(ipv4(9, 9, 9, 9))?.lastSeenSecs, clock.now - 5 * 86_400);
  am.add([entry(ipv4(7, 7, 7, 7), clock.now), entry(ipv4(1, 1, 1, 1), clock.now)], src, 7200);
  assert.equal(am.find(ipv4(7, 7, 7, 7))?.lastSeenSecs, clock.now - 7200);
  assert.equal(am.find(ipv4(1, 1, 1, 1))?.lastSeenSecs, clock.now); // a peer about itself
});

Deno.test("AddrMan.add() cannot let one source flood the new table", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  // 300 honest addresses, each from its own source group.
  const honest = Array.from({ length: 300 }, (_, i) => ipv4(1 + (i % 9), i, 7, 7));
  honest.forEach((a, i) => am.add([entry(a, clock.now)], ipv4(30 + (i % 60), i, 1, 1)));
  const honestKept = honest.filter((a) => am.find(a)).length;
  assert.ok(honestKept >= 297, `honest kept ${honestKept}`); // a few slot collisions at most
  // One attacker source sends 20,000 addresses over 20,000 distinct /16 groups.
  const attacker = ipv4(66, 66, 66, 66);
  let flood = 0;
  for (let i = 0; i < 20_000; i += 1000) {
    const batch = Array.from({ length: 1000 }, (_, j) => entry(spreadAddress(i + j), clock.now));
    flood += am.add(batch, attacker);
  }
  const cap = NEW_BUCKETS_PER_SOURCE_GROUP * BUCKET_SIZE;
  assert.ok(flood <= cap, `attacker placed ${flood} > ${cap}`);
  assert.ok(flood > cap / 2, `attacker placed only ${flood}`); // the bound is what limits it
  assert.equal(honest.filter((a) => am.find(a)).length, honestKept); // nothing honest evicted
  assert.ok(am.size <= honestKept + cap);
});

Deno.test("AddrMan.add() evicts terrible occupants when a bucket is full", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  const src = ipv4(66, 66, 66, 66);
  const old = Array.from({ length: 8000 }, (_, i) => entry(spreadAddress(i), clock.now));
  const first = am.add(old, src);
  // Fresh addresses from the same source mostly bounce off the full buckets…
  const fresh = Array.from({ length: 4000 }, (_, i) => entry(spreadAddress(10_000 + i), clock.now));
  const bounced = am.add(fresh.slice(0, 2000), src);
  assert.ok(bounced < 200, `added ${bounced} into full buckets`);
  // …until the occupants are 31 days stale (terrible): then they make room.
  clock.now += 31 * 86_400;
  const later = fresh.slice(2000).map((e) => ({ ...e, lastSeenSecs: clock.now }));
  const added = am.add(later, src);
  assert.ok(added > 1000, `only ${added} replaced stale entries`);
  assert.ok(am.size < first + bounced + added, "stale entries were evicted, not added beside");
  const stale = old.filter((e) => am.find(e.address)).length;
  assert.ok(stale < first - 1000, `stale left ${stale} of ${first}`);
});

Deno.test("AddrMan.good() bounds one group's tried slots and keeps the newest good address", () => {
  const clock = new ManualClock();
  const am = makeTable(clock);
  const group = Array.from({ length: 1500 }, (_, i) => ipv4(50, 60, i >> 8, i & 0xff));
  for (let i = 0; i < group.length; i++) {
    am.add([entry(group[i]!, clock.now)], ipv4(20 + (i % 100), i & 0xff, 1, 1));
  }
  for (const a of group) {
    if (!am.find(a)) continue;
    am.good(a);
    assert.equal(am.find(a)?.tried, true);
  }
  assert.ok(am.counts.tried <= TRIED_BUCKETS_PER_GROUP * BUCKET_SIZE, `${am.counts.tried}`);
  assert.ok(am.counts.new > 0); // displaced tried entries went back to new
});

Deno.test("AddrMan.select() draws from both tables, honours newOnly and shuns recent failures", () => {
  const clock = new ManualClock();
  const am = makeTable(clock, 7);
  assert.equal(am.select(), undefined);
  const triedA = ipv4(8, 8, 4, 4);
  const newA = ipv4(9, 9, 9, 9);
  const failing = ipv4(7, 7, 7, 7);
  am.add(
    [entry(triedA, clock.now), entry(newA, clock.now), entry(failing, clock.now)],
    ipv4(1, 1, 1, 1),
  );
  am.good(triedA);
  clock.now += 3600;
  am.attempt(failing);
  am.attempt(failing);
  const counts = new Map<string, number>();
  for (let i = 0; i < 2000; i++) {
    const s = am.select()!;
    const k = s.address.bytes.join(".");
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  assert.ok(counts.get("8.8.4.4")! > 800, `tried picked ${counts.get("8.8.4.4")}`);
  assert.ok(counts.get("9.9.9.9")! > 800);
  assert.ok((counts.get("7.7.7.7") ?? 0) < 100, `failing picked ${counts.get("7.7.7.7")}`);
  for (let i = 0; i < 200; i++) assert.equal(am.select(true)!.tried, false);
  assert.ok(
    sameNetAddress(am.select(true)!.address, newA) || am.select(true)!.address.bytes[0] === 7,
  );
});

Deno.test("AddrMan.getAddresses() returns at most 23% and leaves terrible entries out", () => {
  const clock = new ManualClock();
  const am = makeTable(clock, 3);
  const batch = Array.from({ length: 1000 }, (_, i) => entry(spreadAddress(i), clock.now));
  am.add(batch, ipv4(1, 1, 1, 1));
  const total = am.size;
  const got = am.getAddresses();
  assert.equal(got.length, Math.floor(total * 0.23));
  assert.equal(new Set(got.map((e) => e.address.bytes.join("."))).size, got.length);
  clock.now += 31 * 86_400; // everything stale
  assert.equal(am.getAddresses().length, 0);
});

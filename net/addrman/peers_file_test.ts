import assert from "node:assert/strict";
import { DecodeError } from "../../core/errors.ts";
import { checkRandomInputs, checkTruncations } from "../../core/encoding/_testing.ts";
import { AddrMan } from "./addr_man.ts";
import { decodePeers, encodePeers, loadPeers, savePeers } from "./peers_file.ts";
import { entry, ipv4, ManualClock, seededRandomInt, spreadAddress } from "./_testing.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const MAGIC = new Uint8Array([0x72, 0x6e, 0x74, 0x03]);

function sampleTable(clock: ManualClock, n = 400): AddrMan {
  const am = new AddrMan({ randomInt: seededRandomInt(9), nowSecs: clock.nowSecs });
  am.add(
    Array.from({ length: n }, (_, i) => entry(spreadAddress(i), clock.now - i)),
    ipv4(1, 1, 1, 1),
  );
  am.add(
    [entry({ network: "torv3", bytes: new Uint8Array(32).fill(7), port: 9555 }, clock.now)],
    ipv4(2, 2, 2, 2),
  );
  const some = am.entries().slice(0, 40);
  for (const e of some) {
    am.attempt(e.address);
    am.good(e.address);
  }
  am.attempt(am.entries().at(-1)!.address); // a failed attempt on a new entry
  return am;
}

Deno.test("savePeers() and loadPeers() round-trip the key and every entry", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock();
    const am = sampleTable(clock);
    const path = `${dir}/peers.dat`;
    await savePeers(path, am, MAGIC);
    const warnings: string[] = [];
    const back = await loadPeers(path, MAGIC, {
      nowSecs: clock.nowSecs,
      warn: (m) => warnings.push(m),
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(back.key, am.key);
    assert.deepEqual(back.counts, am.counts);
    const sortKey = (e: { address: { bytes: Uint8Array } }) => e.address.bytes.join(".");
    const a = am.entries().sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
    const b = back.entries().sort((x, y) => sortKey(x).localeCompare(sortKey(y)));
    assert.deepEqual(b, a);
    assert.deepEqual(encodePeers(back, MAGIC).length, encodePeers(am, MAGIC).length);
    assert.equal((await Array.fromAsync(Deno.readDir(dir))).length, 1); // no temp file left behind
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadPeers() starts empty without a warning when the file is missing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const warnings: string[] = [];
    const am = await loadPeers(`${dir}/peers.dat`, MAGIC, { warn: (m) => warnings.push(m) });
    assert.equal(am.size, 0);
    assert.deepEqual(warnings, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadPeers() ignores a corrupt, truncated or foreign file with a warning", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const clock = new ManualClock();
    const good = encodePeers(sampleTable(clock, 50), MAGIC);
    const flipped = good.slice();
    flipped[100]! ^= 1;
    const cases: [string, Uint8Array, Uint8Array][] = [
      ["flipped", flipped, MAGIC],
      ["truncated", good.subarray(0, good.length - 5), MAGIC],
      ["garbage", new Uint8Array(3), MAGIC],
      ["empty", new Uint8Array(), MAGIC],
      ["other network", good, new Uint8Array([1, 2, 3, 4])],
    ];
    for (const [name, bytes, magic] of cases) {
      const path = `${dir}/${name}.dat`;
      await Deno.writeFile(path, bytes);
      const warnings: string[] = [];
      const am = await loadPeers(path, magic, { warn: (m) => warnings.push(m) });
      assert.equal(am.size, 0, name);
      assert.equal(warnings.length, 1, name);
      assert.match(warnings[0]!, /Ignoring/);
    }
    const warnings: string[] = [];
    await loadPeers(dir, MAGIC, { warn: (m) => warnings.push(m) }); // a directory
    assert.equal(warnings.length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("decodePeers() throws only DecodeError on truncated and random input", () => {
  const clock = new ManualClock();
  const good = encodePeers(sampleTable(clock, 3), MAGIC);
  const decode = (b: Uint8Array) => decodePeers(b, MAGIC);
  checkTruncations(decode, good);
  checkRandomInputs(decode, good, 300, 5);
  assert.throws(() => decodePeers(good, new Uint8Array([0, 0, 0, 0])), DecodeError);
});

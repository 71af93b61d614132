import assert from "node:assert/strict";
import { BanList } from "./ban_list.ts";

Deno.test("a ban holds until it expires, then the address is allowed again", () => {
  let now = 1_000;
  const bans = new BanList(() => now);
  bans.ban("10.0.0.1", 60, "invalid-block");
  assert.ok(bans.isBanned("10.0.0.1"));
  assert.ok(!bans.isBanned("10.0.0.2"));
  now += 59;
  assert.ok(bans.isBanned("10.0.0.1"));
  now += 1;
  assert.ok(!bans.isBanned("10.0.0.1"));
  assert.deepEqual(bans.list(), []);
});

Deno.test("unban and clear remove bans", () => {
  const bans = new BanList(() => 0);
  bans.ban("a", 10);
  bans.ban("b", 10);
  assert.ok(bans.unban("a"));
  assert.ok(!bans.unban("a"));
  assert.deepEqual(bans.list().map((b) => b.address), ["b"]);
  bans.clear();
  assert.deepEqual(bans.list(), []);
});

Deno.test("bans survive a save and load; a corrupt file loads nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/banlist.json`;
    const first = new BanList(() => 100);
    first.ban("192.0.2.7", 500, "flood");
    await first.save(path);
    const second = new BanList(() => 200);
    assert.equal(await second.load(path), 1);
    assert.deepEqual(second.list(), [
      { address: "192.0.2.7", createdSecs: 100, untilSecs: 600, reason: "flood" },
    ]);
    await Deno.writeTextFile(path, "{not json");
    assert.equal(await new BanList().load(path), 0);
    assert.equal(await new BanList().load(`${dir}/missing.json`), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

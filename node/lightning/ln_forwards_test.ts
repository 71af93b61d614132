import assert from "node:assert/strict";
import { LnForwards } from "./ln_forwards.ts";

const entry = {
  inChannelId: "ab".repeat(32),
  inHtlcId: 4n,
  sharedSecret: new Uint8Array(32).fill(5),
  inAmountMres: 10_011_000n,
  outAmountMres: 10_000_000n,
};

Deno.test("LnForwards keeps a forward across a reload until it is removed", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    const book = await LnForwards.load(path);
    assert.equal(book.size, 0);
    const key = `${"cd".repeat(32)}:7`;
    await book.add(key, entry);
    const again = await LnForwards.load(path);
    assert.deepEqual(again.get(key), entry);
    assert.equal(again.hasIncoming(entry.inChannelId, 4n), true);
    assert.equal(again.hasIncoming(entry.inChannelId, 5n), false);
    await again.remove(key);
    assert.equal((await LnForwards.load(path)).size, 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LnForwards refuses a damaged file with a clear error", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/forwards.json`;
    await Deno.writeTextFile(path, JSON.stringify({ "x:1": { in_channel_id: "y" } }));
    await assert.rejects(LnForwards.load(path), /bad entry x:1/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

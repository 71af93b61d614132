import assert from "node:assert/strict";
import { LnPeerBook } from "./ln_peer_book.ts";

Deno.test("LnPeerBook remembers peer addresses across loads and refuses a damaged file", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ln-peers-" });
  try {
    const path = `${dir}/lightning/peers.json`;
    const book = await LnPeerBook.load(path);
    assert.equal(book.get("aa".repeat(32)), undefined);
    await book.set("aa".repeat(32), { host: "127.0.0.1", port: 29555 });
    await book.set("aa".repeat(32), { host: "127.0.0.1", port: 29556 });
    const again = await LnPeerBook.load(path);
    assert.deepEqual(again.get("aa".repeat(32)), { host: "127.0.0.1", port: 29556 });
    await Deno.writeTextFile(path, JSON.stringify({ nothex: { host: "x", port: 1 } }));
    await assert.rejects(LnPeerBook.load(path), /bad entry nothex/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

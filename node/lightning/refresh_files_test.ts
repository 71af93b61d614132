import assert from "node:assert/strict";
import { toHex } from "../../core/crypto/keccak.ts";
import {
  decodePendingRefresh,
  encodePendingRefresh,
  type PendingRefresh,
  RefreshFiles,
} from "./refresh_files.ts";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);
const proposed: PendingRefresh = {
  channelId: bytes(32, 0xc4),
  fundingOutpoint: { txid: bytes(32, 0xf0), vout: 3 },
  feeResonances: 369n,
  signed: false,
};
const accepted: PendingRefresh = {
  ...proposed,
  channelId: bytes(32, 0xc5),
  theirCommit: bytes(64, 1),
  theirRefresh: bytes(64, 2),
  signed: true,
};

Deno.test("encodePendingRefresh() and decodePendingRefresh() round-trip with and without signatures", () => {
  for (const p of [proposed, accepted]) {
    assert.deepEqual(decodePendingRefresh(encodePendingRefresh(p)), p);
  }
  assert.ok(!encodePendingRefresh(proposed).includes("their_commit"));
});

Deno.test("decodePendingRefresh() names the bad field of a damaged record", () => {
  const json = JSON.parse(encodePendingRefresh(accepted));
  const bad = (change: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => decodePendingRefresh(JSON.stringify({ ...json, ...change })), pattern);
  bad({ version: 2 }, /unknown refresh record version 2/);
  bad({ channel_id: "c4" }, /channel_id is not 32 bytes of hex/);
  bad({ their_commit: "zz".repeat(64) }, /their_commit is not 64 bytes of hex/);
  bad({ funding_vout: -1 }, /funding_vout is not a u32: -1/);
  bad({ fee_resonances: "-5" }, /fee_resonances is not a number: -5/);
  bad({ signed: "yes" }, /signed is missing/);
  assert.throws(() => decodePendingRefresh("{"), SyntaxError);
});

Deno.test("RefreshFiles saves, replaces, lists and removes refreshes; a damaged file is reported, not fatal", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-refresh-files-" });
  try {
    const files = new RefreshFiles(`${dir}/refresh`);
    assert.deepEqual(await files.loadAll(), { refreshes: [], unreadable: [] });
    await files.save(proposed);
    await files.save(accepted);
    await files.save({ ...proposed, theirCommit: bytes(64, 9), signed: true }); // replaces
    await Deno.writeTextFile(`${dir}/refresh/${"ab".repeat(32)}.json`, "not json");
    await Deno.writeTextFile(`${dir}/refresh/notes.txt`, "ignored");
    const { refreshes, unreadable } = await files.loadAll();
    const byId = new Map(refreshes.map((p) => [toHex(p.channelId), p]));
    assert.equal(refreshes.length, 2);
    assert.deepEqual(byId.get(toHex(proposed.channelId))?.theirCommit, bytes(64, 9));
    assert.deepEqual(byId.get(toHex(accepted.channelId)), accepted);
    assert.equal(unreadable.length, 1);
    assert.match(unreadable[0]!, /^abab.*\.json: /);
    await files.remove(proposed.channelId);
    await files.remove(proposed.channelId); // twice: nothing to remove is fine
    assert.deepEqual((await files.loadAll()).refreshes, [accepted]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

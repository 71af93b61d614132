import assert from "node:assert/strict";
import { ChannelFiles } from "./channel_files.ts";
import {
  type ChannelRecord,
  decodeChannelRecord,
  encodeChannelRecord,
} from "./channel_file_record.ts";
import { openRecordPair } from "./_test_channel.ts";

/** A real channel record of the funder (awaiting funding, with optional fields set). */
function funderRecord(): ChannelRecord {
  const { remoteShutdown: _, ...funder } = openRecordPair().funder;
  return {
    ...funder,
    status: "awaiting-funding",
    fundingTx: new Uint8Array([1, 2, 3]),
    remoteReady: false,
    localLostState: true,
    fundingDeadlineHeight: 42,
  };
}

Deno.test("encodeChannelRecord() and decodeChannelRecord() round-trip a real channel", () => {
  const record = funderRecord();
  const text = encodeChannelRecord(record);
  assert.deepEqual(decodeChannelRecord(text), record);
  assert.equal(encodeChannelRecord(decodeChannelRecord(text)), text);
});

Deno.test("decodeChannelRecord() names what is wrong with a damaged record", () => {
  const json = JSON.parse(encodeChannelRecord(funderRecord()));
  const bad = (change: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => decodeChannelRecord(JSON.stringify({ ...json, ...change })), pattern);
  bad({ version: 2 }, /unknown record version 2/);
  bad({ status: "open" }, /unknown channel status open/);
  bad({ channel_id: "00" }, /channel_id is not 32 bytes/);
  bad({ we_funded: undefined }, /we_funded is missing/);
  bad({ funding_vout: -1 }, /funding_vout is not a count/);
  bad({ state: json.state.slice(0, -2) }, /./);
});

Deno.test("ChannelFiles saves atomically (mode 0600), loads every channel and reports unreadable files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-channel-files-" });
  try {
    const files = new ChannelFiles(`${dir}/channels`);
    assert.deepEqual(await files.loadAll(), { records: [], unreadable: [] });
    const a = funderRecord(), b = funderRecord();
    await files.save(a);
    await files.save(b);
    await files.save({ ...a, status: "normal", remoteReady: true });
    const names = [...Deno.readDirSync(`${dir}/channels`)].map((e) => e.name).sort();
    assert.equal(names.length, 2, `no temp files left: ${names}`);
    const mode = Deno.statSync(`${dir}/channels/${names[0]}`).mode! & 0o777;
    assert.equal(mode, 0o600);
    await Deno.writeTextFile(`${dir}/channels/${"cd".repeat(32)}.json`, "{not json");
    const { records, unreadable } = await files.loadAll();
    assert.equal(records.length, 2);
    const loadedA = records.find((r) =>
      r.fundingOutpoint.txid.every((x, i) => x === a.fundingOutpoint.txid[i])
    );
    assert.equal(loadedA?.status, "normal");
    assert.equal(loadedA?.remoteReady, true);
    assert.equal(unreadable.length, 1);
    assert.match(unreadable[0]!, /^(cd){32}\.json: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { BackupWriter } from "./backup_writer.ts";
import { ringOf } from "./_watch_fixture.ts";
import { openRecordPair } from "./_test_channel.ts";
import { decodeStaticBackup, readStaticBackup, restoredRecord } from "./static_backup.ts";
import { WatchBridge } from "./watch_bridge.ts";
import type { ChannelStore } from "./channel_store.ts";

const key = ringOf("ours").backupKey();

function writerIn(dir: string, lines: string[] = []) {
  return new BackupWriter({
    path: `${dir}/lightning/channels.backup`,
    networkMagic: REGTEST.magic,
    peerAddress: (id) => id.startsWith("00") ? "" : "127.0.0.1:18555",
    txHeight: () => Promise.resolve(7),
    tipHeight: () => 9,
    log: (line) => lines.push(line),
  });
}

Deno.test("BackupWriter writes nothing before the key, then the list at once, sealed and 0600", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const w = writerIn(dir, lines);
    const { funder } = openRecordPair();
    await w.onStored(funder);
    await assert.rejects(Deno.stat(`${dir}/lightning/channels.backup`), Deno.errors.NotFound);
    assert.equal(w.encode(), undefined);
    await w.useKey(key);
    const path = `${dir}/lightning/channels.backup`;
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    const [c] = await readStaticBackup(path, key, REGTEST.magic);
    assert.equal(toHex(c!.channelId), toHex(funder.channelId));
    assert.equal(c!.peerAddress, "127.0.0.1:18555");
    assert.equal(c!.fundingHeight, 7);
    assert.equal(c!.fundingValue, 10n ** 8n);
    // The service's random secrets ride along (no words re-derive them).
    assert.equal(c!.ownSecrets?.payment, funder.secrets.payment);
    assert.deepEqual(decodeStaticBackup(w.encode()!, key, REGTEST.magic), [c]);
    assert.deepEqual(lines, ["ln: static channel backup written (1 channels)"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("BackupWriter rewrites on a new channel, a moved outpoint and a closed channel only", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    const w = writerIn(dir, lines);
    await w.useKey(key);
    const one = openRecordPair().funder, two = openRecordPair().funder;
    await w.onStored(one);
    await w.onStored({ ...one, localReady: true }); // same list: not rewritten
    await w.onStored(two);
    const moved = { ...one, fundingOutpoint: { txid: new Uint8Array(32).fill(5), vout: 0 } };
    await w.onStored(moved);
    const path = `${dir}/lightning/channels.backup`;
    const listed = await readStaticBackup(path, key, REGTEST.magic);
    assert.equal(listed.length, 2);
    const m = listed.find((c) => toHex(c.channelId) === toHex(one.channelId))!;
    assert.equal(toHex(m.fundingOutpoint.txid), toHex(moved.fundingOutpoint.txid));
    await w.onStored({ ...two, status: "closed" });
    await w.onStored({ ...moved, status: "abandoned" });
    assert.deepEqual(await readStaticBackup(path, key, REGTEST.magic), []);
    // The empty list at unlock, then one write per change (the ready flag was none).
    assert.deepEqual(
      lines.map((l) => Number(/\((\d+) channels\)/.exec(l)![1])),
      [0, 1, 2, 2, 1, 0],
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a restored service channel lends the watcher the secrets its backup carried", () => {
  const { funder } = openRecordPair();
  const ring = ringOf("ours");
  const bridge = new WatchBridge({} as ChannelStore, ring, {
    txHeight: () => Promise.resolve(undefined),
    tipHeight: () => 0,
  });
  const index = 0xffff_ffff;
  assert.throws(() => bridge.channelSecrets(index, funder.channelId), /does not hold it/);
  const record = restoredRecord({
    channelId: funder.channelId,
    keyIndex: index,
    peerNodeKey: new Uint8Array(32),
    peerAddress: "",
    funder: "local",
    fundingOutpoint: funder.fundingOutpoint,
    fundingValue: 1n,
    fundingHeight: 1,
    local: funder.state.config.localParams,
    remote: funder.state.config.remoteParams,
    ownSecrets: funder.secrets,
  });
  assert.equal(bridge.learnRestored([record]), 1);
  const s = bridge.channelSecrets(index, funder.channelId);
  assert.equal(s.paymentSecret, funder.secrets.payment);
  assert.equal(s.revocationSecret, funder.secrets.revocation);
  assert.deepEqual(s.fundingSeed, funder.secrets.fundingSeed);
});

Deno.test("BackupWriter never fails the service's save: a failure is logged and the next change retries", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const lines: string[] = [];
    let chainDown = true;
    const w = new BackupWriter({
      path: `${dir}/lightning/channels.backup`,
      networkMagic: REGTEST.magic,
      peerAddress: () => "",
      txHeight: () => chainDown ? Promise.reject(new Error("store closed")) : Promise.resolve(3),
      tipHeight: () => 3,
      log: (line) => lines.push(line),
    });
    await w.useKey(key);
    const { funder } = openRecordPair();
    await w.onStored(funder); // resolves
    assert.match(lines.at(-1)!, /^error: ln: static channel backup not updated: store closed$/);
    chainDown = false;
    await w.onStored(funder);
    const path = `${dir}/lightning/channels.backup`;
    assert.equal((await readStaticBackup(path, key, REGTEST.magic)).length, 1);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

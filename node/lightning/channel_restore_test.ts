import assert from "node:assert/strict";
import { MAINNET, REGTEST } from "../../core/consensus/params.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import {
  decodeChannelMessage,
  encodeChannelMessage,
} from "../../core/lightning/channel_messages.ts";
import type { ChannelRecord } from "./channel_record.ts";
import { lostStateReestablish, restoreChannels, type RestoreDeps } from "./channel_restore.ts";
import { ourParams, peerParams, ringOf } from "./_watch_fixture.ts";
import { type BackupChannel, encodeStaticBackup, StaticBackupError } from "./static_backup.ts";

const key = ringOf("ours").backupKey();

function channel(i: number, address = `10.0.0.${i}:18555`): BackupChannel {
  return {
    channelId: new Uint8Array(32).fill(i),
    keyIndex: i,
    peerNodeKey: new Uint8Array(32).fill(100 + i),
    peerAddress: address,
    funder: "local",
    fundingOutpoint: { txid: new Uint8Array(32).fill(200 + i), vout: 0 },
    fundingValue: 500_000n,
    fundingHeight: 40,
    local: ourParams,
    remote: peerParams,
  };
}

function depsFor(known: Set<string>, events: string[], failing = new Set<string>()): RestoreDeps {
  return {
    networkMagic: REGTEST.magic,
    known: (id) => Promise.resolve(known.has(id)),
    watch: (records: readonly ChannelRecord[]) => {
      events.push(`watch ${records.map((r) => r.channelId[0]).join(",")}`);
      return Promise.resolve();
    },
    sendTo: (nodeId, address, m) => {
      if (failing.has(address)) return Promise.reject(new Error("connection refused"));
      events.push(`send ${nodeId.slice(0, 2)} ${address} ${m.nextCommitmentNumber}`);
      return Promise.resolve();
    },
  };
}

Deno.test("restoreChannels() watches unknown channels first, then asks each peer; known ones are skipped", async () => {
  const bytes = encodeStaticBackup(
    [channel(1), channel(2), channel(3, ""), channel(4)],
    key,
    REGTEST.magic,
  );
  const events: string[] = [];
  const report = await restoreChannels(
    bytes,
    key,
    depsFor(new Set([toHex(channel(2).channelId)]), events, new Set(["10.0.0.4:18555"])),
  );
  assert.deepEqual(events, ["watch 1,3,4", "send 65 10.0.0.1:18555 1"]);
  assert.deepEqual(report.skipped.map((c) => c.channelId), [toHex(channel(2).channelId)]);
  assert.deepEqual(
    report.restored.map((c) => [c.channelId.slice(0, 2), c.askedToClose, c.error !== undefined]),
    [["01", true, false], ["03", false, true], ["04", false, true]],
  );
  assert.match(report.restored[1]!.error!, /no address/);
  assert.match(report.restored[2]!.error!, /connection refused/);
});

Deno.test("restoreChannels() changes nothing for another wallet's, another network's or a damaged backup", async () => {
  const bytes = encodeStaticBackup([channel(1)], key, REGTEST.magic);
  const events: string[] = [];
  for (
    const [b, k, magic, reason] of [
      [bytes, ringOf("other").backupKey(), REGTEST.magic, "wrong-key-or-damaged"],
      [bytes, key, MAINNET.magic, "wrong-key-or-damaged"],
      [bytes.slice(0, -1), key, REGTEST.magic, "wrong-key-or-damaged"],
      [new TextEncoder().encode("hello"), key, REGTEST.magic, "not-a-backup"],
    ] as const
  ) {
    await assert.rejects(
      restoreChannels(b, k, { ...depsFor(new Set(), events), networkMagic: magic }),
      (e) => e instanceof StaticBackupError && e.reason === reason,
    );
  }
  assert.deepEqual(events, []);
});

Deno.test("lostStateReestablish() is a channel_reestablish at commitment 0 proving no revocation", () => {
  const m = lostStateReestablish(new Uint8Array(32).fill(9));
  const { id, payload } = encodeChannelMessage(m);
  assert.deepEqual(decodeChannelMessage(id, payload), m);
  assert.equal(m.nextCommitmentNumber, 1n);
  assert.equal(m.nextRevocationNumber, 0n);
  assert.deepEqual(m.yourLastPerCommitmentSecret, new Uint8Array(32));
});

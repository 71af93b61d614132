import assert from "node:assert/strict";
import { MAINNET, REGTEST } from "../../core/consensus/params.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { ChannelKeyRing } from "./channel_keys.ts";
import {
  type BackupChannel,
  decodeStaticBackup,
  encodeStaticBackup,
  readStaticBackup,
  restoredRecord,
  StaticBackupError,
  writeStaticBackup,
} from "./static_backup.ts";
import { ourParams, peerParams, ringOf } from "./_watch_fixture.ts";

const key = ringOf("ours").backupKey();
const magic = REGTEST.magic;

function channel(i: number): BackupChannel {
  return {
    channelId: new Uint8Array(32).fill(i),
    keyIndex: i,
    peerNodeKey: new Uint8Array(32).fill(100 + i),
    peerAddress: `10.0.0.${i}:18555`,
    funder: i % 2 === 0 ? "local" : "remote",
    fundingOutpoint: { txid: new Uint8Array(32).fill(200 + i), vout: i },
    fundingValue: 500_000n + BigInt(i),
    fundingHeight: 40 + i,
    local: ourParams,
    remote: peerParams,
  };
}

function reason(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof StaticBackupError, `not a StaticBackupError: ${e}`);
    return e.reason;
  }
  throw new Error("did not throw");
}

Deno.test("decodeStaticBackup() gives back the channels encodeStaticBackup() sealed", () => {
  const channels = [channel(1), channel(2), channel(3)];
  const bytes = encodeStaticBackup(channels, key, magic);
  assert.deepEqual(decodeStaticBackup(bytes, key, magic), channels);
  assert.deepEqual(decodeStaticBackup(encodeStaticBackup([], key, magic), key, magic), []);
  // Sealed: the peer addresses are not readable in the file.
  assert.ok(!new TextDecoder("latin1").decode(bytes).includes("10.0.0.1"));
});

Deno.test("decodeStaticBackup() refuses another wallet's key and another network", () => {
  const bytes = encodeStaticBackup([channel(1)], key, magic);
  assert.equal(
    reason(() => decodeStaticBackup(bytes, ringOf("other").backupKey(), magic)),
    "wrong-key-or-damaged",
  );
  assert.equal(reason(() => decodeStaticBackup(bytes, key, MAINNET.magic)), "wrong-key-or-damaged");
  assert.throws(
    () => decodeStaticBackup(bytes, ringOf("other").backupKey(), magic),
    /another wallet/,
  );
});

Deno.test("decodeStaticBackup() refuses every truncation and every flipped byte with a clear reason", () => {
  const bytes = encodeStaticBackup([channel(1), channel(2)], key, magic);
  for (let n = 0; n < bytes.length; n++) {
    const r = reason(() => decodeStaticBackup(bytes.slice(0, n), key, magic));
    assert.ok(r === "not-a-backup" || r === "wrong-key-or-damaged", `cut at ${n}: ${r}`);
  }
  for (let i = 0; i < bytes.length; i++) {
    const bad = bytes.slice();
    bad[i]! ^= 0x01;
    const r = reason(() => decodeStaticBackup(bad, key, magic));
    const expected = i < 6 ? "not-a-backup" : i === 6 ? "version" : "wrong-key-or-damaged";
    assert.equal(r, expected, `byte ${i}`);
  }
  assert.equal(
    reason(() => decodeStaticBackup(new Uint8Array([1, 2, 3]), key, magic)),
    "not-a-backup",
  );
});

Deno.test("a backup written to a file restores from the wallet's words alone", async () => {
  const words = "abandon ".repeat(23) + "art";
  const wallet = Wallet.fromMnemonic(REGTEST, words);
  const dir = await Deno.makeTempDir({ prefix: "rnt-scb-" });
  try {
    const path = `${dir}/channel.backup`;
    const ring = new ChannelKeyRing(wallet.lightningRootSecret());
    await writeStaticBackup(path, [channel(4)], ring.backupKey(), magic);
    // A fresh wallet from the same words (the node lost everything but the backup file).
    const again = new ChannelKeyRing(Wallet.fromMnemonic(REGTEST, words).lightningRootSecret());
    const restored = await readStaticBackup(path, again.backupKey(), magic);
    assert.deepEqual(restored, [channel(4)]);
    const record = restoredRecord(restored[0]!);
    assert.equal(record.localCommit, null);
    assert.equal(record.state.version, 0);
    // The payment basepoint re-derives: what claims to_other.
    assert.deepEqual(
      again.channelParams(4, 1, 1n).paymentBasepoint,
      ring.channelParams(4, 1, 1n).paymentBasepoint,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

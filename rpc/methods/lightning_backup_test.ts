/**
 * ln_backup and ln_restore in-process on a real node (scripted chainstate on LevelDB, a real
 * wallet file loaded with loadwallet, the real backup writer): the error of each refusal with its
 * Core code, and the backup that opens with the loaded wallet's key.
 */
import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { BackupWriter } from "../../node/lightning/backup_writer.ts";
import { ChannelKeyRing } from "../../node/lightning/channel_keys.ts";
import { restoreChannels } from "../../node/lightning/channel_restore.ts";
import { decodeStaticBackup, encodeStaticBackup } from "../../node/lightning/static_backup.ts";
import { FAST_TEST_KDF, writeWallet } from "../../node/wallet/store.ts";
import { startScriptedNode } from "./_test_node.ts";
import { attachLnBackup } from "./lightning.ts";

const WORDS = "abandon ".repeat(23) + "art";

Deno.test("ln_backup and ln_restore refuse with Core's codes and nothing changes", async () => {
  const { node, call, close, dir } = await startScriptedNode(REGTEST);
  try {
    assert.match((await call("ln_backup")).error!.message, /Lightning is not running/);
    const writer = new BackupWriter({
      path: `${dir}/lightning/channels.backup`,
      networkMagic: REGTEST.magic,
      peerAddress: () => "",
      txHeight: () => Promise.resolve(undefined),
      tipHeight: () => 0,
      log: () => {},
    });
    const reached: string[] = [];
    attachLnBackup(node, {
      writer,
      restore: (bytes, key) =>
        restoreChannels(bytes, key, {
          networkMagic: REGTEST.magic,
          known: () => Promise.resolve(false),
          watch: (records) => {
            reached.push(`watch ${records.length}`);
            return Promise.resolve();
          },
          sendTo: () => Promise.reject(new Error("no peer in this test")),
        }),
    });
    // No wallet was ever unlocked: the backup cannot be sealed or opened (−13).
    assert.equal((await call("ln_backup")).error?.code, -13);
    assert.equal((await call("ln_restore", "zz")).error?.code, -8);
    assert.equal((await call("ln_restore", "abc")).error?.code, -8);
    assert.equal((await call("ln_restore", 7)).error?.code, -3); // the registry's type check
    const ours = Wallet.fromMnemonic(REGTEST, WORDS);
    const ring = new ChannelKeyRing(ours.lightningRootSecret());
    const empty = toHex(encodeStaticBackup([], ring.backupKey(), REGTEST.magic));
    assert.equal((await call("ln_restore", empty)).error?.code, -13);

    await writeWallet(`${dir}/wallet.dat`, ours, "pw", FAST_TEST_KDF);
    assert.equal((await call("loadwallet", "", "pw")).error, undefined);
    // Not a backup, another wallet's, another network's, damaged: −8 with the decoder's words.
    const notOne = await call("ln_restore", "00".repeat(40));
    assert.equal(notOne.error?.code, -8);
    assert.match(notOne.error!.message, /not an rnt static channel backup/);
    const other = new ChannelKeyRing(new Uint8Array(32).fill(3)).backupKey();
    for (
      const bytes of [
        encodeStaticBackup([], other, REGTEST.magic),
        encodeStaticBackup([], ring.backupKey(), new Uint8Array([1, 2, 3, 4])),
        fromHex(empty).slice(0, -1),
      ]
    ) {
      const r = await call("ln_restore", toHex(bytes));
      assert.equal(r.error?.code, -8);
      assert.match(r.error!.message, /another wallet or for another network, or it is damaged/);
    }
    assert.deepEqual(reached, []);
    // Our own (empty) backup restores nothing.
    assert.deepEqual((await call("ln_restore", empty)).result, { restored: [], skipped: [] });
    assert.deepEqual(reached, ["watch 0"]);

    // Once the key is known, ln_backup gives the sealed list, which opens with the wallet's key.
    await writer.useKey(ring.backupKey());
    const backup = (await call("ln_backup")).result as { backup: string; channels: number };
    assert.equal(backup.channels, 0);
    assert.deepEqual(
      decodeStaticBackup(fromHex(backup.backup), ring.backupKey(), REGTEST.magic),
      [],
    );
  } finally {
    await close();
  }
});

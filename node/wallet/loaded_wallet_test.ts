import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { WalletFileError } from "../../core/wallet/wallet_errors.ts";
import { LoadedWallet } from "./loaded_wallet.ts";
import { FAST_TEST_KDF, openWallet, writeWallet } from "./store.ts";

const SPEC = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } } as const;

Deno.test("LoadedWallet: saves started together all land, the last one wins, backup included", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/wallet.dat`;
    const w = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
    w.newAddress(SPEC);
    await writeWallet(path, w, "pw", FAST_TEST_KDF);
    const loaded = await LoadedWallet.load(path, "pw", REGTEST);
    const saves = [];
    for (let i = 0; i < 3; i++) {
      loaded.wallet.newAddress(SPEC);
      saves.push(loaded.save());
    }
    const backup = loaded.backup(`${dir}/backup.dat`);
    await Promise.all([...saves, backup]);
    await loaded.settled();
    for (const file of [path, `${dir}/backup.dat`]) {
      const again = await openWallet(file, "pw", REGTEST);
      assert.equal(again.wallet.addresses().length, 4, file);
      again.key?.destroy();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LoadedWallet.load() refuses a wrong passphrase with WalletFileError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/wallet.dat`;
    await writeWallet(path, Wallet.generate(REGTEST), "pw", FAST_TEST_KDF);
    await assert.rejects(() => LoadedWallet.load(path, "nope", REGTEST), WalletFileError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

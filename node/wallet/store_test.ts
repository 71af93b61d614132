import assert from "node:assert/strict";
import { REGTEST, TESTNET } from "../../core/consensus/params.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import { WalletError, WalletFileError } from "../../core/wallet/wallet_errors.ts";
import { readWalletFileHeader } from "../../core/wallet/wallet_file.ts";
import { FAST_TEST_KDF, openWallet, saveWallet, unlockWallet, writeWallet } from "./store.ts";

const SPEC = { kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } } as const;

async function tempWallet() {
  const dir = await Deno.makeTempDir();
  const path = `${dir}/wallet.dat`;
  const w = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
  w.newAddress(SPEC);
  await writeWallet(path, w, "pw", FAST_TEST_KDF);
  return { dir, path };
}

Deno.test("saveWallet() after openWallet() reuses the unlock's keys: same salt, new IV, no KDF", async () => {
  const { dir, path } = await tempWallet();
  const before = await Deno.readFile(path);
  const w = await openWallet(path, "pw", REGTEST);
  assert.ok(w.key);
  w.wallet.newAddress(SPEC);
  await saveWallet(w);
  const after = await Deno.readFile(path);
  // writeWallet() would draw a new salt (it runs the KDF); the unlock's key keeps the header.
  assert.deepEqual(readWalletFileHeader(after), readWalletFileHeader(before));
  assert.notDeepEqual(after, before);
  if (Deno.build.os !== "windows") assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
  const again = await openWallet(path, "pw", REGTEST);
  assert.equal(again.wallet.addresses().length, 2);
  await assert.rejects(openWallet(path, "wrong", REGTEST), WalletFileError);
  // A backup written with the same key opens with the same passphrase.
  await saveWallet(again, `${dir}/backup.dat`);
  assert.equal((await openWallet(`${dir}/backup.dat`, "pw", REGTEST)).wallet.addresses().length, 2);
  w.key!.destroy();
  again.key!.destroy();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("unlockWallet() refuses a wallet of another network", async () => {
  const { dir, path } = await tempWallet();
  await assert.rejects(
    unlockWallet(await Deno.readFile(path), "pw", TESTNET),
    (e) => e instanceof WalletError && e.reason === "bad-wallet-data",
  );
  await Deno.remove(dir, { recursive: true });
});

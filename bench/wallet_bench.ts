/**
 * Wallet unlock: opening our wallet file (Argon2id m = 64 MiB, t = 3, p = 1, then HMAC check,
 * AES-256-CBC decrypt and JSON parse) vs noble's argon2id alone with the same parameters
 * (baseline). Goal: unlock ≤ 1.2 s.
 *
 * Run: `deno bench --allow-read bench/wallet_bench.ts`
 *
 * @module
 */
import { argon2id } from "@noble/hashes/argon2.js";
import { REGTEST } from "../core/consensus/params.ts";
import { Wallet } from "../core/wallet/wallet.ts";
import { decodeWalletFile, encodeWalletFile } from "../core/wallet/wallet_data.ts";
import { DEFAULT_KDF } from "../core/wallet/wallet_file.ts";

const wallet = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
for (let i = 0; i < 20; i++) {
  wallet.newAddress({ kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } });
}
const file = await encodeWalletFile(wallet.toData(), "bench passphrase");
const salt = new Uint8Array(16).fill(7);

Deno.bench({
  name: "noble argon2id (m=64 MiB, t=3, p=1)",
  group: "unlock",
  baseline: true,
  n: 3,
  warmup: 1,
  fn() {
    argon2id("bench passphrase", salt, {
      m: DEFAULT_KDF.memoryKiB,
      t: DEFAULT_KDF.iterations,
      p: DEFAULT_KDF.parallelism,
      dkLen: 64,
    });
  },
});

Deno.bench({
  name: "decodeWalletFile (Argon2id + HMAC + AES-CBC + JSON)",
  group: "unlock",
  n: 3,
  warmup: 1,
  async fn() {
    await decodeWalletFile(file, "bench passphrase");
  },
});

Deno.bench({
  name: "decodeWalletFile, blocking (sync Argon2id)",
  group: "unlock",
  n: 3,
  warmup: 1,
  async fn() {
    await decodeWalletFile(file, "bench passphrase", { blocking: true });
  },
});

/**
 * Wallet unlock: opening our wallet file (Argon2id m = 64 MiB, t = 3, p = 1 via hash-wasm, then
 * HMAC check, AES-256-CBC decrypt and JSON parse), and the whole `rnt wallet` unlock (that plus
 * `Wallet.fromData`, which re-derives the seed and every address), vs noble's argon2id alone
 * with the same parameters (baseline, the KDF the wallet used before). Goal: unlock ≤ 1.2 s.
 * Deno prints each candidate's time and its ratio to the baseline of the same run.
 *
 * Run: `deno bench --allow-read --allow-env bench/wallet_bench.ts`
 *
 * @module
 */
import { argon2id } from "@noble/hashes/argon2.js";
import { REGTEST } from "../core/consensus/params.ts";
import { deriveArgon2id } from "../core/wallet/kdf.ts";
import { Wallet } from "../core/wallet/wallet.ts";
import { decodeWalletFile, encodeWalletFile } from "../core/wallet/wallet_data.ts";
import { DEFAULT_KDF } from "../core/wallet/wallet_file.ts";
import { decodeWallet } from "../node/wallet/store.ts";

const wallet = Wallet.fromMnemonic(REGTEST, "abandon ".repeat(23) + "art");
for (let i = 0; i < 20; i++) {
  wallet.newAddress({ kind: "heartbeat", intervalSecs: 600, recovery: { type: "own" } });
}
const file = await encodeWalletFile(wallet.toData(), "bench passphrase");
const salt = new Uint8Array(16).fill(7);
const password = new TextEncoder().encode("bench passphrase");

Deno.bench({
  name: "noble argon2id (m=64 MiB, t=3, p=1)",
  group: "unlock",
  baseline: true,
  n: 3,
  warmup: 1,
  fn() {
    argon2id(password, salt, {
      m: DEFAULT_KDF.memoryKiB,
      t: DEFAULT_KDF.iterations,
      p: DEFAULT_KDF.parallelism,
      dkLen: 64,
    });
  },
});

Deno.bench({
  name: "deriveArgon2id, hash-wasm (the wallet KDF alone)",
  group: "unlock",
  n: 3,
  warmup: 1,
  async fn() {
    await deriveArgon2id(password, salt, DEFAULT_KDF, 64);
  },
});

Deno.bench({
  name: "decodeWalletFile (KDF + HMAC + AES-CBC + JSON)",
  group: "unlock",
  n: 3,
  warmup: 1,
  async fn() {
    await decodeWalletFile(file, "bench passphrase");
  },
});

Deno.bench({
  name: "decodeWallet: whole unlock incl. Wallet.fromData (20 addresses)",
  group: "unlock",
  n: 3,
  warmup: 1,
  async fn() {
    await decodeWallet(file, "bench passphrase", REGTEST);
  },
});

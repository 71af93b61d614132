/**
 * The wallet file of `rnt wallet`: `<datadir>/wallet.dat` (or `--wallet FILE`), encrypted with
 * the passphrase (Argon2id, `core/wallet/kdf.ts`). A file is rewritten with the KDF
 * parameters it was made with, atomically; a wrong passphrase or a modified byte fails before
 * anything is written. A command unlocks once: {@linkcode openWallet} keeps the file's derived
 * keys, and {@linkcode saveWallet} rewrites with them (same salt, fresh IV) instead of running
 * the KDF again.
 *
 * @module
 */
import type { NetworkParams } from "../../core/consensus/params.ts";
import { Wallet } from "../../core/wallet/wallet.ts";
import {
  decodeWalletData,
  decodeWalletFile,
  encodeWalletData,
  saveWalletFile,
  type WalletData,
} from "../../core/wallet/wallet_data.ts";
import { WalletError, WalletFileError } from "../../core/wallet/wallet_errors.ts";
import {
  DEFAULT_KDF,
  type KdfParams,
  MAX_WALLET_FILE_BYTES,
  readWalletFileHeader,
  unlockWalletBytes,
  type WalletFileKey,
} from "../../core/wallet/wallet_file.ts";
import { writeFileAtomic } from "../../core/util/atomic_write.ts";

/** Argon2id parameters of `--insecure-fast-kdf` (regtest tests only: 64 KiB, t=1). */
export const FAST_TEST_KDF: KdfParams = Object.freeze({
  memoryKiB: 64,
  iterations: 1,
  parallelism: 1,
});

/** An opened wallet with what is needed to save it again. */
export interface OpenedWallet {
  /** The wallet. */
  readonly wallet: Wallet;
  /** Its file. */
  readonly path: string;
  /** The file passphrase. */
  readonly passphrase: string;
  /** The KDF parameters the file uses. */
  readonly kdf: KdfParams;
  /** The file's derived keys (from the unlock): saving needs no second KDF run. */
  readonly key?: WalletFileKey;
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Reads a wallet file's bytes (refusing oversized files). */
export async function readWalletBytes(path: string): Promise<Uint8Array> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Error(`no wallet file at ${path} (run 'rnt wallet create' or 'recover')`);
    }
    throw e;
  }
  if (info.size > MAX_WALLET_FILE_BYTES) throw new Error(`${path} is too large for a wallet`);
  return await Deno.readFile(path);
}

/**
 * Decrypts wallet file bytes into a wallet of `params`' network. Throws WalletFileError for a
 * wrong passphrase or a damaged file, WalletError("bad-wallet-data") for another network.
 */
export async function decodeWallet(
  bytes: Uint8Array,
  passphrase: string,
  params: NetworkParams,
): Promise<{ wallet: Wallet; kdf: KdfParams }> {
  const { kdf } = readWalletFileHeader(bytes);
  const data = await decodeWalletFile(bytes, passphrase);
  return { wallet: walletOf(data, params), kdf };
}

/**
 * Like {@linkcode decodeWallet} and also returns the file's derived keys, so that the wallet
 * can be saved again without another KDF run (call `key.destroy()` when done).
 */
export async function unlockWallet(
  bytes: Uint8Array,
  passphrase: string,
  params: NetworkParams,
): Promise<{ wallet: Wallet; kdf: KdfParams; key: WalletFileKey }> {
  const { plaintext, key } = await unlockWalletBytes(bytes, passphrase);
  try {
    let data: WalletData;
    try {
      data = decodeWalletData(plaintext);
    } catch (e) {
      throw new WalletFileError("bad-plaintext", (e as Error).message);
    }
    return { wallet: walletOf(data, params), kdf: key.kdf, key };
  } catch (e) {
    key.destroy();
    throw e;
  } finally {
    plaintext.fill(0);
  }
}

function walletOf(data: WalletData, params: NetworkParams): Wallet {
  if (data.network !== params.name) {
    throw new WalletError(
      "bad-wallet-data",
      `The wallet is for ${data.network}, not ${params.name}`,
    );
  }
  return Wallet.fromData(data);
}

/** Opens the wallet file at `path` (one KDF run; the keys stay in the result for saving). */
export async function openWallet(
  path: string,
  passphrase: string,
  params: NetworkParams,
): Promise<OpenedWallet> {
  const { wallet, kdf, key } = await unlockWallet(await readWalletBytes(path), passphrase, params);
  return { wallet, path, passphrase, kdf, key };
}

/** Writes `wallet` to `path` (atomic, mode 0600) with `kdf`. */
export async function writeWallet(
  path: string,
  wallet: Wallet,
  passphrase: string,
  kdf: KdfParams = DEFAULT_KDF,
): Promise<void> {
  const weak = kdf.memoryKiB < DEFAULT_KDF.memoryKiB || kdf.iterations < DEFAULT_KDF.iterations;
  await saveWalletFile(path, wallet.toData(), passphrase, {
    kdf,
    allowWeakKdf: weak,
  });
}

/**
 * Saves an opened wallet to its file (or to `path`, e.g. a backup): with the keys of the unlock
 * when it has them (no KDF run; same parameters and salt, fresh IV), else via the passphrase.
 */
export async function saveWallet(w: OpenedWallet, path: string = w.path): Promise<void> {
  if (!w.key) return writeWallet(path, w.wallet, w.passphrase, w.kdf);
  const plaintext = encodeWalletData(w.wallet.toData());
  try {
    await writeFileAtomic(path, await w.key.encrypt(plaintext));
  } finally {
    plaintext.fill(0);
  }
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
}

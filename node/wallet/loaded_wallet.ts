/**
 * A wallet file loaded into a running node (`rnt node --wallet`, RPC `loadwallet`): the file
 * stays encrypted on disk; each change (a new address, a change address) is written back with
 * the file's own KDF parameters, one write at a time, so two RPC calls never interleave writes.
 *
 * @module
 */
import type { NetworkParams } from "../../core/consensus/params.ts";
import type { Wallet } from "../../core/wallet/wallet.ts";
import type { KdfParams } from "../../core/wallet/wallet_file.ts";
import { decodeWallet, readWalletBytes, writeWallet } from "./store.ts";

/** A wallet with its file, whose writes are serialised. */
export class LoadedWallet {
  /** The wallet. */
  readonly wallet: Wallet;
  /** Its file. */
  readonly path: string;
  readonly #passphrase: string;
  readonly #kdf: KdfParams;
  #saving: Promise<void> = Promise.resolve();

  constructor(wallet: Wallet, path: string, passphrase: string, kdf: KdfParams) {
    this.wallet = wallet;
    this.path = path;
    this.#passphrase = passphrase;
    this.#kdf = kdf;
  }

  /**
   * Reads and decrypts the wallet file at `path`. Throws what {@linkcode readWalletBytes}
   * throws for a missing or oversized file, WalletFileError for a wrong passphrase or a
   * damaged file, WalletError for another network's wallet.
   */
  static async load(
    path: string,
    passphrase: string,
    params: NetworkParams,
  ): Promise<LoadedWallet> {
    return await LoadedWallet.decode(path, await readWalletBytes(path), passphrase, params);
  }

  /** {@linkcode LoadedWallet.load} from the file's `bytes`, already read from `path`. */
  static async decode(
    path: string,
    bytes: Uint8Array,
    passphrase: string,
    params: NetworkParams,
  ): Promise<LoadedWallet> {
    const { wallet, kdf } = await decodeWallet(bytes, passphrase, params);
    return new LoadedWallet(wallet, path, passphrase, kdf);
  }

  /** Writes the wallet to its file after any write already under way. */
  save(): Promise<void> {
    return this.#queue(() => writeWallet(this.path, this.wallet, this.#passphrase, this.#kdf));
  }

  /** Writes an encrypted copy (same passphrase and KDF) to `destination`, after pending writes. */
  backup(destination: string): Promise<void> {
    return this.#queue(() => writeWallet(destination, this.wallet, this.#passphrase, this.#kdf));
  }

  /** Resolves when every write started so far has finished (failed ones included). */
  settled(): Promise<void> {
    return this.#saving;
  }

  #queue(write: () => Promise<void>): Promise<void> {
    const run = this.#saving.then(write);
    this.#saving = run.catch(() => {});
    return run;
  }
}

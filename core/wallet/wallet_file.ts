/**
 * The encrypted wallet file (and backup) format.
 *
 * Layout, integers little-endian:
 * ```
 * header  magic "RNTWALLET" (9) ‖ version u16 (1) ‖ kdf u8 (1 = Argon2id v1.3)
 *         ‖ memoryKiB u32 ‖ iterations u32 ‖ parallelism u32 ‖ salt (16)        = 40 bytes
 * iv      16 random bytes
 * body    AES-256-CBC(encKey, iv, PKCS#7(plaintext))                            (n × 16 bytes)
 * mac     HMAC-SHA256(macKey, header ‖ iv ‖ body)                               (32 bytes)
 * ```
 * `encKey ‖ macKey = Argon2id(NFKC passphrase, salt, m, t, p, 64 bytes)`. Encrypt-then-MAC:
 * the MAC is compared in constant time before anything is decrypted, so a wrong passphrase and
 * a flipped bit anywhere both give `WalletFileError("bad-mac")`. KDF parameters are bounded
 * before the KDF runs (a hostile file cannot demand gigabytes), and a writer refuses parameters
 * below the defaults unless `allowWeakKdf` is set (tests only). The KDF is `kdf.ts` (hash-wasm's
 * WebAssembly Argon2id, checked byte for byte against noble's).
 *
 * A {@linkcode WalletFileKey} keeps the derived keys of an unlocked file so that a command that
 * reads and then rewrites the wallet runs the KDF once: the rewrite keeps the header (parameters
 * and salt) and takes a fresh IV.
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { writeFileAtomic } from "../util/atomic_write.ts";
import { timingSafeEqual } from "../util/timing_safe_equal.ts";
import { deriveArgon2id } from "./kdf.ts";
import { type RandomBytes, systemRandomBytes } from "./mnemonic.ts";
import { WalletFileError } from "./wallet_errors.ts";

/** Argon2id parameters. */
export interface KdfParams {
  /** Memory in KiB (m). */
  readonly memoryKiB: number;
  /** Passes (t). */
  readonly iterations: number;
  /** Lanes (p). */
  readonly parallelism: number;
}

/** Upper bounds a reader accepts before running the KDF. */
export interface KdfLimits {
  /** Largest m in KiB. */
  readonly maxMemoryKiB: number;
  /** Largest t. */
  readonly maxIterations: number;
  /** Largest p. */
  readonly maxParallelism: number;
}

/** The parameters new files use: m = 64 MiB, t = 3, p = 1. */
export const DEFAULT_KDF: KdfParams = Object.freeze({
  memoryKiB: 64 * 1024,
  iterations: 3,
  parallelism: 1,
});

/** What a reader accepts by default: m ≤ 256 MiB, t ≤ 10, p ≤ 4. */
export const DEFAULT_KDF_LIMITS: KdfLimits = Object.freeze({
  maxMemoryKiB: 256 * 1024,
  maxIterations: 10,
  maxParallelism: 4,
});

/** The format version this code writes and reads. */
export const WALLET_FILE_VERSION = 1;
/** Largest wallet file read (before any parsing). */
export const MAX_WALLET_FILE_BYTES = 16 << 20;

const MAGIC = new TextEncoder().encode("RNTWALLET");
const KDF_ARGON2ID = 1;
const SALT_BYTES = 16;
const IV_BYTES = 16;
const MAC_BYTES = 32;
/** Bytes of the header. */
export const WALLET_HEADER_BYTES = MAGIC.length + 2 + 1 + 12 + SALT_BYTES;
const MIN_FILE_BYTES = WALLET_HEADER_BYTES + IV_BYTES + 16 + MAC_BYTES;

/** The parsed header of a wallet file. */
export interface WalletFileHeader {
  /** Format version. */
  readonly version: number;
  /** Argon2id parameters. */
  readonly kdf: KdfParams;
  /** 16-byte salt. */
  readonly salt: Uint8Array;
}

/** Options of {@linkcode encryptWalletBytes}. */
export interface EncryptOptions {
  /** KDF parameters (default {@linkcode DEFAULT_KDF}). */
  readonly kdf?: KdfParams;
  /** Allow parameters below the defaults. For tests only. */
  readonly allowWeakKdf?: boolean;
  /** Random source for salt and IV (default `crypto.getRandomValues`). */
  readonly randomBytes?: RandomBytes;
}

/** Options of {@linkcode decryptWalletBytes}. */
export interface DecryptOptions {
  /** Bounds on the file's KDF parameters (default {@linkcode DEFAULT_KDF_LIMITS}). */
  readonly limits?: KdfLimits;
}

/**
 * The two keys (AES-256 and HMAC-SHA256) of one wallet file, with the header they belong to.
 * Made by {@linkcode WalletFileKey.derive} (runs the KDF) or {@linkcode unlockWalletBytes};
 * encrypts and decrypts files of that header without the KDF. Call `destroy()` when done (it
 * zeroes the keys).
 */
export class WalletFileKey {
  /** KDF parameters of the header. */
  readonly kdf: KdfParams;
  /** Salt of the header. */
  readonly salt: Uint8Array;
  #keys: Uint8Array;

  private constructor(kdf: KdfParams, salt: Uint8Array, keys: Uint8Array) {
    this.kdf = kdf;
    this.salt = salt;
    this.#keys = keys;
  }

  /** Runs Argon2id on `passphrase` (NFKC) with `kdf` (within `limits`) and a 16-byte `salt`. */
  static async derive(
    passphrase: string,
    kdf: KdfParams,
    salt: Uint8Array,
    limits: KdfLimits = DEFAULT_KDF_LIMITS,
  ): Promise<WalletFileKey> {
    if (salt.length !== SALT_BYTES) throw new RangeError("randomBytes returned the wrong length");
    const problem = kdfProblem(kdf, limits);
    if (problem) throw new RangeError(`Invalid KDF parameters: ${problem}`);
    const pw = new TextEncoder().encode(passphrase.normalize("NFKC"));
    try {
      const keys = await deriveArgon2id(pw, salt, kdf, 64);
      return new WalletFileKey({ ...kdf }, salt.slice(), keys);
    } finally {
      pw.fill(0);
    }
  }

  /** Encrypts `plaintext` into a wallet file with this header and a fresh random IV. */
  async encrypt(
    plaintext: Uint8Array,
    randomBytes: RandomBytes = systemRandomBytes,
  ): Promise<Uint8Array> {
    const keys = this.#live();
    const iv = randomBytes(IV_BYTES);
    if (iv.length !== IV_BYTES) throw new RangeError("randomBytes returned the wrong length");
    const header = encodeHeader({ version: WALLET_FILE_VERSION, kdf: this.kdf, salt: this.salt });
    const key = await importAesKey(keys, "encrypt");
    const body = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-CBC", iv: new Uint8Array(iv) },
        key,
        new Uint8Array(plaintext),
      ),
    );
    const out = new Uint8Array(header.length + IV_BYTES + body.length + MAC_BYTES);
    out.set(header, 0);
    out.set(iv, header.length);
    out.set(body, header.length + IV_BYTES);
    const macEnd = out.length - MAC_BYTES;
    out.set(hmac(sha256, keys.subarray(32), out.subarray(0, macEnd)), macEnd);
    return out;
  }

  /**
   * Decrypts a wallet file whose header has this key's parameters and salt ("bad-mac" when it
   * has others: the keys could not match). Throws like {@linkcode decryptWalletBytes}.
   */
  async decrypt(file: Uint8Array, limits: KdfLimits = DEFAULT_KDF_LIMITS): Promise<Uint8Array> {
    const keys = this.#live();
    const header = readWalletFileHeader(file, limits);
    const bodyLength = file.length - WALLET_HEADER_BYTES - IV_BYTES - MAC_BYTES;
    if (bodyLength % 16 !== 0) {
      throw new WalletFileError(
        "truncated",
        `Wallet file body of ${bodyLength} bytes is not whole AES blocks`,
      );
    }
    const macEnd = file.length - MAC_BYTES;
    const mac = hmac(sha256, keys.subarray(32), file.subarray(0, macEnd));
    const sameHeader = timingSafeEqual(header.salt, this.salt) &&
      header.kdf.memoryKiB === this.kdf.memoryKiB &&
      header.kdf.iterations === this.kdf.iterations &&
      header.kdf.parallelism === this.kdf.parallelism;
    if (!timingSafeEqual(mac, file.subarray(macEnd)) || !sameHeader) {
      throw new WalletFileError("bad-mac", "Wrong passphrase or corrupted wallet file");
    }
    const iv = file.slice(WALLET_HEADER_BYTES, WALLET_HEADER_BYTES + IV_BYTES);
    const key = await importAesKey(keys, "decrypt");
    try {
      return new Uint8Array(
        await crypto.subtle.decrypt(
          { name: "AES-CBC", iv },
          key,
          file.slice(WALLET_HEADER_BYTES + IV_BYTES, macEnd),
        ),
      );
    } catch {
      throw new WalletFileError("bad-plaintext", "Wallet file padding is invalid");
    }
  }

  /** Zeroes the keys; later use throws. */
  destroy(): void {
    this.#keys.fill(0);
    this.#keys = new Uint8Array(0);
  }

  #live(): Uint8Array {
    if (this.#keys.length !== 64) throw new Error("WalletFileKey was destroyed");
    return this.#keys;
  }
}

/**
 * Encrypts `plaintext` under `passphrase` into the wallet file format.
 *
 * @example
 * ```ts
 * import { decryptWalletBytes, encryptWalletBytes } from "./wallet_file.ts";
 * const kdf = { memoryKiB: 64, iterations: 1, parallelism: 1 }; // tests only
 * const file = await encryptWalletBytes(new Uint8Array([1, 2, 3]), "pw", { kdf, allowWeakKdf: true });
 * console.log(await decryptWalletBytes(file, "pw")); // Uint8Array(3) [ 1, 2, 3 ]
 * ```
 */
export async function encryptWalletBytes(
  plaintext: Uint8Array,
  passphrase: string,
  opts: EncryptOptions = {},
): Promise<Uint8Array> {
  const kdf = opts.kdf ?? DEFAULT_KDF;
  const problem = kdfProblem(kdf, DEFAULT_KDF_LIMITS);
  if (problem) throw new RangeError(`Invalid KDF parameters: ${problem}`);
  if (
    !opts.allowWeakKdf &&
    (kdf.memoryKiB < DEFAULT_KDF.memoryKiB || kdf.iterations < DEFAULT_KDF.iterations)
  ) {
    throw new RangeError(
      `KDF parameters below m=${DEFAULT_KDF.memoryKiB} KiB, t=${DEFAULT_KDF.iterations} need allowWeakKdf`,
    );
  }
  const random = opts.randomBytes ?? systemRandomBytes;
  const key = await WalletFileKey.derive(passphrase, kdf, random(SALT_BYTES));
  try {
    return await key.encrypt(plaintext, random);
  } finally {
    key.destroy();
  }
}

/**
 * Parses and bounds-checks the header of a wallet file without the passphrase. Throws
 * `WalletFileError` ("too-large", "truncated", "bad-magic", "unsupported-version",
 * "unsupported-kdf", "bad-kdf-params").
 */
export function readWalletFileHeader(
  file: Uint8Array,
  limits: KdfLimits = DEFAULT_KDF_LIMITS,
): WalletFileHeader {
  if (file.length > MAX_WALLET_FILE_BYTES) {
    throw new WalletFileError("too-large", `Wallet file of ${file.length} bytes is too large`);
  }
  if (file.length < MAGIC.length || !MAGIC.every((b, i) => file[i] === b)) {
    throw new WalletFileError("bad-magic", "Not an rnt wallet file (bad magic)");
  }
  if (file.length < MIN_FILE_BYTES) {
    throw new WalletFileError("truncated", `Wallet file truncated at ${file.length} bytes`);
  }
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  let at = MAGIC.length;
  const version = view.getUint16(at, true);
  at += 2;
  if (version !== WALLET_FILE_VERSION) {
    throw new WalletFileError(
      "unsupported-version",
      `Unsupported wallet file version ${version} (this build reads ${WALLET_FILE_VERSION})`,
    );
  }
  const kdfId = file[at++]!;
  if (kdfId !== KDF_ARGON2ID) {
    throw new WalletFileError("unsupported-kdf", `Unsupported wallet KDF id ${kdfId}`);
  }
  const kdf: KdfParams = {
    memoryKiB: view.getUint32(at, true),
    iterations: view.getUint32(at + 4, true),
    parallelism: view.getUint32(at + 8, true),
  };
  at += 12;
  const problem = kdfProblem(kdf, limits);
  if (problem) throw new WalletFileError("bad-kdf-params", `Wallet file KDF ${problem}`);
  return { version, kdf, salt: file.slice(at, at + SALT_BYTES) };
}

/**
 * Decrypts a wallet file. Throws `WalletFileError`: the header reasons of
 * {@linkcode readWalletFileHeader}, "truncated" when the body is not whole AES blocks, and
 * "bad-mac" for a wrong passphrase or any modified byte (checked before decrypting).
 */
export async function decryptWalletBytes(
  file: Uint8Array,
  passphrase: string,
  opts: DecryptOptions = {},
): Promise<Uint8Array> {
  const { plaintext, key } = await unlockWalletBytes(file, passphrase, opts);
  key.destroy();
  return plaintext;
}

/**
 * Decrypts a wallet file like {@linkcode decryptWalletBytes} and also returns its
 * {@linkcode WalletFileKey}, so the caller can write the file again without another KDF run.
 */
export async function unlockWalletBytes(
  file: Uint8Array,
  passphrase: string,
  opts: DecryptOptions = {},
): Promise<{ plaintext: Uint8Array; key: WalletFileKey }> {
  const limits = opts.limits ?? DEFAULT_KDF_LIMITS;
  const header = readWalletFileHeader(file, limits);
  const bodyLength = file.length - WALLET_HEADER_BYTES - IV_BYTES - MAC_BYTES;
  if (bodyLength % 16 !== 0) {
    throw new WalletFileError(
      "truncated",
      `Wallet file body of ${bodyLength} bytes is not whole AES blocks`,
    );
  }
  const key = await WalletFileKey.derive(passphrase, header.kdf, header.salt, limits);
  try {
    return { plaintext: await key.decrypt(file, limits), key };
  } catch (e) {
    key.destroy();
    throw e;
  }
}

/** Options of {@linkcode saveEncryptedFile}. */
export interface SaveOptions extends EncryptOptions {
  /** File mode of the new file (default 0o600). */
  readonly mode?: number;
}

/**
 * Encrypts `plaintext` and replaces `path` atomically (temp file, fsync, rename), then sets
 * the mode (default 0o600). Nothing is written when encryption fails.
 */
export async function saveEncryptedFile(
  path: string,
  plaintext: Uint8Array,
  passphrase: string,
  opts: SaveOptions = {},
): Promise<void> {
  const bytes = await encryptWalletBytes(plaintext, passphrase, opts);
  await writeFileAtomic(path, bytes);
  if (Deno.build.os !== "windows") await Deno.chmod(path, opts.mode ?? 0o600);
}

/** Reads and decrypts `path` (refusing files over {@linkcode MAX_WALLET_FILE_BYTES}). */
export async function loadEncryptedFile(
  path: string,
  passphrase: string,
  opts: DecryptOptions = {},
): Promise<Uint8Array> {
  const info = await Deno.stat(path);
  if (info.size > MAX_WALLET_FILE_BYTES) {
    throw new WalletFileError("too-large", `Wallet file of ${info.size} bytes is too large`);
  }
  return decryptWalletBytes(await Deno.readFile(path), passphrase, opts);
}

function kdfProblem(kdf: KdfParams, limits: KdfLimits): string | null {
  const { memoryKiB: m, iterations: t, parallelism: p } = kdf;
  for (const v of [m, t, p]) {
    if (!Number.isInteger(v) || v < 1) return `parameter ${v} is not a positive integer`;
  }
  if (p > limits.maxParallelism) return `parallelism ${p} above ${limits.maxParallelism}`;
  if (t > limits.maxIterations) return `iterations ${t} above ${limits.maxIterations}`;
  if (m > limits.maxMemoryKiB) return `memory ${m} KiB above ${limits.maxMemoryKiB} KiB`;
  if (m < 8 * p) return `memory ${m} KiB below 8 × parallelism`;
  return null;
}

async function importAesKey(keys: Uint8Array, usage: KeyUsage): Promise<CryptoKey> {
  const raw = new Uint8Array(keys.subarray(0, 32));
  try {
    return await crypto.subtle.importKey("raw", raw, "AES-CBC", false, [usage]);
  } finally {
    raw.fill(0);
  }
}

function encodeHeader(h: WalletFileHeader): Uint8Array {
  const out = new Uint8Array(WALLET_HEADER_BYTES);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = MAGIC.length;
  view.setUint16(at, h.version, true);
  out[at + 2] = KDF_ARGON2ID;
  at += 3;
  view.setUint32(at, h.kdf.memoryKiB, true);
  view.setUint32(at + 4, h.kdf.iterations, true);
  view.setUint32(at + 8, h.kdf.parallelism, true);
  out.set(h.salt, at + 12);
  return out;
}

/**
 * BIP39 mnemonics (REFERENCES "Keys and encodings"): 24 English words carrying 256 bits of
 * entropy and an 8-bit checksum; seed = PBKDF2-HMAC-SHA512(NFKD words, "mnemonic" ‖ NFKD
 * passphrase, 2048 rounds, 64 bytes). Built on `@scure/bip39`.
 *
 * @module
 */
import {
  entropyToMnemonic,
  mnemonicToEntropy,
  mnemonicToSeedSync,
  validateMnemonic,
} from "@scure/bip39";
import { wordlist } from "@scure/bip39/wordlists/english.js";
import { WalletError } from "./wallet_errors.ts";

/** Words in a wallet mnemonic. */
export const MNEMONIC_WORDS = 24;
/** Entropy behind a 24-word mnemonic, bytes. */
export const MNEMONIC_ENTROPY_BYTES = 32;

/** A source of random bytes (injectable for tests). */
export type RandomBytes = (n: number) => Uint8Array;

/** `crypto.getRandomValues` as a {@linkcode RandomBytes}. */
export const systemRandomBytes: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n));

/**
 * A fresh 24-word mnemonic from 32 random bytes.
 *
 * @example
 * ```ts
 * import { generateMnemonic } from "./mnemonic.ts";
 * console.log(generateMnemonic().split(" ").length); // 24
 * ```
 */
export function generateMnemonic(randomBytes: RandomBytes = systemRandomBytes): string {
  const entropy = randomBytes(MNEMONIC_ENTROPY_BYTES);
  if (entropy.length !== MNEMONIC_ENTROPY_BYTES) {
    throw new RangeError(`randomBytes returned ${entropy.length} bytes, expected 32`);
  }
  return entropyToMnemonic(entropy, wordlist);
}

/** The 24-word mnemonic of 32 bytes of entropy. */
export function mnemonicFromEntropy(entropy: Uint8Array): string {
  if (entropy.length !== MNEMONIC_ENTROPY_BYTES) {
    throw new RangeError(`Entropy must be 32 bytes, got ${entropy.length}`);
  }
  return entropyToMnemonic(entropy, wordlist);
}

/**
 * Normalises and checks a typed mnemonic: NFKD, lower case, single spaces. Throws
 * `WalletError("bad-mnemonic")` naming the problem (word count, the position of a word that is
 * not in the list, or a checksum mismatch) without echoing any word.
 *
 * @example
 * ```ts
 * import { checkMnemonic } from "./mnemonic.ts";
 * const words = "  Abandon " + "abandon ".repeat(22) + "art";
 * console.log(checkMnemonic(words).startsWith("abandon abandon")); // true
 * ```
 */
export function checkMnemonic(text: string): string {
  const words = text.normalize("NFKD").toLowerCase().trim().split(/\s+/).filter((w) => w);
  if (words.length !== MNEMONIC_WORDS) {
    throw new WalletError(
      "bad-mnemonic",
      `Mnemonic must have ${MNEMONIC_WORDS} words, got ${words.length}`,
    );
  }
  const known = wordSet();
  const bad = words.findIndex((w) => !known.has(w));
  if (bad >= 0) {
    throw new WalletError(
      "bad-mnemonic",
      `Mnemonic word ${bad + 1} is not in the BIP39 English word list`,
    );
  }
  const normal = words.join(" ");
  if (!validateMnemonic(normal, wordlist)) {
    throw new WalletError(
      "bad-mnemonic",
      "Mnemonic checksum does not match: a word is wrong or out of order",
    );
  }
  return normal;
}

/** The 32 entropy bytes of a valid 24-word mnemonic (see {@linkcode checkMnemonic}). */
export function mnemonicEntropy(text: string): Uint8Array {
  return mnemonicToEntropy(checkMnemonic(text), wordlist);
}

/**
 * The 64-byte BIP39 seed of a valid 24-word mnemonic and an optional passphrase (NFKD).
 *
 * @example
 * ```ts
 * import { mnemonicToSeed } from "./mnemonic.ts";
 * const seed = mnemonicToSeed("abandon ".repeat(23) + "art", "TREZOR");
 * console.log(seed.length); // 64
 * ```
 */
export function mnemonicToSeed(text: string, passphrase = ""): Uint8Array {
  return mnemonicToSeedSync(checkMnemonic(text), passphrase.normalize("NFKD"));
}

let words: Set<string> | undefined;
function wordSet(): Set<string> {
  return words ??= new Set(wordlist);
}

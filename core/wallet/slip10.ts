/**
 * SLIP-0010 Ed25519 key derivation (REFERENCES "Keys and encodings"): master
 * I = HMAC-SHA512("ed25519 seed", seed); child I = HMAC-SHA512(chain code, 0x00 ‖ key ‖
 * ser32(i)), hardened indexes only (i ≥ 2^31). Left half = private key (the RFC 8032 seed),
 * right half = chain code.
 *
 * Wallet keys live at `m/44'/9555'/account'/branch'/index'` ({@linkcode walletKeyPath}).
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha512 } from "@noble/hashes/sha2.js";
import { keyPairFromSeed } from "../crypto/ed25519.ts";
import { WalletError } from "./wallet_errors.ts";

/** The first hardened index, 2^31. */
export const HARDENED_OFFSET = 0x8000_0000;
/** BIP44 purpose. */
export const PURPOSE = 44;
/** The rnt coin type in wallet paths (every network). */
export const COIN_TYPE = 9555;

/** An extended private key. */
export interface Slip10Node {
  /** 32-byte private key (an Ed25519 seed). */
  readonly privateKey: Uint8Array;
  /** 32-byte chain code. */
  readonly chainCode: Uint8Array;
  /** 0 for the master key. */
  readonly depth: number;
}

const MASTER_KEY = new TextEncoder().encode("ed25519 seed");

/**
 * The master node of a 16..64-byte seed; RangeError for another length.
 *
 * @example
 * ```ts
 * import { slip10Master } from "./slip10.ts";
 * console.log(slip10Master(new Uint8Array(16)).depth); // 0
 * ```
 */
export function slip10Master(seed: Uint8Array): Slip10Node {
  if (seed.length < 16 || seed.length > 64) {
    throw new RangeError(`Seed must be 16..64 bytes, got ${seed.length}`);
  }
  return split(hmac(sha512, MASTER_KEY, seed), 0);
}

/**
 * The hardened child `index` (≥ 2^31, ≤ 2^32 − 1) of `node`; a normal index throws
 * `WalletError("bad-path")` since Ed25519 has no normal derivation.
 */
export function slip10Child(node: Slip10Node, index: number): Slip10Node {
  if (!Number.isInteger(index) || index < 0 || index > 0xffff_ffff) {
    throw new WalletError("bad-path", `Derivation index out of range: ${index}`);
  }
  if (index < HARDENED_OFFSET) {
    throw new WalletError(
      "bad-path",
      `Ed25519 derivation must be hardened, got normal index ${index}`,
    );
  }
  const data = new Uint8Array(37);
  data.set(node.privateKey, 1);
  new DataView(data.buffer).setUint32(33, index, false);
  return split(hmac(sha512, node.chainCode, data), node.depth + 1);
}

/**
 * Parses `m/a'/b'/…` into hardened indexes (`'`, `h` or `H` mark hardened). A component
 * without the mark, a non-decimal or leading-zero number, or one ≥ 2^31 throws
 * `WalletError("bad-path")`.
 *
 * @example
 * ```ts
 * import { parseDerivationPath } from "./slip10.ts";
 * console.log(parseDerivationPath("m/0'/1h")); // [ 2147483648, 2147483649 ]
 * ```
 */
export function parseDerivationPath(path: string): number[] {
  const parts = path.split("/");
  if (parts[0] !== "m") throw new WalletError("bad-path", `Path must start with "m": ${path}`);
  if (parts.length > 256) throw new WalletError("bad-path", "Path deeper than 255");
  return parts.slice(1).map((p) => {
    const m = /^(0|[1-9][0-9]{0,9})(['hH]?)$/.exec(p);
    if (!m) throw new WalletError("bad-path", `Bad path component "${p}" in ${path}`);
    const n = Number(m[1]);
    if (n >= HARDENED_OFFSET) {
      throw new WalletError("bad-path", `Path component ${n} must be below 2^31`);
    }
    if (m[2] === "") {
      throw new WalletError(
        "bad-path",
        `Ed25519 derivation must be hardened, got normal component "${p}" in ${path}`,
      );
    }
    return n + HARDENED_OFFSET;
  });
}

/** Formats hardened indexes as `m/a'/b'/…`. */
export function formatDerivationPath(indexes: readonly number[]): string {
  return ["m", ...indexes.map((i) => `${i - HARDENED_OFFSET}'`)].join("/");
}

/** The node at `path` (a string or indexes) below the seed's master node. */
export function deriveSlip10(seed: Uint8Array, path: string | readonly number[]): Slip10Node {
  const indexes = typeof path === "string" ? parseDerivationPath(path) : path;
  return indexes.reduce(slip10Child, slip10Master(seed));
}

/** The 32-byte Ed25519 public key of a node. */
export function slip10PublicKey(node: Slip10Node): Uint8Array {
  return keyPairFromSeed(node.privateKey).publicKey;
}

/**
 * The wallet key path `m/44'/9555'/account'/branch'/index'`; each number in 0..2^31 − 1.
 *
 * @example
 * ```ts
 * import { walletKeyPath } from "./slip10.ts";
 * console.log(walletKeyPath(0, 1, 7)); // "m/44'/9555'/0'/1'/7'"
 * ```
 */
export function walletKeyPath(account: number, branch: number, index: number): string {
  for (const [name, v] of [["account", account], ["branch", branch], ["index", index]] as const) {
    if (!Number.isInteger(v) || v < 0 || v >= HARDENED_OFFSET) {
      throw new WalletError("bad-path", `${name} out of range: ${v}`);
    }
  }
  return `m/${PURPOSE}'/${COIN_TYPE}'/${account}'/${branch}'/${index}'`;
}

function split(i: Uint8Array, depth: number): Slip10Node {
  return { privateKey: i.slice(0, 32), chainCode: i.slice(32, 64), depth };
}

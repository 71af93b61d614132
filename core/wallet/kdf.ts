/**
 * The wallet file's key derivation: Argon2id v1.3 (RFC 9106) without secret or associated data.
 *
 * Why hash-wasm and not noble: speed. With the wallet parameters (m = 64 MiB, t = 3, p = 1)
 * hash-wasm's WebAssembly Argon2 takes ~0.5–0.8 s where noble's pure-JS `argon2id` takes
 * ~1.7–2 s, and the KDF is nearly all of a wallet unlock. The output is the same function:
 * `kdf_test.ts` checks hash-wasm byte for byte against noble (itself checked against the RFC 9106
 * §5.3 vector) on random small parameters and once with the full wallet parameters, so files
 * written with either implementation open with the other.
 *
 * hash-wasm refuses an empty password, so an empty passphrase (never written by `rnt wallet`,
 * which requires one, but readable) goes to noble: same bytes, only slower.
 *
 * @module
 */
import { argon2id as argon2idWasm } from "hash-wasm";
import { argon2id as argon2idNoble } from "@noble/hashes/argon2.js";

/** Argon2id cost parameters (RFC 9106 names in brackets). */
export interface Argon2idParams {
  /** Memory in KiB (m), at least 8 × parallelism. */
  readonly memoryKiB: number;
  /** Passes (t), at least 1. */
  readonly iterations: number;
  /** Lanes (p), at least 1. */
  readonly parallelism: number;
}

/**
 * Argon2id(password, salt, m, t, p) → `dkLen` bytes, the same bytes as noble's `argon2id` with
 * no key and no personalization. Runs as one WebAssembly call: it holds the event loop for the
 * whole derivation (~0.5–0.8 s at 64 MiB), after yielding once so queued I/O runs first.
 * Throws RangeError for parameters outside RFC 9106 (salt under 8 bytes, dkLen under 4, …).
 *
 * @example
 * ```ts
 * import { deriveArgon2id } from "./kdf.ts";
 * const salt = new Uint8Array(16).fill(2);
 * const key = await deriveArgon2id(new TextEncoder().encode("pw"), salt, {
 *   memoryKiB: 64,
 *   iterations: 1,
 *   parallelism: 1,
 * }, 32);
 * console.log(key.length); // 32
 * ```
 */
export async function deriveArgon2id(
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2idParams,
  dkLen: number,
): Promise<Uint8Array> {
  const { memoryKiB: m, iterations: t, parallelism: p } = params;
  for (const [name, v] of [["memoryKiB", m], ["iterations", t], ["parallelism", p]] as const) {
    if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`Argon2id ${name} ${v} is invalid`);
  }
  if (m < 8 * p) throw new RangeError(`Argon2id memoryKiB ${m} is below 8 × parallelism ${p}`);
  if (salt.length < 8) throw new RangeError(`Argon2id salt of ${salt.length} bytes is too short`);
  if (!Number.isSafeInteger(dkLen) || dkLen < 4) {
    throw new RangeError(`Argon2id dkLen ${dkLen} is invalid`);
  }
  if (password.length === 0) {
    return argon2idNoble(password, salt, { m, t, p, dkLen, maxmem: (m + 1) * 1024 });
  }
  await new Promise((resolve) => setTimeout(resolve, 0));
  return await argon2idWasm({
    password,
    salt,
    iterations: t,
    parallelism: p,
    memorySize: m,
    hashLength: dkLen,
    outputType: "binary",
  });
}

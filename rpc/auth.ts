/**
 * RPC authentication as Bitcoin Core does it: HTTP Basic credentials checked against the
 * cookie (`<datadir>/.cookie`, `__cookie__:<64 hex>`), an optional `rpcuser:rpcpassword`
 * pair, and `rpcauth` lines `user:salt$hmac` where hmac = HMAC-SHA256(key = the salt's hex
 * string, message = the password) in hex (`share/rpcauth/rpcauth.py`). Secrets are compared
 * in constant time. The 250 ms wait after a failed login is the server's (`server.ts`).
 *
 * @module
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { timingSafeEqual } from "../core/util/timing_safe_equal.ts";

/** The user name of cookie credentials. */
export const COOKIE_USER = "__cookie__";

/** The cookie file name inside the data directory. */
export const COOKIE_FILE_NAME = ".cookie";

const encoder = new TextEncoder();

/** The cookie written by {@linkcode writeAuthCookie}. */
export interface AuthCookie {
  /** Path of the cookie file. */
  path: string;
  /** The credentials it holds, `__cookie__:<hex>`. */
  userPass: string;
  /** Deletes the file if it still holds these credentials (call on clean shutdown). */
  remove(): Promise<void>;
}

/** The cookie path for a data directory. */
export function cookiePath(datadir: string): string {
  return `${datadir.replace(/\/+$/, "")}/${COOKIE_FILE_NAME}`;
}

/**
 * Writes a fresh cookie (`__cookie__:` + 32 random bytes as hex) owner-only (0600) through a
 * `.tmp` file and a rename, so a reader never sees a partial file. Creates `datadir` if needed.
 */
export async function writeAuthCookie(
  datadir: string,
  options: { path?: string; randomBytes?: (n: number) => Uint8Array } = {},
): Promise<AuthCookie> {
  const path = options.path ?? cookiePath(datadir);
  const random = options.randomBytes?.(32) ?? crypto.getRandomValues(new Uint8Array(32));
  if (random.length !== 32) throw new RangeError(`Cookie randomness must be 32 bytes`);
  const userPass = `${COOKIE_USER}:${bytesToHex(random)}`;
  await Deno.mkdir(datadir, { recursive: true });
  const tmp = `${path}.tmp`;
  await Deno.remove(tmp).catch(() => {});
  const file = await Deno.open(tmp, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(encoder.encode(userPass));
  } finally {
    file.close();
  }
  if (Deno.build.os !== "windows") await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
  return {
    path,
    userPass,
    async remove() {
      const current = await Deno.readTextFile(path).catch(() => null);
      if (current === userPass) await Deno.remove(path).catch(() => {});
    },
  };
}

/**
 * Reads `user:password` from a cookie file (the first line, trimmed), as `bitcoin-cli` does.
 * Rejects with Deno.errors.NotFound when the file is missing.
 */
export async function readAuthCookie(path: string): Promise<string> {
  const text = await Deno.readTextFile(path);
  const line = text.split(/\r?\n/, 1)[0]!.trim();
  if (!line.includes(":")) throw new TypeError(`Cookie file ${path} holds no user:password`);
  return line;
}

/** One parsed `rpcauth` entry. */
export interface RpcAuthEntry {
  /** User name. */
  user: string;
  /** The salt, as the hex string that keys the HMAC. */
  salt: string;
  /** Lower-case hex HMAC-SHA256 of the password. */
  hash: string;
}

/** HMAC-SHA256 keyed with the salt *string*, over the password, in lower-case hex. */
export function rpcAuthHash(salt: string, password: string): string {
  return bytesToHex(hmac(sha256, encoder.encode(salt), encoder.encode(password)));
}

/**
 * Parses `user:salt$hash` (an optional `rpcauth=` prefix is allowed); TypeError if malformed.
 */
export function parseRpcAuthLine(line: string): RpcAuthEntry {
  const text = line.trim().replace(/^rpcauth=/, "");
  const fields = text.split(":");
  const saltHash = (fields[1] ?? "").split("$");
  if (fields.length !== 2 || saltHash.length !== 2 || fields[0] === "") {
    throw new TypeError(`Invalid rpcauth line '${line}': expected user:salt$hash`);
  }
  return { user: fields[0]!, salt: saltHash[0]!, hash: saltHash[1]!.toLowerCase() };
}

/**
 * Makes an `rpcauth` line for `user` (as Core's `rpcauth.py`): a 16-byte random salt in hex,
 * and a fresh 32-byte random password (base64url) unless one is given.
 *
 * @example
 * ```ts
 * import { generateRpcAuth, parseRpcAuthLine, rpcAuthHash } from "./auth.ts";
 * const { line, password } = generateRpcAuth("alice");
 * const entry = parseRpcAuthLine(line);
 * console.log(entry.user, rpcAuthHash(entry.salt, password) === entry.hash); // alice true
 * ```
 */
export function generateRpcAuth(
  user: string,
  password?: string,
  salt: Uint8Array = crypto.getRandomValues(new Uint8Array(16)),
): { line: string; password: string } {
  if (user === "" || user.includes(":")) throw new TypeError(`Invalid rpcauth user '${user}'`);
  const pass = password ?? btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
  const saltHex = bytesToHex(salt);
  return { line: `${user}:${saltHex}$${rpcAuthHash(saltHex, pass)}`, password: pass };
}

/** Credentials a server accepts. */
export interface RpcAuthConfig {
  /** Whole `user:password` strings accepted, e.g. the cookie's and `rpcuser:rpcpassword`. */
  userPass?: readonly string[];
  /** `rpcauth` lines `user:salt$hash`. */
  rpcauth?: readonly string[];
}

/** Decodes an `Authorization: Basic …` header to its raw `user:password` bytes, or null. */
export function decodeBasicAuth(header: string | null): Uint8Array | null {
  if (header === null || !header.startsWith("Basic ")) return null;
  const b64 = header.slice(6).trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 === 1) return null;
  try {
    return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

/**
 * Checks HTTP Basic credentials against the cookie / user-password pairs and `rpcauth` lines.
 *
 * @example
 * ```ts
 * import { RpcAuthenticator } from "./auth.ts";
 * const auth = new RpcAuthenticator({ userPass: ["__cookie__:abc"] });
 * console.log(auth.check("Basic " + btoa("__cookie__:abc"))); // __cookie__
 * console.log(auth.check("Basic " + btoa("__cookie__:abd"))); // null
 * ```
 */
export class RpcAuthenticator {
  #userPass: Uint8Array[];
  #rpcauth: { user: Uint8Array; salt: string; hash: Uint8Array }[];

  constructor(config: RpcAuthConfig) {
    this.#userPass = (config.userPass ?? []).map((s) => {
      if (!s.includes(":")) throw new TypeError("RPC credentials must be user:password");
      return encoder.encode(s);
    });
    this.#rpcauth = (config.rpcauth ?? []).map((line) => {
      const entry = parseRpcAuthLine(line);
      return {
        user: encoder.encode(entry.user),
        salt: entry.salt,
        hash: encoder.encode(entry.hash),
      };
    });
  }

  /** Whether any credentials are configured (a server with none refuses every call). */
  get configured(): boolean {
    return this.#userPass.length + this.#rpcauth.length > 0;
  }

  /** The user name when `authorization` (a header value) is valid, otherwise null. */
  check(authorization: string | null): string | null {
    const raw = decodeBasicAuth(authorization);
    if (raw === null) return null;
    const colon = raw.indexOf(0x3a);
    const user = colon < 0 ? raw : raw.subarray(0, colon);
    const userName = new TextDecoder().decode(user);
    let ok = false;
    for (const expected of this.#userPass) ok = timingSafeEqual(raw, expected) || ok;
    if (colon >= 0) {
      const password = new TextDecoder().decode(raw.subarray(colon + 1));
      for (const entry of this.#rpcauth) {
        if (!timingSafeEqual(user, entry.user)) continue;
        const hash = encoder.encode(rpcAuthHash(entry.salt, password));
        ok = timingSafeEqual(hash, entry.hash) || ok;
      }
    }
    return ok ? userName : null;
  }
}

/**
 * The miner's block-signing key: a 32-byte Ed25519 seed stored as hex in `<datadir>/miner.key`,
 * created on first use from crypto.getRandomValues with owner-only permissions (0600).
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";

/** The key file name inside the data directory. */
export const MINER_KEY_FILE = "miner.key";

/**
 * Reads the miner seed from `<datadir>/miner.key`, creating it (mode 0600) when missing.
 * Throws Error when the file exists but does not hold 64 hex digits.
 */
export async function loadOrCreateMinerKey(datadir: string): Promise<Uint8Array> {
  const path = `${datadir.replace(/\/+$/, "")}/${MINER_KEY_FILE}`;
  const existing = await Deno.readTextFile(path).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return null;
    throw e;
  });
  if (existing !== null) {
    const hex = existing.trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} does not hold a 32-byte hex seed`);
    return fromHex(hex);
  }
  const seed = crypto.getRandomValues(new Uint8Array(32));
  await Deno.mkdir(datadir, { recursive: true });
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(new TextEncoder().encode(toHex(seed) + "\n"));
  } finally {
    file.close();
  }
  if (Deno.build.os !== "windows") await Deno.chmod(path, 0o600);
  return seed;
}

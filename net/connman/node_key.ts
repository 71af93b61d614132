/**
 * The node's P2P identity key: an Ed25519 seed kept in `<datadir>/node.key` (hex, mode 0600),
 * created on first start.
 *
 * @module
 */
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { createNodeIdentity, type NodeIdentity } from "../transport/mod.ts";

/** The identity key file name inside the data directory. */
export const NODE_KEY_FILE = "node.key";

/** Loads `<datadir>/node.key`, creating it with a fresh random seed when missing. */
export async function loadOrCreateNodeKey(datadir: string): Promise<NodeIdentity> {
  const path = `${datadir.replace(/\/+$/, "")}/${NODE_KEY_FILE}`;
  let text: string | null = null;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (!(e instanceof Deno.errors.NotFound)) throw e;
  }
  if (text !== null) {
    const hex = text.trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${path} does not hold a 32-byte hex seed`);
    return createNodeIdentity(fromHex(hex));
  }
  const identity = createNodeIdentity();
  await Deno.mkdir(datadir, { recursive: true });
  const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
  try {
    await file.write(new TextEncoder().encode(toHex(identity.secretKey) + "\n"));
  } finally {
    file.close();
  }
  return identity;
}

/**
 * Hashing and signatures for rnt: keccak256d, domain-separated tagged hashes, strict Ed25519
 * (single and WebCrypto batch), and the Merkle root used for txids, wtxids and checkpoint chunks.
 *
 * @example
 * ```ts
 * import { keyPairFromSeed, sign, taggedHash, verify } from "./mod.ts";
 * const magic = new Uint8Array([1, 2, 3, 4]);
 * const kp = keyPairFromSeed(new Uint8Array(32).fill(7));
 * const msg = taggedHash("rnt/example", magic, new Uint8Array([1]));
 * console.log(verify(sign(kp.secretKey, msg), msg, kp.publicKey)); // true
 * ```
 *
 * @module
 */
export { fromHex, keccak256, keccak256d, toHex } from "./keccak.ts";
export { MAGIC_BYTES, taggedHash } from "./tagged_hash.ts";
export {
  type Ed25519KeyPair,
  isStrictPublicKey,
  keyPairFromSeed,
  PUBLIC_KEY_BYTES,
  SECRET_KEY_BYTES,
  sign,
  SIGNATURE_BYTES,
  verify,
  verifyBatch,
  type VerifyItem,
} from "./ed25519.ts";
export { merkleProof, merkleRoot, verifyMerkleProof } from "./merkle.ts";

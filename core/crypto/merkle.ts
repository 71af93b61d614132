/**
 * Merkle root over 32-byte hashes (txids, wtxids, checkpoint chunk hashes), with proofs.
 *
 * Scheme (for PROTOCOL.md):
 * - level 0 is the list of `n` leaf hashes, in order;
 * - each next level pairs neighbours: `node = taggedHash("rnt/merkle-node", magic, left ‖ right)`;
 *   an odd last element is carried up unchanged (never duplicated);
 * - `top` is the single element left, or 32 zero bytes when `n = 0`;
 * - `root = taggedHash("rnt/merkle-root", magic, u32le(n) ‖ top)`.
 *
 * Why this avoids Bitcoin's CVE-2012-2459: Bitcoin duplicates an odd last hash, so `[a, b, c]`
 * and `[a, b, c, c]` share a root and a block can be "mutated" by repeating transactions.
 * Here nothing is duplicated, and the leaf count is committed in the root, which fixes the tree
 * shape: two lists with the same root have the same length and, barring a keccak collision,
 * the same leaves. (Without the count, `[a, b, c]` and `[node(a, b), c]` would share a root.)
 *
 * @module
 */
import { taggedHash } from "./tagged_hash.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

const NODE_TAG = "rnt/merkle-node";
const ROOT_TAG = "rnt/merkle-root";
const HASH_BYTES = 32;

/**
 * The Merkle root of `hashes` (each 32 bytes) under network `magic`.
 *
 * @example
 * ```ts
 * import { merkleRoot } from "./merkle.ts";
 * const magic = new Uint8Array([1, 2, 3, 4]);
 * const root = merkleRoot(magic, [new Uint8Array(32), new Uint8Array(32).fill(1)]);
 * console.log(root.length); // 32
 * ```
 */
export function merkleRoot(magic: Uint8Array, hashes: readonly Uint8Array[]): Uint8Array {
  checkHashes(hashes);
  let level: Uint8Array[] = hashes.slice();
  while (level.length > 1) level = nextLevel(magic, level);
  return finishRoot(magic, hashes.length, level[0] ?? new Uint8Array(HASH_BYTES));
}

/**
 * The sibling hashes that prove `hashes[index]` is in the tree, bottom-up; levels where the
 * node is carried up without a sibling contribute nothing.
 */
export function merkleProof(
  magic: Uint8Array,
  hashes: readonly Uint8Array[],
  index: number,
): Uint8Array[] {
  checkHashes(hashes);
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new RangeError(`Leaf index out of range: ${index}`);
  }
  const proof: Uint8Array[] = [];
  let level: Uint8Array[] = hashes.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(level[sibling]!);
    level = nextLevel(magic, level);
    i >>= 1;
  }
  return proof;
}

/**
 * True iff `proof` shows that `leaf` is at `index` of a `count`-leaf tree with root `root`.
 * Never throws on malformed input; returns false.
 */
export function verifyMerkleProof(
  magic: Uint8Array,
  leaf: Uint8Array,
  index: number,
  count: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isInteger(count) || count < 1 || count > 0xffff_ffff) return false;
  if (!Number.isInteger(index) || index < 0 || index >= count) return false;
  if (leaf.length !== HASH_BYTES || root.length !== HASH_BYTES) return false;
  let node = leaf;
  let i = index;
  let width = count;
  let used = 0;
  while (width > 1) {
    const sibling = i ^ 1;
    if (sibling < width) {
      const s = proof[used++];
      if (s === undefined || s.length !== HASH_BYTES) return false;
      node = (i & 1) === 0
        ? taggedHash(NODE_TAG, magic, node, s)
        : taggedHash(NODE_TAG, magic, s, node);
    }
    width = Math.ceil(width / 2);
    i >>= 1;
  }
  if (used !== proof.length) return false;
  return bytesEqual(finishRoot(magic, count, node), root);
}

function nextLevel(magic: Uint8Array, level: readonly Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i + 1 < level.length; i += 2) {
    next.push(taggedHash(NODE_TAG, magic, level[i]!, level[i + 1]!));
  }
  if (level.length % 2 === 1) next.push(level[level.length - 1]!);
  return next;
}

function finishRoot(magic: Uint8Array, count: number, top: Uint8Array): Uint8Array {
  const n = new Uint8Array(4);
  new DataView(n.buffer).setUint32(0, count, true);
  return taggedHash(ROOT_TAG, magic, n, top);
}

function checkHashes(hashes: readonly Uint8Array[]): void {
  if (hashes.length > 0xffff_ffff) throw new RangeError(`Too many leaves: ${hashes.length}`);
  for (const h of hashes) {
    if (h.length !== HASH_BYTES) throw new RangeError(`Leaf must be 32 bytes, got ${h.length}`);
  }
}

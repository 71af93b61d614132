/**
 * Checkpoint chunking and the chunk Merkle root that block headers commit to (PROTOCOL.md
 * §3.5). The encoded checkpoint is cut into {@link CHUNK_BYTES} chunks (the last one shorter);
 * `chunkHash = keccak256d(chunk)`; the tree over the chunk hashes uses tagged nodes and the
 * root commits to the chunk count, so no two different chunk lists share a root (no
 * CVE-2012-2459-style duplicate ambiguity: an odd node is promoted, never duplicated):
 *
 * ```
 * node(l, r) = keccak256d(0x01 ‖ l ‖ r)
 * level 0 = chunk hashes; each level pairs neighbours, an odd last node moves up unchanged
 * root = keccak256d(0x00 ‖ u32le(count) ‖ top)
 * ```
 *
 * @module
 */
import { keccak256d } from "../crypto/keccak.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/** Chunk size: 1 MiB. */
export const CHUNK_BYTES = 1 << 20;

const NODE_TAG = 0x01;
const ROOT_TAG = 0x00;

/** Number of chunks of a checkpoint of `byteLength` bytes (≥ 1 byte). */
export function chunkCount(byteLength: number): number {
  if (!Number.isSafeInteger(byteLength) || byteLength < 1) {
    throw new RangeError(`Checkpoint length must be a positive integer, got ${byteLength}`);
  }
  return Math.ceil(byteLength / CHUNK_BYTES);
}

/** The chunks of `bytes` as views (no copy); the last one may be shorter. */
export function splitChunks(bytes: Uint8Array): Uint8Array[] {
  const n = chunkCount(bytes.length);
  const out: Uint8Array[] = [];
  for (let i = 0; i < n; i++) out.push(bytes.subarray(i * CHUNK_BYTES, (i + 1) * CHUNK_BYTES));
  return out;
}

/** keccak256d of each chunk of `bytes`. */
export function chunkHashes(bytes: Uint8Array): Uint8Array[] {
  return splitChunks(bytes).map((c) => keccak256d(c));
}

function hashNode(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(65);
  buf[0] = NODE_TAG;
  buf.set(left, 1);
  buf.set(right, 33);
  return keccak256d(buf);
}

function assertHash(h: Uint8Array, what: string): void {
  if (!(h instanceof Uint8Array) || h.length !== 32) {
    throw new RangeError(`${what} must be 32 bytes`);
  }
}

/** Next tree level up: pairs hashed, an odd last node promoted unchanged. */
function parentLevel(level: Uint8Array[]): Uint8Array[] {
  const up: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) {
    up.push(i + 1 < level.length ? hashNode(level[i]!, level[i + 1]!) : level[i]!);
  }
  return up;
}

function finalRoot(count: number, top: Uint8Array): Uint8Array {
  const buf = new Uint8Array(37);
  buf[0] = ROOT_TAG;
  new DataView(buf.buffer).setUint32(1, count, true);
  buf.set(top, 5);
  return keccak256d(buf);
}

/**
 * Merkle root over chunk hashes (at least one).
 *
 * @example
 * ```ts
 * import { chunkHashes, merkleRoot } from "./chunks.ts";
 * merkleRoot(chunkHashes(new Uint8Array(10))).length; // 32
 * ```
 */
export function merkleRoot(hashes: readonly Uint8Array[]): Uint8Array {
  if (hashes.length < 1 || hashes.length > 0xffffffff) {
    throw new RangeError(`Merkle root needs 1..2^32-1 hashes, got ${hashes.length}`);
  }
  hashes.forEach((h, i) => assertHash(h, `hashes[${i}]`));
  let level = hashes.slice();
  while (level.length > 1) level = parentLevel(level);
  return finalRoot(hashes.length, level[0]!);
}

/** The root a header commits to: `merkleRoot(chunkHashes(bytes))`. */
export function checkpointRoot(bytes: Uint8Array): Uint8Array {
  return merkleRoot(chunkHashes(bytes));
}

/**
 * The sibling path of chunk `index`: for each level, the sibling hash, or nothing where the
 * node is an odd last one (promoted). Its length depends only on (index, count).
 */
export function merkleProof(hashes: readonly Uint8Array[], index: number): Uint8Array[] {
  if (!Number.isInteger(index) || index < 0 || index >= hashes.length) {
    throw new RangeError(`Chunk index must be in 0..${hashes.length - 1}, got ${index}`);
  }
  const proof: Uint8Array[] = [];
  let level = hashes.slice();
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    if (sibling < level.length) proof.push(level[sibling]!);
    level = parentLevel(level);
    i >>= 1;
  }
  return proof;
}

/**
 * Whether `chunk` is chunk `index` of a checkpoint of `totalBytes` bytes committed by `root`,
 * given its Merkle `proof`. Checks the chunk's length too (every chunk but the last is exactly
 * 1 MiB), so a peer can verify each chunk on arrival.
 *
 * @example
 * ```ts
 * import { checkpointRoot, chunkHashes, merkleProof, verifyChunk } from "./chunks.ts";
 * const bytes = new Uint8Array(100);
 * const proof = merkleProof(chunkHashes(bytes), 0);
 * verifyChunk(bytes, 0, bytes.length, proof, checkpointRoot(bytes)); // true
 * ```
 */
export function verifyChunk(
  chunk: Uint8Array,
  index: number,
  totalBytes: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  const count = chunkCount(totalBytes);
  if (!Number.isInteger(index) || index < 0 || index >= count) return false;
  const expectedLen = index < count - 1 ? CHUNK_BYTES : totalBytes - (count - 1) * CHUNK_BYTES;
  if (chunk.length !== expectedLen) return false;
  let h = keccak256d(chunk);
  let i = index;
  let width = count;
  let p = 0;
  while (width > 1) {
    const sibling = i ^ 1;
    if (sibling < width) {
      const s = proof[p++];
      if (!s || s.length !== 32) return false;
      h = i & 1 ? hashNode(s, h) : hashNode(h, s);
    }
    i >>= 1;
    width = Math.ceil(width / 2);
  }
  if (p !== proof.length) return false;
  return bytesEqual(finalRoot(count, h), root);
}

/**
 * Whether a full list of chunk hashes (as a peer may send first) is the one `root` commits
 * to, for a checkpoint of `totalBytes` bytes. After this, each chunk is checked against its
 * hash with {@link verifyChunkHash}.
 */
export function verifyChunkHashes(
  hashes: readonly Uint8Array[],
  totalBytes: number,
  root: Uint8Array,
): boolean {
  if (hashes.length !== chunkCount(totalBytes)) return false;
  if (hashes.some((h) => !(h instanceof Uint8Array) || h.length !== 32)) return false;
  return bytesEqual(merkleRoot(hashes), root);
}

/** Whether `chunk` hashes to `hash` (keccak256d). */
export function verifyChunkHash(chunk: Uint8Array, hash: Uint8Array): boolean {
  return bytesEqual(keccak256d(chunk), hash);
}

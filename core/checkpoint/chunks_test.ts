import assert from "node:assert/strict";
import { keccak256d } from "../crypto/keccak.ts";
import {
  checkpointRoot,
  CHUNK_BYTES,
  chunkHashes,
  merkleProof,
  merkleRoot,
  splitChunks,
  verifyChunk,
  verifyChunkHash,
  verifyChunkHashes,
} from "./chunks.ts";

function fakeHashes(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => keccak256d(new Uint8Array([i, i >> 8])));
}

function tagged(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const len = parts.reduce((s, p) => s + p.length, 1);
  const buf = new Uint8Array(len);
  buf[0] = tag;
  let o = 1;
  for (const p of parts) {
    buf.set(p, o);
    o += p.length;
  }
  return keccak256d(buf);
}

const u32 = (n: number) => new Uint8Array([n & 255, (n >> 8) & 255, (n >> 16) & 255, n >>> 24]);

Deno.test("splitChunks() cuts 1 MiB chunks with a shorter last one", () => {
  const bytes = new Uint8Array(2 * CHUNK_BYTES + 5);
  bytes[CHUNK_BYTES] = 7;
  const chunks = splitChunks(bytes);
  assert.deepEqual(chunks.map((c) => c.length), [CHUNK_BYTES, CHUNK_BYTES, 5]);
  assert.equal(chunks[1]![0], 7);
  assert.equal(splitChunks(new Uint8Array(CHUNK_BYTES)).length, 1);
  assert.throws(() => splitChunks(new Uint8Array(0)), RangeError);
});

Deno.test("chunkHashes() are keccak256d of each chunk", () => {
  const bytes = new Uint8Array(CHUNK_BYTES + 3).map((_, i) => i & 255);
  const hashes = chunkHashes(bytes);
  assert.deepEqual(hashes[0], keccak256d(bytes.subarray(0, CHUNK_BYTES)));
  assert.deepEqual(hashes[1], keccak256d(bytes.subarray(CHUNK_BYTES)));
});

Deno.test("merkleRoot() follows the documented tagged construction", () => {
  const [a, b, c] = fakeHashes(3) as [Uint8Array, Uint8Array, Uint8Array];
  assert.deepEqual(merkleRoot([a]), tagged(0, u32(1), a));
  assert.deepEqual(merkleRoot([a, b]), tagged(0, u32(2), tagged(1, a, b)));
  // Odd last node is promoted, not duplicated.
  assert.deepEqual(merkleRoot([a, b, c]), tagged(0, u32(3), tagged(1, tagged(1, a, b), c)));
  assert.throws(() => merkleRoot([]), RangeError);
});

Deno.test("merkleRoot() differs for lists that Bitcoin's duplication would confuse", () => {
  const [a, b, c] = fakeHashes(3) as [Uint8Array, Uint8Array, Uint8Array];
  assert.notDeepEqual(merkleRoot([a, b, c]), merkleRoot([a, b, c, c]));
  // An inner node presented as a leaf does not reproduce the root.
  const inner = tagged(1, a, b);
  assert.notDeepEqual(merkleRoot([a, b, c]), merkleRoot([inner, c]));
});

Deno.test("verifyChunk() accepts every chunk with its proof and rejects tampering", () => {
  // 5 distinct chunks, the last one 17 bytes.
  const bytes = new Uint8Array(4 * CHUNK_BYTES + 17).map((_, i) => (i * 31 + (i >> 20)) & 255);
  const hashes = chunkHashes(bytes);
  const root = checkpointRoot(bytes);
  const chunks = splitChunks(bytes);
  for (let i = 0; i < chunks.length; i++) {
    const proof = merkleProof(hashes, i);
    assert.ok(verifyChunk(chunks[i]!, i, bytes.length, proof, root), `chunk ${i}`);
    const bad = chunks[i]!.slice();
    bad[3] = bad[3]! ^ 1;
    assert.equal(verifyChunk(bad, i, bytes.length, proof, root), false);
    assert.equal(verifyChunk(chunks[i]!, (i + 1) % 5, bytes.length, proof, root), false);
    assert.equal(verifyChunk(chunks[i]!, i, bytes.length + CHUNK_BYTES, proof, root), false);
    assert.equal(verifyChunk(chunks[i]!, i, bytes.length, [...proof, proof[0]!], root), false);
  }
  assert.equal(verifyChunk(chunks[4]!, 4, bytes.length, [], root), false);
  const lastProof = merkleProof(hashes, 4);
  assert.equal(verifyChunk(chunks[4]!, 4, bytes.length + 1, lastProof, root), false);
});

Deno.test("merkleProof() verifies for every index of many tree sizes", () => {
  for (let n = 1; n <= 17; n++) {
    const hashes = fakeHashes(n);
    const root = merkleRoot(hashes);
    for (let i = 0; i < n; i++) {
      // Recompute the root from leaf i and its proof the same way verifyChunk does.
      const proof = merkleProof(hashes, i);
      let h = hashes[i]!, idx = i, width = n, p = 0;
      while (width > 1) {
        if ((idx ^ 1) < width) h = idx & 1 ? tagged(1, proof[p++]!, h) : tagged(1, h, proof[p++]!);
        idx >>= 1;
        width = Math.ceil(width / 2);
      }
      assert.equal(p, proof.length);
      assert.deepEqual(tagged(0, u32(n), h), root, `n=${n} i=${i}`);
    }
  }
});

Deno.test("verifyChunkHashes() checks the list against the root and the size", () => {
  const bytes = new Uint8Array(2 * CHUNK_BYTES + 1).map((_, i) => (i >> 20) + 1);
  const hashes = chunkHashes(bytes);
  const root = checkpointRoot(bytes);
  assert.ok(verifyChunkHashes(hashes, bytes.length, root));
  assert.equal(verifyChunkHashes(hashes.slice(0, 2), bytes.length, root), false);
  assert.equal(verifyChunkHashes(hashes, 2 * CHUNK_BYTES, root), false);
  assert.equal(verifyChunkHashes([hashes[1]!, hashes[0]!, hashes[2]!], bytes.length, root), false);
  assert.ok(verifyChunkHash(bytes.subarray(0, CHUNK_BYTES), hashes[0]!));
  assert.equal(verifyChunkHash(bytes.subarray(0, CHUNK_BYTES), hashes[2]!), false);
});

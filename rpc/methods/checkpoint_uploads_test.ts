import assert from "node:assert/strict";
import {
  checkpointRoot,
  CHUNK_BYTES,
  chunkHashes,
  merkleProof,
  splitChunks,
} from "../../core/checkpoint/chunks.ts";
import { CheckpointUploads, MAX_STAGED_UPLOADS, UploadError } from "./checkpoint_uploads.ts";

function bytesOf(size: number, salt: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 31 + salt * 7 + (i >> 11)) & 0xff;
  return out;
}

Deno.test("CheckpointUploads stages verified chunks in any order and gives back the exact bytes", () => {
  const bytes = bytesOf(2 * CHUNK_BYTES + 1234, 1);
  const root = checkpointRoot(bytes);
  const hashes = chunkHashes(bytes);
  const chunks = splitChunks(bytes);
  const uploads = new CheckpointUploads(4 * CHUNK_BYTES);
  assert.deepEqual(uploads.add(root, bytes.length, 2, chunks[2]!, merkleProof(hashes, 2)), {
    received: 1,
    chunks: 3,
    complete: false,
  });
  assert.equal(uploads.take(root), undefined, "incomplete upload is not handed out");
  uploads.add(root, bytes.length, 0, chunks[0]!, merkleProof(hashes, 0));
  // A repeated chunk does not count twice.
  assert.equal(uploads.add(root, bytes.length, 0, chunks[0]!, merkleProof(hashes, 0)).received, 2);
  const last = uploads.add(root, bytes.length, 1, chunks[1]!, merkleProof(hashes, 1));
  assert.deepEqual(last, { received: 3, chunks: 3, complete: true });
  assert.deepEqual(uploads.take(root)?.bytes, bytes);
  assert.equal(uploads.take(root), undefined, "take removes it");
});

Deno.test("CheckpointUploads refuses a chunk whose proof, index or size does not match the root", () => {
  const bytes = bytesOf(CHUNK_BYTES + 10, 2);
  const root = checkpointRoot(bytes);
  const hashes = chunkHashes(bytes);
  const chunks = splitChunks(bytes);
  const uploads = new CheckpointUploads(4 * CHUNK_BYTES);
  const tampered = chunks[0]!.slice();
  tampered[5]! ^= 1;
  assert.throws(
    () => uploads.add(root, bytes.length, 0, tampered, merkleProof(hashes, 0)),
    UploadError,
  );
  assert.throws(
    () => uploads.add(root, bytes.length, 1, chunks[0]!, merkleProof(hashes, 0)),
    UploadError,
  );
  assert.throws(
    () => uploads.add(root, bytes.length + 1, 1, chunks[1]!, merkleProof(hashes, 1)),
    UploadError,
  );
  assert.throws(() => uploads.add(root, 5 * CHUNK_BYTES, 0, chunks[0]!, []), /outside/);
  uploads.add(root, bytes.length, 1, chunks[1]!, merkleProof(hashes, 1));
  assert.equal(uploads.size, 1);
});

Deno.test("CheckpointUploads keeps at most MAX_STAGED_UPLOADS roots, dropping the oldest", () => {
  const uploads = new CheckpointUploads(CHUNK_BYTES);
  const roots: Uint8Array[] = [];
  for (let i = 0; i <= MAX_STAGED_UPLOADS; i++) {
    const bytes = bytesOf(100 + i, i);
    roots.push(checkpointRoot(bytes));
    uploads.add(roots[i]!, bytes.length, 0, bytes, []);
  }
  assert.equal(uploads.size, MAX_STAGED_UPLOADS);
  assert.equal(uploads.take(roots[0]!), undefined);
  assert.equal(uploads.take(roots[MAX_STAGED_UPLOADS]!)?.bytes.length, 100 + MAX_STAGED_UPLOADS);
});

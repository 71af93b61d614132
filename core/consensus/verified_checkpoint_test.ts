import assert from "node:assert/strict";
import { checkpointRoot, chunkHashes, merkleProof } from "../checkpoint/chunks.ts";
import { ValidationError } from "../errors.ts";
import type { BlockHeader } from "../primitives/block.ts";
import { genesisBlock, genesisCheckpointBytes } from "./genesis.ts";
import { REGTEST } from "./params.ts";
import { CheckpointAssembly, VerifiedCheckpoint } from "./verified_checkpoint.ts";

const isRootMismatch = (e: unknown) =>
  e instanceof ValidationError && e.reason === "bad-checkpoint-root";

Deno.test("VerifiedCheckpoint.verify() takes only the bytes matching the header's size and root", () => {
  const { header } = genesisBlock(REGTEST);
  const bytes = genesisCheckpointBytes(REGTEST);
  const ok = VerifiedCheckpoint.verify(header, bytes);
  assert.equal(ok.matches(header), true);
  assert.deepEqual(ok.bytes, bytes);
  const flipped = bytes.slice();
  flipped[100]! ^= 0x40;
  for (const bad of [flipped, bytes.subarray(1), new Uint8Array(0)]) {
    assert.throws(() => VerifiedCheckpoint.verify(header, bad), isRootMismatch);
  }
  const other: BlockHeader = { ...header, checkpointRoot: new Uint8Array(32) };
  assert.equal(ok.matches(other), false);
});

Deno.test("a VerifiedCheckpoint cannot be made without a check", () => {
  const bytes = genesisCheckpointBytes(REGTEST);
  assert.throws(
    () => new VerifiedCheckpoint(Symbol("verified checkpoint"), bytes, new Uint8Array(32)),
    TypeError,
  );
});

Deno.test("CheckpointAssembly keeps only chunks whose Merkle proof verifies and joins them once complete", () => {
  // A 3-chunk checkpoint (two whole 1 MiB chunks and a short last one) under a made-up header.
  const bytes = new Uint8Array(2 * (1 << 20) + 1000).map((_, i) => (i * 7 + (i >> 20)) & 0xff);
  const hashes = chunkHashes(bytes);
  const header: BlockHeader = {
    ...genesisBlock(REGTEST).header,
    checkpointSize: bytes.length,
    checkpointRoot: checkpointRoot(bytes),
  };
  const chunk = (i: number) => bytes.subarray(i << 20, (i + 1) << 20);
  const assembly = new CheckpointAssembly(header);
  assert.equal(assembly.count, 3);
  assert.equal(assembly.add(2, chunk(2), merkleProof(hashes, 2)), true);
  // A chunk under another index's proof, or altered, is refused and not kept.
  assert.equal(assembly.add(0, chunk(1), merkleProof(hashes, 0)), false);
  const altered = chunk(0).slice();
  altered[5]! ^= 1;
  assert.equal(assembly.add(0, altered, merkleProof(hashes, 0)), false);
  assert.equal(assembly.has(0), false);
  assert.equal(assembly.take(), undefined);
  assert.equal(assembly.add(0, chunk(0), merkleProof(hashes, 0)), true);
  assert.equal(assembly.add(1, chunk(1), merkleProof(hashes, 1)), true);
  assert.equal(assembly.complete, true);
  const whole = assembly.take()!;
  assert.deepEqual(whole.bytes, bytes);
  assert.equal(whole.matches(header), true);
});

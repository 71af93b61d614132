import assert from "node:assert/strict";
import type { Chainstate } from "../../core/chain/chainstate.ts";
import { checkpointRoot, CHUNK_BYTES, verifyChunk } from "../../core/checkpoint/chunks.ts";
import { CheckpointServer } from "./checkpoint_server.ts";

/** Just what the server reads: checkpoint bytes by block hash. */
function store(files: Map<number, Uint8Array>): Chainstate {
  return {
    getCheckpoint: (hash: Uint8Array) => Promise.resolve(files.get(hash[0]!)),
  } as unknown as Chainstate;
}

const hashOf = (n: number) => new Uint8Array(32).fill(n);

Deno.test("every served chunk of a one-chunk and a three-chunk checkpoint verifies against its root", async () => {
  const one = new Uint8Array(CHUNK_BYTES - 5).map((_, i) => i * 13);
  const three = new Uint8Array(2 * CHUNK_BYTES + 77).map((_, i) => i * 7 + 1);
  const server = new CheckpointServer(store(new Map([[1, one], [3, three]])));
  for (const [n, bytes, chunks] of [[1, one, 1], [3, three, 3]] as const) {
    const root = checkpointRoot(bytes);
    for (let i = 0; i < chunks; i++) {
      const c = (await server.chunk(hashOf(n), i))!;
      assert.equal(c.chunkIndex, i);
      assert.ok(verifyChunk(c.chunk, i, bytes.length, c.proof, root), `chunk ${i} of ${n}`);
    }
    assert.equal(await server.chunk(hashOf(n), chunks), undefined, "index past the end");
  }
  assert.deepEqual((await server.chunk(hashOf(1), 0))!.proof, []);
});

Deno.test("a checkpoint the chainstate does not have (unknown or pruned) is not served", async () => {
  const server = new CheckpointServer(store(new Map()));
  assert.equal(await server.chunk(hashOf(9), 0), undefined);
});

import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { genesisBlock, genesisCheckpointBytes } from "../consensus/genesis.ts";
import { VerifiedCheckpoint } from "../consensus/verified_checkpoint.ts";
import { blockId } from "../primitives/block.ts";
import { CheckpointFiles } from "./checkpoint_files.ts";

Deno.test("CheckpointFiles.put() stores verified bytes atomically and remove() deletes them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ckpt-" });
  try {
    const files = new CheckpointFiles(dir);
    await files.init();
    const { header } = genesisBlock(REGTEST);
    const hash = blockId(REGTEST.magic, header);
    const bytes = genesisCheckpointBytes(REGTEST);
    assert.equal(await files.get(hash), undefined);
    await files.put(hash, VerifiedCheckpoint.verify(header, bytes));
    assert.deepEqual(await files.get(hash), bytes);
    // No temp files are left beside it.
    const names = [];
    for await (const e of Deno.readDir(files.dir)) names.push(e.name);
    assert.deepEqual(names, [files.pathOf(hash).split("/").pop()]);
    await files.remove(hash);
    await files.remove(hash); // idempotent
    assert.equal(await files.get(hash), undefined);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

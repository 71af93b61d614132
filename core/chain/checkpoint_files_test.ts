import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { REGTEST } from "../consensus/params.ts";
import { genesisBlock, genesisCheckpointBytes } from "../consensus/genesis.ts";
import { blockId } from "../primitives/block.ts";
import { CheckpointFiles, checkpointMatchesHeader } from "./checkpoint_files.ts";

Deno.test("CheckpointFiles.put() stores only bytes matching the header's size and root", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ckpt-" });
  try {
    const files = new CheckpointFiles(dir);
    await files.init();
    const { header } = genesisBlock(REGTEST);
    const hash = blockId(REGTEST.magic, header);
    const bytes = genesisCheckpointBytes(REGTEST);
    assert.equal(checkpointMatchesHeader(header, bytes), true);
    const flipped = bytes.slice();
    flipped[100]! ^= 0x40;
    for (const bad of [flipped, bytes.subarray(1), new Uint8Array(0)]) {
      assert.equal(checkpointMatchesHeader(header, bad), false);
      await assert.rejects(
        () => files.put(hash, header, bad),
        (e: unknown) => e instanceof ValidationError && e.reason === "bad-checkpoint-root",
      );
    }
    assert.equal(await files.get(hash), undefined);
    await files.put(hash, header, bytes);
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

import assert from "node:assert/strict";
import { loadOrCreateMinerKey, MINER_KEY_FILE } from "./miner_key.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("loadOrCreateMinerKey() creates an owner-only key once and reads the same key back", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const key = await loadOrCreateMinerKey(dir);
    assert.equal(key.length, 32);
    const info = await Deno.stat(`${dir}/${MINER_KEY_FILE}`);
    if (Deno.build.os !== "windows") assert.equal(info.mode! & 0o777, 0o600);
    assert.deepEqual(await loadOrCreateMinerKey(dir), key);
    await Deno.writeTextFile(`${dir}/${MINER_KEY_FILE}`, "not a key\n");
    await assert.rejects(loadOrCreateMinerKey(dir), /32-byte hex seed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

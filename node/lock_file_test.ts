import assert from "node:assert/strict";
import { DatadirLockedError, lockDatadir } from "./lock_file.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("lockDatadir() refuses a second lock on the same datadir until the first is released", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const first = await lockDatadir(`${dir}/node`);
    assert.equal((await Deno.readTextFile(first.path)).trim(), String(Deno.pid));
    await assert.rejects(lockDatadir(`${dir}/node`), DatadirLockedError);
    await first.release();
    await assert.rejects(Deno.stat(first.path), Deno.errors.NotFound);
    const again = await lockDatadir(`${dir}/node`);
    await again.release();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

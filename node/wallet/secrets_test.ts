import assert from "node:assert/strict";
import { readSecretFile } from "./secrets.ts";

Deno.test("readSecretFile() returns the first line without its newline", async () => {
  const f = await Deno.makeTempFile();
  try {
    await Deno.writeTextFile(f, "pass word\r\nignored\n");
    assert.equal(await readSecretFile(f), "pass word");
  } finally {
    await Deno.remove(f);
  }
});

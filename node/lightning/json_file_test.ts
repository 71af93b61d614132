import assert from "node:assert/strict";
import { readJsonEntries } from "./json_file.ts";

async function withFile(text: string | undefined, body: (path: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "rnt-json-file-" });
  try {
    const path = `${dir}/book.json`;
    if (text !== undefined) await Deno.writeTextFile(path, text);
    await body(path);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readJsonEntries() returns undefined for a missing file", async () => {
  await withFile(undefined, async (path) => {
    assert.equal(await readJsonEntries(path), undefined);
  });
});

Deno.test("readJsonEntries() returns each keyed object", async () => {
  await withFile(JSON.stringify({ a: { x: 1 }, b: {} }), async (path) => {
    assert.deepEqual(await readJsonEntries(path), [["a", { x: 1 }], ["b", {}]]);
  });
});

Deno.test("readJsonEntries() refuses text that is not JSON, naming the file", async () => {
  await withFile("{ truncated", async (path) => {
    await assert.rejects(
      readJsonEntries(path),
      (e: Error) => e.message.startsWith(`${path}: not JSON`),
    );
  });
});

Deno.test("readJsonEntries() refuses JSON that is not an object", async () => {
  for (const text of ["null", "[]", "7"]) {
    await withFile(text, async (path) => {
      await assert.rejects(readJsonEntries(path), new RegExp(`: not a JSON object$`));
    });
  }
});

Deno.test("readJsonEntries() refuses an entry that is not an object", async () => {
  await withFile(JSON.stringify({ good: {}, broken: null }), async (path) => {
    await assert.rejects(readJsonEntries(path), /: bad entry broken$/);
  });
});

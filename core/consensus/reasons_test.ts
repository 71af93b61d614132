import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { isRejectReason, reasonCategory, reject, REJECT_REASONS } from "./reasons.ts";

Deno.test("reasonCategory() maps each reason to one category", () => {
  assert.equal(reasonCategory("bad-prevblk"), "header");
  assert.equal(reasonCategory("bad-txnmrklroot"), "block");
  assert.equal(reasonCategory("bad-satisfaction"), "tx");
  assert.equal(reasonCategory("val-loss-mismatch"), "pot");
  for (const r of Object.keys(REJECT_REASONS)) assert.match(r, /^[a-z]+(-[a-z]+)*$/);
});

Deno.test("reject() throws ValidationError carrying the reason", () => {
  assert.throws(
    () => reject("bad-cb-amount", "x"),
    (e) => e instanceof ValidationError && e.reason === "bad-cb-amount",
  );
  assert.equal(isRejectReason("bad-cb-amount"), true);
  assert.equal(isRejectReason("nope"), false);
});

/** Test files and shared test tables under core/ (reasons_test.ts itself excluded). */
async function testSources(dir: URL, out: string[] = []): Promise<string[]> {
  for await (const e of Deno.readDir(dir)) {
    const url = new URL(e.isDirectory ? `${e.name}/` : e.name, dir);
    if (e.isDirectory) await testSources(url, out);
    else if (
      e.name !== "reasons_test.ts" &&
      (e.name.endsWith("_test.ts") ||
        (dir.pathname.endsWith("/testing/") && e.name.endsWith(".ts")))
    ) {
      out.push(await Deno.readTextFile(url));
    }
  }
  return out;
}

Deno.test("every reject reason is produced by some test under core/ (a new reason needs one)", async () => {
  // Text scan of every *_test.ts and of the replayed tables in testing/ (full_block_tests.ts is
  // run by its own test): a reason must appear there as a quoted string.
  const sources = await testSources(new URL("../", import.meta.url));
  const missing = Object.keys(REJECT_REASONS).filter((r) =>
    !sources.some((s) => s.includes(`"${r}"`) || s.includes(`'${r}'`))
  );
  assert.deepEqual(missing, []);
});

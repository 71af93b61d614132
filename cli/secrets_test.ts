import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { getPassphrase, type SecretSource } from "./secrets.ts";

Deno.test("getPassphrase() asks twice with confirm and refuses two different answers", async () => {
  const answers = (...a: string[]): SecretSource => ({ prompt: () => Promise.resolve(a.shift()!) });
  assert.equal(await getPassphrase(undefined, { confirm: true, source: answers("x", "x") }), "x");
  await assert.rejects(
    () => getPassphrase(undefined, { confirm: true, source: answers("x", "y") }),
    UsageError,
  );
  assert.equal(await getPassphrase(undefined, { source: answers("only") }), "only");
});

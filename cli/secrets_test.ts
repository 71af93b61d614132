import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { getPassphrase, PASSPHRASE_TRIES, type SecretSource } from "./secrets.ts";

/** Typed answers in order; asking past the end fails the test. */
function answers(...a: string[]): SecretSource & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    prompt: (q) => {
      asked.push(q);
      const next = a.shift();
      return next === undefined
        ? Promise.reject(new Error(`no answer for ${q}`))
        : Promise.resolve(next);
    },
  };
}

Deno.test("getPassphrase() asks twice with confirm; a mismatch asks again, up to the limit", async () => {
  const warned: string[] = [];
  const warn = (l: string) => void warned.push(l);
  assert.equal(await getPassphrase(undefined, { confirm: true, source: answers("x", "x") }), "x");
  const retried = answers("x", "y", "z", "z");
  assert.equal(await getPassphrase(undefined, { confirm: true, source: retried, warn }), "z");
  assert.equal(retried.asked.length, 4);
  assert.match(warned[0]!, /differ; try again/);
  const pairs = Array.from({ length: PASSPHRASE_TRIES }, (_, i) => [`a${i}`, `b${i}`]).flat();
  await assert.rejects(
    () => getPassphrase(undefined, { confirm: true, source: answers(...pairs), warn }),
    UsageError,
  );
  assert.equal(await getPassphrase(undefined, { source: answers("only") }), "only");
});

Deno.test("getPassphrase() warns about an empty new passphrase and takes it only when confirmed", async () => {
  const warned: string[] = [];
  const warn = (l: string) => void warned.push(l);
  assert.equal(
    await getPassphrase(undefined, { confirm: true, source: answers("", "y"), warn }),
    "",
  );
  assert.match(warned[0]!, /empty passphrase/);
  const declined = answers("", "n", "pw", "pw");
  assert.equal(await getPassphrase(undefined, { confirm: true, source: declined, warn }), "pw");
  assert.deepEqual(declined.asked.slice(0, 2), [
    "New wallet passphrase: ",
    "Use no passphrase? [y/N] ",
  ]);
});

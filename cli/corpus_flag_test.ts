import assert from "node:assert/strict";
import { MAINNET, REGTEST, TESTNET } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import { corpusFlag } from "./corpus_flag.ts";

const args = (corpus?: string) => ({
  values: corpus === undefined ? {} : { corpus },
  positionals: [],
});

Deno.test("corpusFlag() defaults to the bundled corpus where the network bundles one", () => {
  assert.deepEqual(corpusFlag(args(), REGTEST), { kind: "bundled" });
  assert.deepEqual(corpusFlag(args(), TESTNET), { kind: "bundled" });
  assert.deepEqual(corpusFlag(args(), MAINNET), { kind: "fetch" });
});

Deno.test("corpusFlag() takes fetch, bundled and a file name", () => {
  assert.deepEqual(corpusFlag(args("fetch"), REGTEST), { kind: "fetch" });
  assert.deepEqual(corpusFlag(args("bundled"), REGTEST), { kind: "bundled" });
  assert.deepEqual(corpusFlag(args("/tmp/c.txt"), REGTEST), { kind: "file", path: "/tmp/c.txt" });
});

Deno.test("corpusFlag() refuses bundled where nothing is bundled, and an empty value", () => {
  assert.throws(
    () => corpusFlag(args("bundled"), MAINNET),
    (e) => e instanceof UsageError && /mainnet bundles no corpus/.test(e.message),
  );
  assert.throws(() => corpusFlag(args(""), REGTEST), UsageError);
});

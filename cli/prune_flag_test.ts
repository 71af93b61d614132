import assert from "node:assert/strict";
import type { ParsedArgs } from "./command.ts";
import { REGTEST, TESTNET } from "../core/consensus/params.ts";
import { UsageError } from "../core/errors.ts";
import { pruneFlag } from "./prune_flag.ts";

function args(prune?: string): ParsedArgs {
  return { values: prune === undefined ? {} : { prune }, positionals: [] };
}

Deno.test("--prune absent keeps the network default", () => {
  assert.deepEqual(pruneFlag(args(), TESTNET), {});
});

Deno.test("--prune 0 keeps every checkpoint and a depth above maxReorgDepth is taken as is", () => {
  assert.deepEqual(pruneFlag(args("0"), TESTNET), { prune: 0 });
  const n = TESTNET.maxReorgDepth + 1;
  assert.deepEqual(pruneFlag(args(String(n)), TESTNET), { prune: n });
});

Deno.test("--prune below maxReorgDepth is refused except on regtest, where it is marked shallow", () => {
  assert.throws(() => pruneFlag(args("5"), TESTNET), UsageError);
  assert.deepEqual(pruneFlag(args("5"), REGTEST), { prune: 5, shallowPrune: true });
  assert.throws(() => pruneFlag(args("1"), REGTEST), UsageError);
  assert.throws(() => pruneFlag(args("-3"), REGTEST), UsageError);
  assert.throws(() => pruneFlag(args("lots"), REGTEST), UsageError);
});

import assert from "node:assert/strict";
import { UnbroadcastSet } from "./unbroadcast.ts";

Deno.test("the unbroadcast set keeps txids by value, in insertion order, and retains only what the predicate keeps", () => {
  const set = new UnbroadcastSet();
  const a = new Uint8Array(32).fill(1);
  const b = new Uint8Array(32).fill(2);
  set.add(a);
  set.add(b);
  set.add(new Uint8Array(32).fill(1));
  a.fill(9);
  assert.equal(set.size, 2);
  assert.equal(set.has(new Uint8Array(32).fill(1)), true);
  assert.deepEqual(set.ids().map((id) => id[0]), [1, 2]);
  assert.equal(set.retain((id) => id[0] === 2), 1);
  assert.deepEqual(set.ids().map((id) => id[0]), [2]);
  assert.equal(set.delete(b), true);
  assert.equal(set.delete(b), false);
  assert.equal(set.size, 0);
});

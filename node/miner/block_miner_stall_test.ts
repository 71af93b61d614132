import assert from "node:assert/strict";
import { isStalled } from "./block_miner.ts";

Deno.test("isStalled: no verdict before a full window, none once the target is reached", () => {
  assert.equal(isStalled([3, 3, 3], 2, 3), false);
  assert.equal(isStalled([3, 3, 3, 1.9], 2, 3), false);
});

Deno.test("isStalled: closing under a tenth of the remaining gap in the window is a stall", () => {
  // The reported case: val 2.4811 → target 2.4306, best stuck near 2.45.
  const stuck = [2.4800, 2.4600, 2.4550, 2.4549, 2.4548, 2.4548];
  assert.equal(isStalled(stuck, 2.4306, 3), true);
  const learning = [2.48, 2.47, 2.46, 2.45, 2.44];
  assert.equal(isStalled(learning, 2.4306, 3), false);
  assert.equal(isStalled([Infinity, Infinity, Infinity], 2, 2), true);
  assert.equal(isStalled([Infinity, 3, 2.5], 2, 2), false);
});

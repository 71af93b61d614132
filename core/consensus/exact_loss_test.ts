import assert from "node:assert/strict";
import { exactLossMicroNats } from "./exact_loss.ts";

Deno.test("exactLossMicroNats() rounds total/(count·2^20) to micro-nats, ties up", () => {
  assert.equal(exactLossMicroNats(5n << 20n, 1), 5_000_000);
  assert.equal(exactLossMicroNats(0n, 3), 0);
  // 1 µnat·2^20 = 1.048576 units: 0.5 µnat → rounds up to 1.
  assert.equal(exactLossMicroNats(1n << 19n, 10 ** 6), 1);
  assert.equal(exactLossMicroNats((1n << 19n) - 1n, 10 ** 6), 0);
  assert.equal(exactLossMicroNats(1n << 80n, 1), 0xffffffff);
});

Deno.test("exactLossMicroNats() rejects a bad count or a negative total", () => {
  assert.throws(() => exactLossMicroNats(1n, 0), RangeError);
  assert.throws(() => exactLossMicroNats(-1n, 1), RangeError);
});

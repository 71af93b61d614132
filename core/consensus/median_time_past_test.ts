import assert from "node:assert/strict";
import { medianTimePast } from "./median_time_past.ts";

Deno.test("medianTimePast() takes the median of unsorted timestamps", () => {
  assert.equal(medianTimePast([11, 1, 10, 2, 9, 3, 8, 4, 7, 5, 6]), 6);
  assert.equal(medianTimePast([7]), 7);
  assert.equal(medianTimePast([1, 100]), 100);
  assert.throws(() => medianTimePast([]), RangeError);
});

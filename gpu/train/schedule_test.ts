import assert from "node:assert/strict";
import { learningRate } from "./schedule.ts";

Deno.test("learningRate() warms up linearly, peaks, then decays by cosine to the floor", () => {
  const s = { maxLr: 1e-3, minLr: 1e-4, warmupSteps: 10, totalSteps: 110 };
  assert.equal(learningRate(s, 5), 5e-4);
  assert.equal(learningRate(s, 10), 1e-3);
  assert.ok(Math.abs(learningRate(s, 60) - 5.5e-4) < 1e-12);
  assert.equal(learningRate(s, 110), 1e-4);
  assert.equal(learningRate(s, 500), 1e-4);
  for (let t = 11; t < 110; t++) assert.ok(learningRate(s, t + 1) <= learningRate(s, t));
});

import assert from "node:assert/strict";
import { MockableClock } from "./clock.ts";

Deno.test.sanitizer({ ops: true, resources: true });

Deno.test("MockableClock reads the system clock until a mock time is set, and again after 0", () => {
  let ms = 1_700_000_123_456;
  const clock = new MockableClock(() => ms);
  assert.equal(clock.nowSecs(), 1_700_000_123);
  clock.setMockTime(1_800_000_000);
  ms += 50_000;
  assert.equal(clock.nowSecs(), 1_800_000_000);
  assert.equal(clock.mockSecs, 1_800_000_000);
  clock.setMockTime(0);
  assert.equal(clock.nowSecs(), 1_700_000_173);
});

Deno.test("MockableClock.setMockTime() rejects negative and fractional times", () => {
  const clock = new MockableClock();
  assert.throws(() => clock.setMockTime(-1), RangeError);
  assert.throws(() => clock.setMockTime(1.5), RangeError);
});

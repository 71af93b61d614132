import assert from "node:assert/strict";
import { GossipRateLimiter } from "./gossip_rate_limit.ts";

Deno.test("GossipRateLimiter allows a burst, then one per interval, per key", () => {
  const limiter = new GossipRateLimiter(3, 100);
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("a", 1000)), [true, true, true, false]);
  assert.equal(limiter.take("b", 1000), true);
  assert.equal(limiter.take("a", 1099), false);
  assert.equal(limiter.allows("a", 1100), true);
  assert.equal(limiter.take("a", 1100), true);
  assert.equal(limiter.take("a", 1100), false);
  // A long pause refills to the burst, not beyond it.
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take("a", 100_000)), [true, true, true, false]);
});

Deno.test("GossipRateLimiter does not refill when the clock goes back", () => {
  const limiter = new GossipRateLimiter(1, 100);
  assert.equal(limiter.take("a", 1000), true);
  assert.equal(limiter.take("a", 500), false);
  assert.equal(limiter.take("a", 1099), false);
  assert.equal(limiter.take("a", 1100), true);
});

Deno.test("GossipRateLimiter.forgetFull() keeps only buckets still refilling", () => {
  const limiter = new GossipRateLimiter(2, 100);
  limiter.take("a", 0);
  limiter.take("a", 0);
  limiter.forgetFull(100);
  assert.equal(limiter.take("a", 100), true);
  assert.equal(limiter.take("a", 100), false, "a is still refilling, so its bucket was kept");
  assert.throws(() => new GossipRateLimiter(0, 1), RangeError);
});

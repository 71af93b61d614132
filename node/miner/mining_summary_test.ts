import assert from "node:assert/strict";
import { TargetNotReachedError } from "./block_miner.ts";
import { formatMiningSummary } from "./mining_summary.ts";

Deno.test("the mining summary counts blocks, rounds, time and rewards", () => {
  assert.equal(
    formatMiningSummary({
      blocks: 1,
      rejected: 1,
      rounds: 1,
      steps: 10,
      secs: 75,
      rewardResonances: 12_345_678_900n,
    }),
    "mining stopped: 1 block found (1 rejected) in 1 round (10 steps), 1m15s, " +
      "rewards 123.45678900 RNT",
  );
});

Deno.test("the mining summary says which block was given up and how far it was", () => {
  const gaveUp = new TargetNotReachedError("x", {
    height: 11,
    rounds: 500,
    bestMicroNats: 2_430_600,
    targetMicroNats: 2_395_000,
  });
  assert.match(
    formatMiningSummary({
      blocks: 10,
      rejected: 0,
      rounds: 600,
      steps: 6000,
      secs: 4000,
      rewardResonances: 0n,
      gaveUp,
    }),
    /^mining stopped: 10 blocks found in 600 rounds \(6000 steps\), 1h06m, rewards 0\.00000000 RNT; gave up on block 11 after 500 rounds \(--max-rounds\): best val 2\.4306, needed 2\.3950$/,
  );
});

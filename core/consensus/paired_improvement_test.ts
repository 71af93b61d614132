import assert from "node:assert/strict";
import { assertReject } from "./_assert_reject.ts";
import {
  checkPairedImprovement,
  pairedSums,
  requiredImprovementPpm,
} from "./paired_improvement.ts";
import { checkNetworkParams, MAINNET, NETWORKS, REGTEST } from "./params.ts";

Deno.test("checkPairedImprovement() passes exactly μ and rejects one unit less", async () => {
  // parent 1,000,000 units, μ = 1%: the child may have at most 990,000.
  checkPairedImprovement({ parentSum: 1_000_000n, childSum: 990_000n }, 10_000);
  await assertReject(
    () => checkPairedImprovement({ parentSum: 1_000_000n, childSum: 990_001n }, 10_000),
    "insufficient-sample-improvement",
  );
});

Deno.test("checkPairedImprovement() needs one unit of improvement even when μ has decayed to 0", async () => {
  checkPairedImprovement({ parentSum: 500n, childSum: 499n }, 0);
  await assertReject(
    () => checkPairedImprovement({ parentSum: 500n, childSum: 500n }, 0),
    "insufficient-sample-improvement",
  );
  await assertReject(
    () => checkPairedImprovement({ parentSum: 500n, childSum: 501n }, 0),
    "insufficient-sample-improvement",
  );
});

Deno.test("pairedSums() sums exact integers and refuses unpaired lists", () => {
  assert.deepEqual(pairedSums([1n, 2n, 3n], [1n, 1n, 1n]), { parentSum: 6n, childSum: 3n });
  assert.throws(() => pairedSums([1n], [1n, 2n]), RangeError);
  assert.throws(() => pairedSums([], []), RangeError);
  assert.throws(() => pairedSums([-1n], [1n]), RangeError);
});

Deno.test("requiredImprovementPpm() halves per half-life after the grace, down to 0", () => {
  const p = {
    sampleMinImprovementPpm: 40_000,
    improvementGraceSecs: 100,
    improvementHalfLifeSecs: 10,
  };
  assert.equal(requiredImprovementPpm(p, 1000, 1001), 40_000);
  assert.equal(requiredImprovementPpm(p, 1000, 1109), 40_000); // grace + 9 s
  assert.equal(requiredImprovementPpm(p, 1000, 1110), 20_000);
  assert.equal(requiredImprovementPpm(p, 1000, 1130), 5_000);
  assert.equal(requiredImprovementPpm(p, 1000, 1000 + 100 + 10 * 15), 1); // ⌊40000 / 2^15⌋
  assert.equal(requiredImprovementPpm(p, 1000, 1000 + 100 + 10 * 16), 0);
  assert.equal(requiredImprovementPpm(p, 1000, 1e12), 0);
  // A timestamp before the parent's (allowed by MTP) never raises μ above its base.
  assert.equal(requiredImprovementPpm(p, 1000, 900), 40_000);
});

Deno.test("after the decay a block with less than μ of progress passes the rule it failed at the parent's time", async () => {
  // The same sums that fail at the parent's time pass once μ has decayed long enough.
  const sums = { parentSum: 1_000_000n, childSum: 999_000n }; // 0.1% better on the sample
  const t0 = REGTEST.genesisTimestampSecs;
  await assertReject(
    () => checkPairedImprovement(sums, requiredImprovementPpm(REGTEST, t0, t0 + 1)),
    "insufficient-sample-improvement",
  );
  const later = t0 + REGTEST.improvementGraceSecs + 4 * REGTEST.improvementHalfLifeSecs;
  checkPairedImprovement(sums, requiredImprovementPpm(REGTEST, t0, later)); // μ/16 = 625 ppm
});

Deno.test("a forged future timestamp buys at most ⌈maxFutureBlockTime / halfLife⌉ halvings on mainnet", () => {
  const t = 2_000_000_000;
  const honest = requiredImprovementPpm(MAINNET, t, t + 3 * 3600);
  const forged = requiredImprovementPpm(MAINNET, t, t + 3 * 3600 + MAINNET.maxFutureBlockTimeSecs);
  const bound = Math.ceil(MAINNET.maxFutureBlockTimeSecs / MAINNET.improvementHalfLifeSecs);
  assert.ok(honest / forged <= 2 ** bound, `${honest} vs ${forged}`);
});

Deno.test("every network's sample parameters are consistent", () => {
  for (const p of Object.values(NETWORKS)) assert.deepEqual(checkNetworkParams(p), []);
});

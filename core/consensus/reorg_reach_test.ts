import assert from "node:assert/strict";
import { reorgMarginWork } from "./chain_work.ts";
import { MAINNET, REGTEST } from "./params.ts";
import { maxBranchWork, reorgWorkToBeat } from "./reorg_reach.ts";

const capped = 1n + BigInt(REGTEST.blockWorkCapPpm);

Deno.test("reorgWorkToBeat() is the tip's work plus the margin its depth owes", () => {
  assert.equal(reorgWorkToBeat(REGTEST, 500n, 0), 500n);
  assert.equal(reorgWorkToBeat(REGTEST, 500n, 1), 500n);
  assert.equal(reorgWorkToBeat(REGTEST, 500n, 2), 500n + capped);
  assert.equal(reorgWorkToBeat(REGTEST, 500n, 30), 500n + reorgMarginWork(REGTEST, 30));
  assert.throws(() => reorgWorkToBeat(REGTEST, 500n, -1), RangeError);
});

Deno.test("maxBranchWork() counts every header at the per-block cap", () => {
  assert.equal(maxBranchWork(REGTEST, 7n, 0), 7n);
  assert.equal(maxBranchWork(REGTEST, 7n, 3), 7n + 3n * capped);
  assert.equal(
    maxBranchWork(MAINNET, 0n, 2),
    2n * (1n + BigInt(MAINNET.blockWorkCapPpm)),
  );
  assert.throws(() => maxBranchWork(REGTEST, 0n, -1), RangeError);
  assert.throws(() => maxBranchWork(REGTEST, 0n, 0.5), RangeError);
});

Deno.test("a branch exactly reaching the margin at the cap cannot clear it; one more header at the cap can", () => {
  // The tip is 4 blocks above the fork, each at the cap: the margin owes 3 capped blocks more,
  // so a branch needs 4 + 3 = 7 capped blocks to tie and an 8th to clear.
  const forkWork = 1_000n;
  const tipWork = maxBranchWork(REGTEST, forkWork, 4);
  const toBeat = reorgWorkToBeat(REGTEST, tipWork, 4);
  assert.equal(maxBranchWork(REGTEST, forkWork, 7), toBeat);
  assert.ok(!(maxBranchWork(REGTEST, forkWork, 7) > toBeat));
  assert.ok(maxBranchWork(REGTEST, forkWork, 8) > toBeat);
  // One unit of work below the cap on the tip's side makes 7 capped headers enough.
  assert.ok(maxBranchWork(REGTEST, forkWork, 7) > reorgWorkToBeat(REGTEST, tipWork - 1n, 4));
});

Deno.test("a copy of the tip's blocks (4 blocks, d = 4) cannot clear the margin even at the cap", () => {
  // The honest blocks each verified at least μ: the copy's 4 headers at the cap fall short of
  // the honest work plus three capped blocks, whatever they claim.
  const mu = BigInt(REGTEST.sampleMinImprovementPpm);
  const tipWork = 4n * (1n + mu);
  assert.ok(maxBranchWork(REGTEST, 0n, 4) <= reorgWorkToBeat(REGTEST, tipWork, 4));
  // A longer branch could: its headers are fetched and its claims checked on evaluation.
  assert.ok(maxBranchWork(REGTEST, 0n, 10) > reorgWorkToBeat(REGTEST, tipWork, 4));
});

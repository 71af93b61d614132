import assert from "node:assert/strict";
import { baseReward, blockReward, eraOf, MAX_ERA } from "./emission.ts";
import { genesisEntry } from "./genesis.ts";
import type { ChainEntry } from "./chain_entry.ts";
import { MAX_SUPPLY_RESONANCES as MAX, REGTEST } from "./params.ts";

const RNT = 100_000_000n;

function parentWith(minted: bigint, returned = 0n, valLoss = 1_000_000): ChainEntry {
  const g = genesisEntry(REGTEST);
  return {
    ...g,
    header: { ...g.header, sampleLossMicroNats: valLoss },
    mintedResonances: minted,
    returnedResonances: returned,
  };
}

Deno.test("eraOf() starts era k exactly at 21M × (1 − 2^−k)", () => {
  assert.equal(eraOf(0n), 0);
  assert.equal(eraOf(MAX / 2n - 1n), 0);
  assert.equal(eraOf(MAX / 2n), 1);
  assert.equal(eraOf(MAX * 3n / 4n - 1n), 1);
  assert.equal(eraOf(MAX * 3n / 4n), 2);
  assert.equal(eraOf(MAX - MAX / 1024n), 10);
  assert.equal(eraOf(MAX), MAX_ERA);
});

Deno.test("baseReward() halves per era: 50, 25, 12.5 RNT, 1 resonance at era 32, 0 after", () => {
  assert.equal(baseReward(0), 50n * RNT);
  assert.equal(baseReward(1), 25n * RNT);
  assert.equal(baseReward(2), 1_250_000_000n);
  assert.equal(baseReward(32), 1n);
  assert.equal(baseReward(33), 0n);
});

Deno.test("blockReward() at era boundaries without bonus", () => {
  // No progress: Δ = 0, no bonus.
  assert.equal(blockReward(REGTEST, parentWith(0n), 0), 5_000_000_000n);
  assert.equal(blockReward(REGTEST, parentWith(MAX / 2n - 1n), 0), 5_000_000_000n);
  assert.equal(blockReward(REGTEST, parentWith(MAX / 2n), 0), 2_500_000_000n);
  assert.equal(blockReward(REGTEST, parentWith(MAX * 3n / 4n), 0), 1_250_000_000n);
});

Deno.test("blockReward() adds the performance bonus up to 2× at Δfull", () => {
  const full = REGTEST.bonusFullImprovementPpm; // 50 000 ppm = 5 %
  const p = parentWith(0n, 0n, 1_000_000);
  // Δ = 1 % of 5 % → +20 %.
  assert.equal(blockReward(REGTEST, p, 10_000), 6_000_000_000n);
  // Δ = half of Δfull → 1.5×.
  assert.equal(blockReward(REGTEST, p, full / 2), 7_500_000_000n);
  // Δ = Δfull and beyond → 2×, never more.
  assert.equal(blockReward(REGTEST, p, full), 10_000_000_000n);
  assert.equal(blockReward(REGTEST, p, 500_000), 10_000_000_000n);
  // Era 1 with full bonus: 2 × 25 RNT.
  assert.equal(blockReward(REGTEST, parentWith(MAX / 2n, 0n, 0), 100_000), 50n * RNT);
});

Deno.test("blockReward() is 0 at the cap and counts returned value back into the pool", () => {
  assert.equal(blockReward(REGTEST, parentWith(MAX), 100_000), 0n);
  assert.equal(blockReward(REGTEST, parentWith(MAX + 5n, 5n), 100_000), 0n);
  // Returning supply moves the chain back to an earlier era: minted 3/4, returned 1/4 → era 1.
  assert.equal(blockReward(REGTEST, parentWith(MAX * 3n / 4n, MAX / 4n), 0), 25n * RNT);
  // One resonance below the cap: era 50, base 0.
  assert.equal(blockReward(REGTEST, parentWith(MAX - 1n), 500_000), 0n);
});

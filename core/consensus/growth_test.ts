import assert from "node:assert/strict";
import type { ChainEntry } from "./chain_entry.ts";
import { genesisEntry } from "./genesis.ts";
import { headerProgressPpm, improvementPpm, isStagnant, nextModelConfig } from "./growth.ts";
import { MAINNET, REGTEST } from "./params.ts";

function entry(dModel: number, nLayers: number, stagnation: number): ChainEntry {
  const g = genesisEntry(REGTEST);
  return { ...g, stagnation, header: { ...g.header, dModel, nLayers } };
}

Deno.test("nextModelConfig() adds 2 × (1 + ⌊stagnation/10⌋) to dModel", () => {
  assert.deepEqual(nextModelConfig(REGTEST, entry(16, 1, 0)), { dModel: 18, nLayers: 1 });
  assert.deepEqual(nextModelConfig(REGTEST, entry(16, 1, 9)), { dModel: 18, nLayers: 1 });
  assert.deepEqual(nextModelConfig(REGTEST, entry(16, 1, 10)), { dModel: 20, nLayers: 1 });
  assert.deepEqual(nextModelConfig(REGTEST, entry(16, 1, 25)), { dModel: 22, nLayers: 1 });
});

Deno.test("nextModelConfig() adds a layer every layerEvery units and caps both", () => {
  assert.deepEqual(nextModelConfig(REGTEST, entry(30, 1, 0)), { dModel: 32, nLayers: 2 });
  assert.deepEqual(nextModelConfig(REGTEST, entry(64, 2, 0)), { dModel: 64, nLayers: 2 });
  assert.deepEqual(nextModelConfig(MAINNET, entry(510, 1, 0)), { dModel: 512, nLayers: 7 });
  assert.deepEqual(nextModelConfig(MAINNET, entry(4096, 35, 50)), { dModel: 4096, nLayers: 35 });
});

const claims = (parentSampleLossMicroNats: number, sampleLossMicroNats: number) => ({
  parentSampleLossMicroNats,
  sampleLossMicroNats,
});

Deno.test("isStagnant() counts a header's sample progress below 2μ; improvementPpm() floors", () => {
  // Regtest μ = 1 %: 2μ = 20 000 ppm.
  assert.equal(isStagnant(REGTEST, claims(1_000_000, 980_001)), true);
  assert.equal(isStagnant(REGTEST, claims(1_000_000, 980_000)), false);
  assert.equal(headerProgressPpm(claims(1_000_000, 980_000)), 20_000);
  assert.equal(headerProgressPpm(claims(0, 0)), 0); // genesis claims nothing
  assert.equal(improvementPpm(3_000_000, 2_999_999), 0);
  assert.equal(improvementPpm(1_000_000, 1_000_001), 0);
});

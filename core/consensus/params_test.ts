import assert from "node:assert/strict";
import {
  BASE_REWARD_RESONANCES,
  checkNetworkParams,
  getNetworkParams,
  MAINNET,
  MAX_SUPPLY_RESONANCES,
  networkByHrp,
  networkByMagic,
  NETWORKS,
  REGTEST,
  TESTNET,
} from "./params.ts";

Deno.test("NETWORKS match the DESIGN §2 table", () => {
  const table = [
    [MAINNET, "rnt", 9555, 9554, 384, 6, 4096, 48, 100, 128, 512, 1 << 20],
    [TESTNET, "trnt", 19555, 19554, 128, 2, 512, 8, 100, 64, 256, 64 << 10],
    [REGTEST, "rrnt", 29555, 29554, 16, 1, 64, 2, 10, 16, 64, 4 << 10],
  ] as const;
  for (const [p, hrp, p2p, rpc, d, l, maxD, maxL, maturity, every, w, setBytes] of table) {
    assert.deepEqual(
      [p.hrp, p.p2pPort, p.rpcPort, p.genesisDModel, p.genesisLayers, p.maxDModel, p.maxLayers],
      [hrp, p2p, rpc, d, l, maxD, maxL],
    );
    assert.deepEqual(
      [p.coinbaseMaturity, p.layerEvery, p.validationWindowBytes, p.validationSetMinBytes],
      [maturity, every, w, setBytes],
    );
  }
});

Deno.test("checkNetworkParams() holds for every network", () => {
  for (const p of Object.values(NETWORKS)) assert.deepEqual(checkNetworkParams(p), [], p.name);
});

Deno.test("checkNetworkParams() reports a work cap below μ and a reorg depth beyond kept checkpoints", () => {
  const bad = {
    ...REGTEST,
    blockWorkCapPpm: REGTEST.sampleMinImprovementPpm - 1,
    keepCheckpoints: 20,
  };
  const errors = checkNetworkParams(bad);
  assert.ok(errors.some((e) => e.includes("blockWorkCapPpm")));
  assert.ok(errors.some((e) => e.includes("keepCheckpoints")));
});

Deno.test("network magics and HRPs are distinct and look up their network", () => {
  const all = Object.values(NETWORKS);
  assert.equal(new Set(all.map((p) => p.magic.join(","))).size, 3);
  assert.equal(new Set(all.map((p) => p.hrp)).size, 3);
  for (const p of all) {
    assert.equal(networkByMagic(p.magic), p);
    assert.equal(networkByHrp(p.hrp), p);
    assert.equal(getNetworkParams(p.name), p);
  }
  assert.equal(networkByMagic(new Uint8Array(4)), undefined);
  assert.throws(() => getNetworkParams("signet"), RangeError);
});

Deno.test("params are frozen, amounts are bigint resonances", () => {
  assert.throws(() => {
    (MAINNET as { hrp: string }).hrp = "x";
  }, TypeError);
  assert.equal(MAX_SUPPLY_RESONANCES, 2_100_000_000_000_000n);
  assert.equal(BASE_REWARD_RESONANCES, 5_000_000_000n);
  assert.equal(typeof MAINNET.minRelayFeePerByte, "bigint");
});

Deno.test("mainnet and testnet sample sizes hold 2⁶⁴ grinds below μ/2 at the measured spread", () => {
  // Largest paired per-window spread measured by bench/pot_noise_bench.ts on the 30 fixture
  // checkpoints (PROTOCOL §5.9): 0.0219 at W = 512, 0.0295 at W = 256. Rounded up.
  const spread: Record<number, number> = { 512: 0.022, 256: 0.030 };
  const z = Math.sqrt(2 * Math.log(2 ** 64));
  for (const p of [MAINNET, TESTNET]) {
    const s = spread[p.validationWindowBytes]!;
    const grindPpm = z * s / Math.sqrt(p.evalSampleWindows) * 1e6;
    assert.ok(grindPpm <= p.sampleMinImprovementPpm / 2, `${p.name}: ${grindPpm} ppm`);
  }
});

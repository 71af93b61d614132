// Re-derives the pinned genesis losses. Imports gpu/ (test only; core code never does): move to
// tests/ if a lint rule forbids it.
import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { lossToMicroNats } from "../core/consensus/evaluator.ts";
import { genesisModelConfig } from "../core/consensus/genesis.ts";
import { REGTEST, TESTNET } from "../core/consensus/params.ts";
import { evaluateLossCpu } from "../gpu/ref/model.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { requestGpu } from "../gpu/device.ts";
import { evaluateLossGpu } from "../gpu/model/evaluate.ts";

Deno.test("regtest genesis loss re-derives with the CPU reference", async () => {
  const ck = genesisCheckpoint(genesisModelConfig(REGTEST), REGTEST.genesisModelSeed);
  const val = await loadValidationSet("regtest");
  const loss = evaluateLossCpu(ck, val, REGTEST.validationWindowBytes);
  assert.equal(lossToMicroNats(loss), REGTEST.genesisValLossMicroNats);
});

const gpu = await requestGpu();
const slowOk = Deno.env.get("RNT_SLOW_TESTS") === "1" ||
  (gpu !== null && !gpu.adapterName.includes("llvmpipe"));

Deno.test({
  name: "testnet genesis loss re-derives on WebGPU (108 s on llvmpipe: RNT_SLOW_TESTS=1)",
  ignore: !gpu || !slowOk,
  fn: async () => {
    const ck = genesisCheckpoint(genesisModelConfig(TESTNET), TESTNET.genesisModelSeed);
    const val = await loadValidationSet("testnet");
    const loss = await evaluateLossGpu(gpu!, ck, val, TESTNET.validationWindowBytes);
    assert.equal(lossToMicroNats(loss), TESTNET.genesisValLossMicroNats);
  },
});

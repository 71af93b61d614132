import assert from "node:assert/strict";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { evaluateLossCpu } from "../ref/model.ts";
import { loadValidationSet } from "./datasets.ts";
import { windowLossesNatsCpu } from "./window_evaluator.ts";

const genesis = genesisCheckpoint(
  { dModel: REGTEST.genesisDModel, nLayers: REGTEST.genesisLayers },
  REGTEST.genesisModelSeed,
);

Deno.test("per-window f32 losses add up to the f32 loss of the same windows", async () => {
  const set = await loadValidationSet("regtest");
  const W = REGTEST.validationWindowBytes;
  const starts = Array.from({ length: set.length / W }, (_, i) => i * W);
  const perWindow = windowLossesNatsCpu(genesis, set, starts, W);
  const mean = perWindow.reduce((a, b) => a + b, 0) / (starts.length * (W - 1));
  assert.ok(Math.abs(mean - evaluateLossCpu(genesis, set, W)) < 1e-9);
  assert.throws(() => windowLossesNatsCpu(genesis, set, [set.length - W + 1], W), RangeError);
});

/**
 * The growth rule (DESIGN §6, PROTOCOL §5.3) and the improvement measures it and the reward use.
 *
 * @module
 */
import type { ModelConfig } from "../checkpoint/model_config.ts";
import type { ChainEntry } from "./chain_entry.ts";
import { type NetworkParams, PPM } from "./params.ts";

/**
 * Relative improvement of `valLossMicroNats` over `parentValLossMicroNats` in ppm, floored;
 * 0 when the loss did not go down (or the parent's is 0).
 *
 * @example
 * ```ts
 * import { improvementPpm } from "./growth.ts";
 * console.log(improvementPpm(1_000_000, 990_000)); // 10000
 * ```
 */
export function improvementPpm(parentValLossMicroNats: number, valLossMicroNats: number): number {
  if (parentValLossMicroNats <= 0 || valLossMicroNats >= parentValLossMicroNats) return 0;
  return Math.floor(
    (parentValLossMicroNats - valLossMicroNats) * PPM / parentValLossMicroNats,
  );
}

/** True iff `valLoss ≤ parentValLoss × (1 − μ)` (exact integer arithmetic). */
export function meetsMinImprovement(
  params: NetworkParams,
  parentValLossMicroNats: number,
  valLossMicroNats: number,
): boolean {
  return BigInt(valLossMicroNats) * BigInt(PPM) <=
    BigInt(parentValLossMicroNats) * BigInt(PPM - params.minImprovementPpm);
}

/** True iff the improvement is below 2μ (the block counts towards stagnation). */
export function isStagnant(
  params: NetworkParams,
  parentValLossMicroNats: number,
  valLossMicroNats: number,
): boolean {
  const drop = BigInt(parentValLossMicroNats) - BigInt(valLossMicroNats);
  return drop * BigInt(PPM) <
    BigInt(2 * params.minImprovementPpm) * BigInt(parentValLossMicroNats);
}

/**
 * The model configuration a child of `parent` must have: dModel grows by
 * `growthBaseUnits × (1 + ⌊stagnation / stagnationStep⌋)` up to `maxDModel`; the layer count is
 * `genesisLayers + ⌊(dModel − genesisDModel) / layerEvery⌋` up to `maxLayers`.
 *
 * @example
 * ```ts
 * import { nextModelConfig } from "./growth.ts";
 * import { genesisEntry } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * console.log(nextModelConfig(REGTEST, genesisEntry(REGTEST))); // { dModel: 18, nLayers: 1 }
 * ```
 */
export function nextModelConfig(params: NetworkParams, parent: ChainEntry): ModelConfig {
  const step = params.growthBaseUnits *
    (1 + Math.floor(parent.stagnation / params.stagnationStep));
  const dModel = Math.min(params.maxDModel, parent.header.dModel + step);
  const grown = Math.max(0, dModel - params.genesisDModel);
  const nLayers = Math.min(
    params.maxLayers,
    params.genesisLayers + Math.floor(grown / params.layerEvery),
  );
  return { dModel, nLayers };
}

/**
 * The growth rule (DESIGN §6, PROTOCOL §5.3) and the improvement measures it and the reward use.
 *
 * @module
 */
import type { ModelConfig } from "../checkpoint/model_config.ts";
import type { BlockHeader } from "../primitives/block.ts";
import type { ChainEntry } from "./chain_entry.ts";
import { type NetworkParams, PPM } from "./params.ts";

/**
 * Relative improvement of `lossMicroNats` over `parentLossMicroNats` in ppm, floored; 0 when
 * the loss did not go down (or the parent's is 0). A header's progress is this of its two sample
 * losses (PROTOCOL §5.9): the parent's and its own checkpoint's on the block's sample.
 *
 * @example
 * ```ts
 * import { improvementPpm } from "./growth.ts";
 * console.log(improvementPpm(1_000_000, 990_000)); // 10000
 * ```
 */
export function improvementPpm(parentLossMicroNats: number, lossMicroNats: number): number {
  if (parentLossMicroNats <= 0 || lossMicroNats >= parentLossMicroNats) return 0;
  return Number(
    BigInt(parentLossMicroNats - lossMicroNats) * BigInt(PPM) / BigInt(parentLossMicroNats),
  );
}

/** The verified progress of a block: {@linkcode improvementPpm} of its two sample losses. */
export function headerProgressPpm(
  header: Pick<BlockHeader, "parentSampleLossMicroNats" | "sampleLossMicroNats">,
): number {
  return improvementPpm(header.parentSampleLossMicroNats, header.sampleLossMicroNats);
}

/** True iff the block's progress is below 2μ (it counts towards stagnation). */
export function isStagnant(
  params: Pick<NetworkParams, "sampleMinImprovementPpm">,
  header: Pick<BlockHeader, "parentSampleLossMicroNats" | "sampleLossMicroNats">,
): boolean {
  return headerProgressPpm(header) < 2 * params.sampleMinImprovementPpm;
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

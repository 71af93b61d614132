/**
 * Stage 1 header rules: what a header alone must satisfy (PROTOCOL §5.5).
 *
 * @module
 */
import { isValidModelConfig } from "../checkpoint/model_config.ts";
import { encodedCheckpointSize } from "../checkpoint/rnet.ts";
import type { BlockHeader } from "../primitives/block.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";

/** The only header version this code knows. */
export const BLOCK_VERSION = 1;

/** `version` must be {@linkcode BLOCK_VERSION} ("bad-version"). */
export function checkHeaderVersion(header: BlockHeader): void {
  if (header.version !== BLOCK_VERSION) {
    reject("bad-version", `version ${header.version}, expected ${BLOCK_VERSION}`);
  }
}

/** `(dModel, nLayers)` must be a valid config within the network's maxima ("bad-model-config"). */
export function checkHeaderModelBounds(header: BlockHeader, params: NetworkParams): void {
  const config = { dModel: header.dModel, nLayers: header.nLayers };
  if (
    !isValidModelConfig(config) || config.dModel > params.maxDModel ||
    config.nLayers > params.maxLayers
  ) {
    reject("bad-model-config", `dModel ${config.dModel}, nLayers ${config.nLayers}`);
  }
}

/** `checkpointSize` must be the exact `.rnet` size of the config ("bad-checkpoint-size"). */
export function checkHeaderCheckpointSize(header: BlockHeader): void {
  const expected = encodedCheckpointSize({ dModel: header.dModel, nLayers: header.nLayers });
  if (header.checkpointSize !== expected) {
    reject("bad-checkpoint-size", `checkpointSize ${header.checkpointSize}, expected ${expected}`);
  }
}

/**
 * All header-alone rules, in order: version, model bounds, checkpoint size.
 *
 * @example
 * ```ts
 * import { checkHeaderSanity } from "./check_header_sanity.ts";
 * import { genesisBlock } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * checkHeaderSanity(genesisBlock(REGTEST).header, REGTEST); // does not throw
 * ```
 */
export function checkHeaderSanity(header: BlockHeader, params: NetworkParams): void {
  checkHeaderVersion(header);
  checkHeaderModelBounds(header, params);
  checkHeaderCheckpointSize(header);
}

/**
 * Consensus checkpoint format: model configuration and canonical tensor layout, the `.rnet`
 * codec, 1 MiB chunking with its Merkle root, and deterministic genesis weights.
 *
 * @example
 * ```ts
 * import { checkpointRoot, encodeCheckpoint, genesisCheckpoint } from "./mod.ts";
 * const bytes = encodeCheckpoint(genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1));
 * checkpointRoot(bytes).length; // 32
 * ```
 *
 * @module
 */
export * from "./model_config.ts";
export * from "./checkpoint.ts";
export * from "./rnet.ts";
export * from "./chunks.ts";
export * from "./genesis_init.ts";

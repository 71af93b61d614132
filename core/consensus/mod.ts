/**
 * Consensus: network params, reject reasons, chain/UTXO summaries, genesis, and the staged
 * validation rules (btcd order): {@linkcode checkBlockSanity} (block alone) →
 * {@linkcode checkHeaderContext} (with the parent) → {@linkcode connectBlockTransactions} (with
 * the UTXO view) → {@linkcode checkProofOfTraining} (evaluation, last). Emission
 * ({@linkcode blockReward}), growth ({@linkcode nextModelConfig}) and {@linkcode nextEntry}.
 *
 * @example
 * ```ts
 * import { blockReward, genesisEntry, nextModelConfig, REGTEST } from "./mod.ts";
 * const g = genesisEntry(REGTEST);
 * console.log(nextModelConfig(REGTEST, g).dModel); // 18
 * console.log(blockReward(REGTEST, g, 0)); // 5000000000n
 * ```
 *
 * @module
 */
export * from "./params.ts";
export * from "./evaluator.ts";
export * from "./reasons.ts";
export * from "./chain_entry.ts";
export * from "./median_time_past.ts";
export * from "./genesis.ts";
export * from "./growth.ts";
export * from "./emission.ts";
export * from "./check_header_sanity.ts";
export * from "./check_tx_sanity.ts";
export * from "./check_block_sanity.ts";
export * from "./check_header_context.ts";
export * from "./check_recovery.ts";
export * from "./check_tx_inputs.ts";
export * from "./connect_block.ts";
export * from "./validate_transaction.ts";
export * from "./next_entry.ts";
export * from "./proof_of_training.ts";
export * from "./eval_sample.ts";
export * from "./paired_improvement.ts";
export * from "./chain_work.ts";

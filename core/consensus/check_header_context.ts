/**
 * Stage 2 rules: a header against its parent (PROTOCOL §5.5). Order: prevHash, height,
 * timestamp (past, future), growth config, minimum improvement, miner signature.
 *
 * @module
 */
import { sameConfig } from "../checkpoint/model_config.ts";
import { type BlockHeader, verifyHeaderSignature } from "../primitives/block.ts";
import type { ChainEntry } from "./chain_entry.ts";
import { nextModelConfig } from "./growth.ts";
import { checkSampleImprovement } from "./paired_improvement.ts";
import type { NetworkParams } from "./params.ts";
import { reject } from "./reasons.ts";
import { bytesEqual } from "../util/bytes_equal.ts";

/** `prevHash` must be the parent's id ("bad-prevblk"). */
export function checkPrevHash(header: BlockHeader, parent: ChainEntry): void {
  if (!bytesEqual(header.prevHash, parent.hash)) reject("bad-prevblk");
}

/** `height` must be the parent's plus one ("bad-height"). */
export function checkHeight(header: BlockHeader, parent: ChainEntry): void {
  if (header.height !== parent.height + 1) {
    reject("bad-height", `height ${header.height}, expected ${parent.height + 1}`);
  }
}

/**
 * The timestamp must exceed the parent's median-time-past ("time-too-old") and be at most
 * `maxFutureBlockTimeSecs` ahead of `nowSecs` ("time-too-new").
 */
export function checkTimestamp(
  header: BlockHeader,
  parent: ChainEntry,
  params: NetworkParams,
  nowSecs: number,
): void {
  if (header.timestampSecs <= parent.mtpSecs) {
    reject("time-too-old", `timestamp ${header.timestampSecs} ≤ parent MTP ${parent.mtpSecs}`);
  }
  if (header.timestampSecs > nowSecs + params.maxFutureBlockTimeSecs) {
    reject("time-too-new", `timestamp ${header.timestampSecs}, now ${nowSecs}`);
  }
}

/** `(dModel, nLayers)` must equal the growth rule applied to the parent ("bad-model-config"). */
export function checkGrowth(header: BlockHeader, parent: ChainEntry, params: NetworkParams): void {
  const want = nextModelConfig(params, parent);
  if (!sameConfig(want, { dModel: header.dModel, nLayers: header.nLayers })) {
    reject(
      "bad-model-config",
      `config (${header.dModel}, ${header.nLayers}), expected (${want.dModel}, ${want.nLayers})`,
    );
  }
}

/**
 * The claimed sample losses must meet μ_t ("insufficient-sample-improvement"); stage 4 checks
 * that the claims are the exact losses (PROTOCOL §5.9).
 */
export function checkImprovement(
  header: BlockHeader,
  parent: ChainEntry,
  params: NetworkParams,
): void {
  checkSampleImprovement(header, parent.header, params);
}

/** The signature must be a strict Ed25519 signature by `minerKey` on the block id ("bad-blk-sig"). */
export function checkMinerSignature(header: BlockHeader, params: NetworkParams): void {
  if (!verifyHeaderSignature(params.magic, header)) reject("bad-blk-sig");
}

/** Options of {@linkcode checkHeaderContext}. */
export interface HeaderContextOptions {
  /** The local clock (adjusted network time), seconds. */
  readonly nowSecs: number;
}

/**
 * All stage-2 rules, in order. Throws ValidationError with the first broken rule's reason.
 *
 * @example
 * ```ts
 * import { checkHeaderContext } from "./check_header_context.ts";
 * import { genesisBlock, genesisEntry } from "./genesis.ts";
 * import { REGTEST } from "./params.ts";
 * try {
 *   checkHeaderContext(genesisBlock(REGTEST).header, genesisEntry(REGTEST), REGTEST, { nowSecs: 0 });
 * } catch (e) {
 *   console.log((e as { reason: string }).reason); // "bad-prevblk"
 * }
 * ```
 */
export function checkHeaderContext(
  header: BlockHeader,
  parent: ChainEntry,
  params: NetworkParams,
  options: HeaderContextOptions,
): void {
  checkHeaderAgainstParent(header, parent, params, options);
  checkMinerSignature(header, params);
}

/**
 * The stage-2 rules that need the parent: all of {@linkcode checkHeaderContext} but the miner
 * signature, which needs no parent and is checked once with the block alone
 * (checked_block.ts).
 */
export function checkHeaderAgainstParent(
  header: BlockHeader,
  parent: ChainEntry,
  params: NetworkParams,
  options: HeaderContextOptions,
): void {
  checkPrevHash(header, parent);
  checkHeight(header, parent);
  checkTimestamp(header, parent, params, options.nowSecs);
  checkGrowth(header, parent, params);
  checkImprovement(header, parent, params);
}

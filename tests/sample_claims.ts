/**
 * Test helper: the exact sample claims (PROTOCOL §5.9) of a child block built from a real
 * checkpoint, computed the way a miner does — draw the sample from the header draft, evaluate
 * both checkpoints with the exact evaluator — for tests that put a known (e.g. fixture)
 * checkpoint under a header of their own, whose sample then differs from the original block's.
 *
 * @module
 */
import type { ChainEntry } from "../core/consensus/chain_entry.ts";
import type { Evaluator } from "../core/consensus/evaluator.ts";
import type { NetworkParams } from "../core/consensus/params.ts";
import { decodeBlockCheckpoint, evaluateSample } from "../core/consensus/proof_of_training.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { headerDraft } from "../node/miner/block_assembly.ts";
import type { UnsignedHeader } from "../core/primitives/block.ts";

let corpusOnce: Promise<Uint8Array> | undefined;

/** The two claims, and the timestamp the draft used (max(time, parent MTP + 1)). */
export interface SampleClaims {
  readonly parentSampleLossMicroNats: number;
  readonly sampleLossMicroNats: number;
  readonly timestampSecs: number;
}

/**
 * The exact claims of `header` (a child of `parent`, whose checkpoint bytes are
 * `parentCheckpoint`) carrying `childCheckpoint`: its sample drawn from the header (whose loss
 * fields and transaction roots do not matter), both checkpoints evaluated on it by `evaluator`
 * (default: the fastest exact path on the CPU).
 */
export async function claimsOfHeader(
  params: NetworkParams,
  header: UnsignedHeader,
  parent: ChainEntry,
  parentCheckpoint: Uint8Array,
  childCheckpoint: Uint8Array,
  evaluator: Evaluator = consensusEvaluator(selectExactEvaluator("auto", null)),
  corpus?: Uint8Array,
): Promise<{ parentSampleLossMicroNats: number; sampleLossMicroNats: number }> {
  const s = await evaluateSample(
    header,
    {
      checkpoint: decodeBlockCheckpoint(parent.header, parentCheckpoint),
      root: parent.header.checkpointRoot,
    },
    { checkpoint: decodeBlockCheckpoint(header, childCheckpoint), root: header.checkpointRoot },
    { params, evaluator, corpus: corpus ?? await (corpusOnce ??= loadEvalCorpus()) },
  );
  return {
    parentSampleLossMicroNats: s.parentSampleLossMicroNats,
    sampleLossMicroNats: s.sampleLossMicroNats,
  };
}

/**
 * The exact claims of a child of `parent` (checkpoint bytes `parentCheckpoint`) carrying
 * `childCheckpoint`, stamped `timestampSecs`, signed by `minerSeed`, as a miner's header draft
 * has them (evaluated by `evaluator`, default as in {@linkcode claimsOfHeader}).
 */
export async function sampleClaims(
  params: NetworkParams,
  parent: ChainEntry,
  parentCheckpoint: Uint8Array,
  childCheckpoint: Uint8Array,
  timestampSecs: number,
  minerSeed: Uint8Array,
  evaluator?: Evaluator,
): Promise<SampleClaims> {
  const draft = headerDraft(
    params,
    parent,
    childCheckpoint,
    timestampSecs,
    keyPairFromSeed(minerSeed).publicKey,
  );
  const claims = await claimsOfHeader(
    params,
    draft,
    parent,
    parentCheckpoint,
    childCheckpoint,
    evaluator,
  );
  return { ...claims, timestampSecs: draft.timestampSecs };
}

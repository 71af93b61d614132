/**
 * Block validation cost, split by stage (issue "Chain core", point 10):
 * cheap checks (block alone + header against its parent) → transactions against the UTXO view
 * (with batched Ed25519 verification) → proof of training (PROTOCOL §5.9: the parent's and the
 * block's checkpoints evaluated with the exact evaluator on the block's K-window sample of the
 * evaluation corpus). And the UTXO connect rate of the LevelDB chainstate against the in-memory
 * reference.
 *
 * The proof-of-training case is real: the parent is the test chain's tip checkpoint, the child
 * is that checkpoint grown to the next config and trained on the CPU until it beats the parent
 * by μ on its own sample, and the header carries the exact losses, so `checkProofOfTraining`
 * runs every step a verifying node runs. The LevelDB case keeps the scripted evaluator (its
 * subject is the store, not the model).
 *
 * Run: deno bench --allow-all bench/chain_bench.ts
 */
import { Chainstate } from "../core/chain/chainstate.ts";
import type { Checkpoint } from "../core/checkpoint/checkpoint.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { checkpointRoot } from "../core/checkpoint/chunks.ts";
import { checkBlockSanity } from "../core/consensus/check_block_sanity.ts";
import { checkHeaderContext } from "../core/consensus/check_header_context.ts";
import { connectBlockTransactions } from "../core/consensus/connect_block.ts";
import { nextModelConfig } from "../core/consensus/growth.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { checkProofOfTraining, evaluateSample } from "../core/consensus/proof_of_training.ts";
import {
  heartbeatWallet,
  outputKey,
  ScriptedEvaluator,
  TestChain,
  testCheckpoint,
} from "../core/consensus/testing/block_builder.ts";
import { VerifiedCheckpoint } from "../core/consensus/verified_checkpoint.ts";
import { type Block, unsignedOf } from "../core/primitives/block.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";
import { createAdamState, trainStepCpu } from "../gpu/ref/model.ts";

const params = REGTEST;
const SPENDS = 60;
const wallet = heartbeatWallet(params, 1);
const corpus = await loadEvalCorpus();

// A chain whose first SPENDS coinbases (to `wallet`) have matured, with real checkpoints so the
// LevelDB chainstate can store them, then a block spending each of them into two outputs.
const scripted = new ScriptedEvaluator();
const chain = new TestChain(params);
const history: { block: Block; checkpoint: Uint8Array }[] = [];
for (let i = 0; i < SPENDS + params.coinbaseMaturity + 1; i++) {
  const ck = testCheckpoint(nextModelConfig(params, chain.tip), 1000 + i);
  const block = chain.build({ coinbaseTo: wallet.address, checkpoint: ck });
  scripted.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
  await chain.accept(block);
  history.push({ block, checkpoint: ck.bytes });
}
const spends = history.slice(0, SPENDS).map(({ block }) => {
  const key = outputKey(params, block.txs[0]!, 0);
  const value = chain.view.get(key)!.value;
  return chain.spend(wallet, [key], [
    { value: value / 2n, address: wallet.address },
    { value: value / 2n - 1_000n, address: wallet.address },
  ]);
});
// `target` claims the usual scripted improvement (for the stages before proof of training and
// the UTXO connect cases).
const ck = testCheckpoint(nextModelConfig(params, chain.tip), 99);
const target = chain.build({ txs: spends, checkpoint: ck });
scripted.register(ck.bytes, target.header.sampleLossMicroNats / 1e6);

// `evaluated`: a real child of the tip's checkpoint that passes the paired rule on its sample.
const exact = selectExactEvaluator("auto", null);
const evaluator = consensusEvaluator(exact);
const ctx = { params, evaluator, corpus };
const parentBlock = history[history.length - 1]!;
const parentCheckpoint = VerifiedCheckpoint.verify(
  parentBlock.block.header,
  parentBlock.checkpoint,
);
const parentDecoded = decodeCheckpoint(parentBlock.checkpoint, {
  dModel: parentBlock.block.header.dModel,
  nLayers: parentBlock.block.header.nLayers,
});
const childModel: Checkpoint = growCheckpoint(
  parentDecoded,
  nextModelConfig(params, chain.tip),
  chain.tip.height + 1,
);
const adam = createAdamState(childModel);
const W = params.validationWindowBytes;
const BATCH = 8;
let trainedSteps = 0;
let evaluated: Block | undefined;
let childBytes: Uint8Array = new Uint8Array(0);
const tTrain = performance.now();
for (let round = 0; round < 20 && !evaluated; round++) {
  // Ten CPU AdamW steps per round on consecutive corpus windows (KJV, far from any sample's
  // advantage: every sample is drawn from the whole 8 MB corpus).
  for (let s = 0; s < 10; s++, trainedSteps++) {
    const at = trainedSteps * BATCH * W;
    trainStepCpu(
      childModel,
      adam,
      Uint32Array.from(corpus.subarray(at, at + BATCH * W)),
      BATCH,
      W,
      {
        lr: 1e-2,
        beta1: 0.9,
        beta2: 0.95,
        eps: 1e-8,
        weightDecay: 0,
        maxGradNorm: 1,
      },
    );
  }
  childBytes = encodeCheckpoint(childModel);
  const commitment = { root: checkpointRoot(childBytes), size: childBytes.length };
  const draft = chain.build({ checkpoint: commitment });
  const sample = await evaluateSample(
    unsignedOf(draft.header),
    { checkpoint: parentDecoded, root: parentCheckpoint.root },
    { checkpoint: childModel, root: commitment.root },
    ctx,
  );
  const needed = Math.floor(
    sample.parentSampleLossMicroNats * (1 - params.sampleMinImprovementPpm / 1e6),
  );
  if (sample.sampleLossMicroNats > needed) continue;
  // The seed leaves out the loss fields, so the same header with the exact losses has the same
  // sample.
  evaluated = chain.build({
    checkpoint: commitment,
    parentSampleLossMicroNats: sample.parentSampleLossMicroNats,
    sampleLossMicroNats: sample.sampleLossMicroNats,
  });
}
if (!evaluated) throw new Error("the CPU-trained child did not beat its parent by μ in 200 steps");
const evaluatedBlock = evaluated;
const proof = await checkProofOfTraining(
  evaluatedBlock.header,
  childBytes,
  { header: parentBlock.block.header, checkpoint: parentCheckpoint },
  ctx,
);
console.log(
  `proof-of-training block: parent ${parentBlock.block.header.dModel}×${parentBlock.block.header.nLayers} → ` +
    `child ${evaluatedBlock.header.dModel}×${evaluatedBlock.header.nLayers} after ${trainedSteps} CPU steps ` +
    `(${((performance.now() - tTrain) / 1000).toFixed(1)} s incl. sample checks); sample ` +
    `${proof.parentSampleLossMicroNats} → ${proof.sampleLossMicroNats} µnats, progress ` +
    `${proof.progressPpm} ppm (μ ${proof.requiredPpm}), work ${proof.work}; K = ${params.evalSampleWindows}, ` +
    `W = ${W}, corpus ${corpus.length} bytes`,
);
const utxoChanges = SPENDS * 3 + 1; // each spend: 1 input removed, 2 outputs added; + coinbase
console.log(
  `block under test: ${SPENDS} signed spends, ${utxoChanges} UTXO changes, evaluator ${evaluator.name}`,
);

Deno.bench({
  name: "cheap checks (block alone + header vs parent)",
  group: "validation stages",
  baseline: true,
  fn: () => {
    checkBlockSanity(target, params);
    checkHeaderContext(target.header, chain.tip, params, { nowSecs: chain.nowSecs });
  },
});

Deno.bench({
  name: `transactions vs UTXO view (${SPENDS} batched signature checks)`,
  group: "validation stages",
  fn: async () => {
    await connectBlockTransactions(target, chain.view, {
      params,
      parent: chain.tip,
      nowSecs: chain.nowSecs,
    });
  },
});

Deno.bench({
  name: `proof of training (2 checkpoints × ${params.evalSampleWindows} windows, ${exact.name})`,
  group: "validation stages",
  n: 5,
  fn: async () => {
    await checkProofOfTraining(
      evaluatedBlock.header,
      childBytes,
      { header: parentBlock.block.header, checkpoint: parentCheckpoint },
      ctx,
    );
  },
});

Deno.bench({
  name: "in-memory reference: validate + apply to a Map UTXO view",
  group: "UTXO connect",
  baseline: true,
  n: 5,
  fn: async (b) => {
    const copy = new TestChain(params);
    for (const h of history) await copy.accept(h.block);
    b.start();
    await copy.accept(target);
    b.end();
  },
});

Deno.bench({
  name: "LevelDB chainstate: acceptBlock (one atomic batch, scripted evaluator)",
  group: "UTXO connect",
  n: 5,
  fn: async (b) => {
    const dir = await Deno.makeTempDir({ prefix: "rnt-bench-" });
    const cs = await Chainstate.open(dir, params, scripted, corpus, {
      nowSecs: () => chain.nowSecs,
    });
    try {
      for (const h of history) await cs.acceptBlock(h.block, h.checkpoint);
      b.start();
      await cs.acceptBlock(target, ck.bytes);
      b.end();
    } finally {
      await cs.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

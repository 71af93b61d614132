/**
 * Block validation cost, split by stage (issue "Chain core", point 10):
 * cheap checks (block alone + header against its parent) → transactions against the UTXO view
 * (with batched Ed25519 verification) → proof of training (re-evaluating the checkpoint).
 * And the UTXO connect rate of the LevelDB chainstate against the in-memory reference.
 *
 * Run: deno task bench bench/chain_bench.ts
 */
import { Chainstate } from "../core/chain/chainstate.ts";
import { checkBlockSanity } from "../core/consensus/check_block_sanity.ts";
import { checkHeaderContext } from "../core/consensus/check_header_context.ts";
import { connectBlockTransactions } from "../core/consensus/connect_block.ts";
import { lossToMicroNats } from "../core/consensus/evaluator.ts";
import { nextModelConfig } from "../core/consensus/growth.ts";
import { REGTEST } from "../core/consensus/params.ts";
import { checkProofOfTraining } from "../core/consensus/proof_of_training.ts";
import {
  heartbeatWallet,
  outputKey,
  ScriptedEvaluator,
  TestChain,
  testCheckpoint,
} from "../core/consensus/testing/block_builder.ts";
import type { Block } from "../core/primitives/block.ts";
import { decodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { loadValidationSet } from "../gpu/model/datasets.ts";
import { createEvaluator } from "../gpu/model/evaluate.ts";

const params = REGTEST;
const SPENDS = 60;
const wallet = heartbeatWallet(params, 1);
const validation = await loadValidationSet("regtest");

// A chain whose first SPENDS coinbases (to `wallet`) have matured, with real checkpoints so the
// LevelDB chainstate can store them, then a block spending each of them into two outputs.
const scripted = new ScriptedEvaluator();
const chain = new TestChain(params);
const history: { block: Block; checkpoint: Uint8Array }[] = [];
for (let i = 0; i < SPENDS + params.coinbaseMaturity + 1; i++) {
  const ck = testCheckpoint(nextModelConfig(params, chain.tip), 1000 + i);
  const block = chain.build({ coinbaseTo: wallet.address, checkpoint: ck });
  scripted.register(ck.bytes, block.header.valLossMicroNats / 1e6);
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
// `target` claims the usual scripted improvement; `evaluated` carries a real checkpoint whose
// claimed loss is its real loss, for the proof-of-training stage (that stage checks only the
// commitment and the claim, so the parent's loss does not matter to it).
const ck = testCheckpoint(nextModelConfig(params, chain.tip), 99);
const target = chain.build({ txs: spends, checkpoint: ck });
scripted.register(ck.bytes, target.header.valLossMicroNats / 1e6);
const evaluator = await createEvaluator(() => {});
const realLoss = await evaluator.evaluate(decodeCheckpoint(ck.bytes), validation, 64);
const evaluated = chain.build({
  checkpoint: ck,
  valLossMicroNats: lossToMicroNats(realLoss),
});
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
  name: "proof of training (re-evaluate the regtest checkpoint)",
  group: "validation stages",
  n: 5,
  fn: async () => {
    await checkProofOfTraining(evaluated.header, ck.bytes, { params, evaluator, validation });
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
    const cs = await Chainstate.open(dir, params, scripted, validation, {
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

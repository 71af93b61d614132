/**
 * Issue 14 item 6: what verifying one block's Proof-of-Training costs at each network's genesis
 * configuration with the CPU path (exact WebAssembly SIMD across workers), measured by running the
 * real stage-4 check `checkProofOfTraining` on a real block: parent = the network's genesis
 * checkpoint, child = it grown to the next configuration and trained a few CPU steps on the bundled
 * sample text, header claims filled with the exact sample losses, stamped late enough that μ_t = 0
 * (a verifier evaluates the same windows whatever μ_t is). The sample is 2 × K windows of W bytes
 * of the evaluation corpus (mainnet: 2 × 128 × 512 = 128 KiB of tokens).
 *
 * Baseline in the same run: one exact evaluation of the same child on one sample's bytes (half the
 * check), so the ratio shows the check is its two evaluations and little else.
 *
 * ```sh
 * deno run --allow-read --allow-env --allow-sys bench/verify_block_bench.ts [regtest|testnet|mainnet ...]
 * ```
 *
 * @module
 */
import process from "node:process";
import { encodeCheckpoint } from "../core/checkpoint/rnet.ts";
import { genesisBlock, genesisCheckpointBytes, genesisEntry } from "../core/consensus/genesis.ts";
import { nextModelConfig } from "../core/consensus/growth.ts";
import { type NetworkName, NETWORKS } from "../core/consensus/params.ts";
import {
  checkProofOfTraining,
  decodeBlockCheckpoint,
} from "../core/consensus/proof_of_training.ts";
import { evalSampleSeed, sampleBytes, sampleWindowStarts } from "../core/consensus/eval_sample.ts";
import { VerifiedCheckpoint } from "../core/consensus/verified_checkpoint.ts";
import { keyPairFromSeed } from "../core/crypto/ed25519.ts";
import { signHeader } from "../core/primitives/block.ts";
import { consensusEvaluator, selectExactEvaluator } from "../gpu/exact/evaluator.ts";
import { loadSampleTrain } from "../gpu/model/datasets.ts";
import { loadEvalCorpus } from "../gpu/model/eval_corpus.ts";
import { growCheckpoint } from "../gpu/model/grow.ts";
import { createAdamState, trainStepCpu } from "../gpu/ref/model.ts";
import { headerDraft } from "../node/miner/block_assembly.ts";
import { claimsOfHeader } from "../tests/sample_claims.ts";

const nets =
  (Deno.args.length > 0 ? Deno.args : ["regtest", "testnet", "mainnet"]) as NetworkName[];
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const corpus = await loadEvalCorpus();
const text = await loadSampleTrain();
const exact = selectExactEvaluator("wasm", null);
const evaluator = consensusEvaluator(exact);
const seed = new Uint8Array(32).fill(0x77);
const key = keyPairFromSeed(seed).publicKey;
console.log(
  `verify_block_bench: evaluator ${exact.name}, ${navigator.hardwareConcurrency} cores, ` +
    `load ${Deno.loadavg().map((x) => x.toFixed(2)).join(" ")}`,
);

for (const name of nets) {
  const params = NETWORKS[name];
  const parent = genesisEntry(params);
  const parentBytes = genesisCheckpointBytes(params);
  const W = params.validationWindowBytes, K = params.evalSampleWindows;
  const child = growCheckpoint(
    decodeBlockCheckpoint(parent.header, parentBytes),
    nextModelConfig(params, parent),
    1,
  );
  const state = createAdamState(child);
  for (let s = 0; s < 2; s++) {
    trainStepCpu(child, state, Uint32Array.from(text.subarray(s * 2 * W, (s + 1) * 2 * W)), 2, W, {
      lr: 1e-3,
      beta1: 0.9,
      beta2: 0.95,
      eps: 1e-8,
      weightDecay: 0,
      maxGradNorm: 1,
    });
  }
  const bytes = encodeCheckpoint(child);
  const late = parent.header.timestampSecs + params.improvementGraceSecs +
    31 * params.improvementHalfLifeSecs;
  const draft = headerDraft(params, parent, bytes, late, key);
  const ctx = { params, evaluator, corpus };
  const claims = await claimsOfHeader(params, draft, parent, parentBytes, bytes, evaluator, corpus);
  const header = signHeader(params.magic, {
    ...draft,
    parentSampleLossMicroNats: claims.parentSampleLossMicroNats,
    sampleLossMicroNats: claims.sampleLossMicroNats,
  }, seed);
  const genesisCk = VerifiedCheckpoint.verify(genesisBlock(params).header, parentBytes);
  const one = sampleBytes(
    corpus,
    sampleWindowStarts(evalSampleSeed(params.magic, header), corpus.length, W, K),
    W,
  );
  let c0 = cpuSeconds(), t0 = performance.now();
  await evaluator.evaluateWindows(child, one, W);
  const halfWall = (performance.now() - t0) / 1000, halfCpu = cpuSeconds() - c0;
  c0 = cpuSeconds(), t0 = performance.now();
  let verdict = "valid";
  try {
    await checkProofOfTraining(
      header,
      bytes,
      { header: parent.header, checkpoint: genesisCk },
      ctx,
    );
  } catch (e) {
    verdict = `rejected: ${(e as Error).message}`;
  }
  const wall = (performance.now() - t0) / 1000, cpu = cpuSeconds() - c0;
  console.log(
    `${name.padEnd(8)} (${child.config.dModel}×${child.config.nLayers}) K=${K} W=${W}: ` +
      `verify ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s cpu (all threads) ` +
      `[${verdict}, sample ${claims.parentSampleLossMicroNats} → ${claims.sampleLossMicroNats} µnats]; ` +
      `one evaluation (baseline) ${halfWall.toFixed(1)} s wall, ${halfCpu.toFixed(1)} s cpu; ` +
      `ratio ${(wall / halfWall).toFixed(2)}; target ≤ 300 s: ${wall <= 300 ? "met" : "NOT met"}`,
  );
}

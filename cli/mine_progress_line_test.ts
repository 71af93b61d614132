import assert from "node:assert/strict";
import { consoleMiningHooks } from "./mine_console_hooks.ts";
import type { FoundBlock, MiningProgress } from "../node/miner/block_miner.ts";
import {
  formatDuration,
  formatFoundBlock,
  formatImprovement,
  formatProgress,
  foundBlockJson,
  StatusLine,
} from "./mine_progress_line.ts";

const progress: MiningProgress = {
  height: 7,
  step: 30,
  loss: 2.34567,
  tokensPerSec: 1530,
  bestMicroNats: 2_500_000,
  targetMicroNats: 2_400_000,
  parentMicroNats: 2_600_000,
  etaSecs: 125,
  elapsedSecs: 9,
};

Deno.test("formatProgress() shows step, loss, tokens/s, best val loss vs target and ETA", () => {
  assert.equal(
    formatProgress(progress),
    "mining 7 │ step 30 │ loss 2.3457 │ 1.5k tok/s │ val 2.5000 → 2.4000 │ ETA 2m05s",
  );
  assert.equal(
    formatProgress({
      ...progress,
      loss: undefined,
      bestMicroNats: Infinity,
      etaSecs: undefined,
      tokensPerSec: 950,
    }),
    "mining 7 │ step 30 │ loss – │ 950 tok/s │ val – → 2.4000 │ ETA ?",
  );
});

Deno.test("formatDuration() and formatImprovement() pick readable units", () => {
  assert.equal(formatDuration(4.4), "4s");
  assert.equal(formatDuration(61), "1m01s");
  assert.equal(formatDuration(3725), "1h02m");
  assert.equal(formatImprovement(147_259), "-14.73%");
});

Deno.test("formatFoundBlock() prints height, loss, improvement, config, reward and a rejection", () => {
  const found: FoundBlock = {
    hash: new Uint8Array(32),
    height: 12,
    sampleLossMicroNats: 2_309_297,
    parentSampleLossMicroNats: 2_334_808,
    improvementPpm: 10_926,
    requiredPpm: 10_000,
    rewardResonances: 6_092_600_000n,
    feesResonances: 1_500n,
    dModel: 30,
    nLayers: 1,
    rounds: 2,
    steps: 20,
    tokens: 10240,
    secs: 3.61,
    evalSecs: 0.4,
    verifySecs: 0.2,
    checkpointBytes: 80_000,
    outcome: { status: "connected" },
  };
  assert.equal(
    formatFoundBlock(found),
    "block 12  sample_loss 2.309297 (parent 2.334808, -1.09%)  d_model 30  layers 1  " +
      "reward 60.92600000 RNT + 0.00001500 fees  [20 steps, 10240 tokens, train 3.2s, verify 0.2s]",
  );
  assert.match(
    formatFoundBlock({ ...found, outcome: { status: "rejected", reason: "sample-loss-mismatch" } }),
    /REJECTED: sample-loss-mismatch$/,
  );
  const json = foundBlockJson({ ...found, outcome: { status: "rejected", reason: "x" } });
  assert.equal(json.reward_resonances, "6092600000");
  assert.equal(json.hash, "00".repeat(32));
  assert.equal(json.reason, "x");
  assert.equal(JSON.parse(JSON.stringify(json)).improvement_ppm, 10_926);
  assert.equal(json.required_ppm, 10_000);
  assert.equal(json.verify_secs, 0.2);
  assert.equal(json.sample_loss_micronats, 2_309_297);
});

Deno.test("StatusLine redraws in place at most once per interval and clears before other output", () => {
  const written: string[] = [];
  const line = new StatusLine((t) => written.push(t), 60_000);
  line.update("first");
  line.update("second (throttled)");
  line.clear();
  line.update("third");
  assert.deepEqual(written, ["\r\x1b[Kfirst", "\r\x1b[K", "\r\x1b[Kthird"]);
});

Deno.test("console hooks end the status line before any other message (stall, error, new tip)", () => {
  const written: string[] = [];
  const status = new StatusLine((t) => written.push(`status:${JSON.stringify(t)}`), 0);
  const hooks = consoleMiningHooks({
    out: (l) => written.push(`out:${l}`),
    err: (l) => written.push(`err:${l}`),
    status,
    dataPath: "licence.txt",
  });
  hooks.onProgress!({
    height: 11,
    step: 500,
    loss: 2.5,
    tokensPerSec: 1000,
    bestMicroNats: 2_430_600,
    targetMicroNats: 2_395_000,
    parentMicroNats: 2_481_100,
    etaSecs: undefined,
    elapsedSecs: 60,
  });
  hooks.onStall!({
    height: 11,
    rounds: 50,
    window: 20,
    bestMicroNats: 2_430_600,
    bestBeforeMicroNats: 2_430_700,
    targetMicroNats: 2_395_000,
    parentMicroNats: 2_481_100,
  });
  assert.match(written[0]!, /^status:.*mining 11 │ step 500/);
  assert.equal(written[1], 'status:"\\r\\u001b[K"');
  assert.match(written[2]!, /^err:block 11: no real progress in the last 20 rounds \(50 so far\)/);
  assert.match(written.join("\n"), /training on licence\.txt no longer brings the model closer/);
});

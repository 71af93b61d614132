/**
 * Prompt shutdown: SIGTERM/SIGINT abort in-flight training and evaluation at the next step or
 * window boundary (an aborted evaluation throws and is never a loss), and a mining node exits 0
 * within a few seconds with its chain intact for the next start.
 */
import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { evaluateLossGpu, GpuEvaluator } from "../gpu/model/evaluate.ts";
import { gpuTest, seededRandom } from "../gpu/testing.ts";
import { train } from "../gpu/train/trainer.ts";
import { WindowSampler } from "../gpu/train/window_sampler.ts";
import { sampleTrainPath } from "../gpu/model/datasets.ts";
import { freePort, tempDir } from "./helpers.ts";
import { RntProcess } from "./mine_helpers.ts";
import { NodeProcess } from "./node_process.ts";

function validationBytes(n: number): Uint8Array {
  const r = seededRandom(7);
  return Uint8Array.from({ length: n }, () => 97 + Math.floor(r() * 26));
}

gpuTest("evaluateLossGpu() throws the abort reason instead of returning a loss", async (gpu) => {
  const ckpt = genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1);
  const bytes = validationBytes(64 * 1100); // 1100 windows: three GPU submits of 512
  const full = await evaluateLossGpu(gpu, ckpt, bytes, 64);
  assert.ok(Number.isFinite(full));
  // Already aborted: nothing runs.
  const reason = new DOMException("node shutting down", "AbortError");
  await assert.rejects(
    evaluateLossGpu(gpu, ckpt, bytes, 64, AbortSignal.abort(reason)),
    (e) => e === reason,
  );
  // Aborted while running (after the first submit is queued): it throws, never a partial sum.
  const controller = new AbortController();
  const evaluator = new GpuEvaluator(gpu, { signal: controller.signal });
  const running = evaluator.evaluate(ckpt, bytes, 64);
  queueMicrotask(() => controller.abort(reason));
  await assert.rejects(running, (e) => e === reason);
  // The same evaluator object keeps refusing (its node is shutting down).
  await assert.rejects(evaluator.evaluate(ckpt, bytes.subarray(0, 640), 64), (e) => e === reason);
});

gpuTest("train() stops at the next step boundary once its signal aborts", async (gpu) => {
  const sampler = await WindowSampler.open(sampleTrainPath(), 64, 1);
  try {
    const controller = new AbortController();
    let steps = 0;
    const run = train(gpu, genesisCheckpoint({ dModel: 16, nLayers: 1 }, 1), sampler, {
      steps: 1000,
      batch: 2,
      schedule: { maxLr: 1e-2, minLr: 1e-2, warmupSteps: 1, totalSteps: 1000 },
      signal: controller.signal,
      onStep: (p) => {
        steps = p.step;
        if (p.step === 3) controller.abort(new DOMException("stop", "AbortError"));
      },
    });
    await assert.rejects(run, (e) => e instanceof DOMException && e.name === "AbortError");
    assert.equal(steps, 3);
  } finally {
    sampler.close();
  }
});

gpuTest(
  "rnt node --mine exits 0 within seconds of SIGTERM while training; restart keeps the tip",
  async () => {
    await using dir = await tempDir("rnt-node-shutdown-");
    const rpcPort = freePort();
    const args = [
      "node",
      "--regtest",
      "--datadir",
      dir.path,
      "--rpcport",
      String(rpcPort),
      "--port",
      String(freePort()),
    ];
    let tipAtStop: string;
    {
      await using miner = RntProcess.spawn([...args, "--mine"]);
      await miner.waitFor(/^block 1 /m, 90_000);
      // Busy: training (and evaluating) the next block right now.
      const t0 = performance.now();
      const status = await miner.stop("SIGTERM");
      const secs = (performance.now() - t0) / 1000;
      console.log(`rnt node --mine: SIGTERM to exit ${secs.toFixed(2)} s`);
      assert.equal(status.code, 0, miner.stderr.slice(-4000));
      assert.ok(secs < 5, `shutdown took ${secs.toFixed(2)} s`);
      const log = await Deno.readTextFile(`${dir.path}/debug.log`);
      assert.match(log, /shutdown requested \(SIGTERM\)/);
      assert.match(log, /shutdown complete/);
      const connected = [...log.matchAll(/connected block height=(\d+) hash=([0-9a-f]{64})/g)];
      assert.ok(connected.length >= 1);
      tipAtStop = connected[connected.length - 1]![2]!;
    }
    // The lock was released and the chain store closed cleanly: a new node opens the same tip.
    const node = NodeProcess.spawn(dir.path, rpcPort, []);
    try {
      await node.ready();
      assert.equal(await node.rpc<string>("getbestblockhash"), tipAtStop);
      assert.equal((await node.stop("SIGTERM")).code, 0, node.log);
    } finally {
      await node[Symbol.asyncDispose]();
    }
  },
);

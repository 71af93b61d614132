/** `rnt model …` end to end through the real program (WebGPU where the runtime has it). */
import assert from "node:assert/strict";
import { requestGpu } from "../gpu/device.ts";
import { runRnt, tempDir } from "./helpers.ts";

const hasGpu = (await requestGpu()) !== null;

Deno.test("rnt model info describes the regtest genesis config", async () => {
  const r = await runRnt(["model", "info", "--regtest", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const info = JSON.parse(r.stdout);
  assert.equal(info.d_model, 16);
  assert.equal(info.layers, 1);
  assert.equal(info.params, 13584);
  assert.match(info.checkpoint_root, /^[0-9a-f]{64}$/);
});

Deno.test({
  name: "rnt model init → train → eval → grow → generate works end to end",
  ignore: !hasGpu,
  fn: async () => {
    await using dir = await tempDir();
    const g = `${dir.path}/g.rnet`, t = `${dir.path}/t.rnet`, big = `${dir.path}/big.rnet`;
    let r = await runRnt(["model", "init", "--regtest", "--out", g, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    r = await runRnt(["model", "eval", "--regtest", "--in", g, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const genesisLoss = JSON.parse(r.stdout).f32_loss;
    r = await runRnt([
      "model",
      "train",
      "--regtest",
      "--in",
      g,
      "--out",
      t,
      "--steps",
      "30",
      "--batch",
      "8",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const trained = JSON.parse(r.stdout);
    assert.equal(trained.total_steps, 30);
    assert.ok((await Deno.stat(`${t}.opt`)).size > 0, "optimizer state saved beside the output");
    r = await runRnt(["model", "eval", "--regtest", "--in", t, "--json"]);
    const trainedLoss = JSON.parse(r.stdout).f32_loss;
    assert.ok(trainedLoss < genesisLoss, `${trainedLoss} !< ${genesisLoss}`);
    // Training again from t resumes its optimizer state.
    r = await runRnt([
      "model",
      "train",
      "--regtest",
      "--in",
      t,
      "--out",
      t,
      "--steps",
      "5",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).total_steps, 35);
    assert.match(r.stderr, /resuming optimizer state/);
    r = await runRnt(["model", "eval", "--regtest", "--in", t, "--json"]);
    const beforeGrow = JSON.parse(r.stdout).f32_loss;
    r = await runRnt(["model", "grow", "--in", t, "--out", big, "--config", "20x2", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    r = await runRnt(["model", "eval", "--regtest", "--in", big, "--json"]);
    const afterGrow = JSON.parse(r.stdout).f32_loss;
    assert.ok(Math.abs(afterGrow - beforeGrow) <= 1e-6, `${beforeGrow} → ${afterGrow}`);
    r = await runRnt(["model", "generate", "--in", t, "--length", "40", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).bytes, 40);
  },
});

Deno.test("rnt model eval prints the exact consensus loss, equal on the CPU reference and WebAssembly", async () => {
  await using dir = await tempDir();
  const g = `${dir.path}/g.rnet`;
  let r = await runRnt(["model", "init", "--regtest", "--out", g, "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const out: Record<string, Record<string, unknown>> = {};
  for (const path of ["--cpu", "--wasm"]) {
    r = await runRnt(["model", "eval", "--regtest", "--in", g, path, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    out[path] = JSON.parse(r.stdout);
    for (const key of ["consensus_loss", "evaluator", "seconds", "f32_loss", "f32_evaluator"]) {
      assert.ok(key in out[path]!, `${path} output has ${key}`);
    }
    assert.ok(Number.isInteger(out[path]!.consensus_loss));
  }
  assert.equal(out["--cpu"]!.evaluator, "cpu reference");
  assert.equal(out["--wasm"]!.evaluator, "wasm simd");
  assert.equal(out["--cpu"]!.consensus_loss, out["--wasm"]!.consensus_loss);
  const f32 = out["--cpu"]!.f32_loss as number, exact = out["--cpu"]!.consensus_loss as number;
  assert.ok(Math.abs(exact / 1e6 - f32) / f32 < 1e-3, `exact ${exact} µnats vs f32 ${f32}`);
  // The default picks the fastest exact path; --exact-only leaves the f32 loss out.
  r = await runRnt(["model", "eval", "--regtest", "--in", g, "--exact-only", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const auto = JSON.parse(r.stdout);
  assert.equal(auto.consensus_loss, out["--cpu"]!.consensus_loss);
  assert.ok(!("f32_loss" in auto));
  r = await runRnt(["model", "eval", "--regtest", "--in", g, "--cpu", "--wasm"]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /--cpu and --wasm exclude each other/);
});

Deno.test("rnt model eval on a missing or corrupt checkpoint fails cleanly with exit code 1", async () => {
  await using dir = await tempDir();
  let r = await runRnt(["model", "eval", "--regtest", "--in", `${dir.path}/none.rnet`]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /cannot read checkpoint/);
  assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, "no stack trace");
  const bad = `${dir.path}/bad.rnet`;
  await Deno.writeTextFile(bad, "RNETgarbage");
  r = await runRnt(["model", "eval", "--regtest", "--in", bad]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not a valid \.rnet checkpoint/);
  assert.equal(await Deno.readTextFile(bad), "RNETgarbage", "input untouched");
});

Deno.test("rnt model grow refuses a shrinking or malformed --config with exit code 2", async () => {
  await using dir = await tempDir();
  const g = `${dir.path}/g.rnet`;
  assert.equal((await runRnt(["model", "init", "--regtest", "--out", g])).code, 0);
  let r = await runRnt([
    "model",
    "grow",
    "--in",
    g,
    "--out",
    `${dir.path}/x.rnet`,
    "--config",
    "8x1",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /cannot shrink/);
  r = await runRnt(["model", "grow", "--in", g, "--out", `${dir.path}/x.rnet`, "--config", "big"]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--config must look like 128x2/);
});

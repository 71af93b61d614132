import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32, seededRandom } from "../testing.ts";
import { crossEntropy } from "../ref/cross_entropy.ts";
import { recordCrossEntropy, recordSum } from "./cross_entropy.ts";

async function run(gpu: GpuContext, rows: number, vocab: number, seed: number, gradScale: number) {
  const rand = seededRandom(seed);
  const logits = randomF32(rows * vocab, seed + 1, 4);
  const targets = Int32Array.from(
    { length: rows },
    (_, r) => r % 5 === 3 ? -1 : Math.floor(rand() * vocab),
  );
  const bl = createStorage(gpu, logits), bt = createStorage(gpu, targets);
  const bloss = createStorage(gpu, rows * 4), bd = createStorage(gpu, randomF32(rows * vocab, 7));
  const btot = createStorage(gpu, 8);
  const b = new CommandBatch(gpu);
  recordCrossEntropy(b, bloss, bd, bl, bt, rows, vocab, gradScale);
  recordSum(b, btot, bloss, rows, 1);
  b.submit();
  const got = {
    losses: await readF32(gpu, bloss, rows),
    dlogits: await readF32(gpu, bd, rows * vocab),
    total: await readF32(gpu, btot, 2),
  };
  for (const buf of [bl, bt, bloss, bd, btot]) buf.destroy();
  const want = crossEntropy(logits, targets, rows, vocab);
  want.dlogits.forEach((v, i) => want.dlogits[i] = v * gradScale);
  return { got, want };
}

gpuTest("recordCrossEntropy() matches the CPU reference, ignoring target -1 rows", async (gpu) => {
  for (const [rows, vocab] of [[1, 1], [4, 3], [37, 256]] as const) {
    const { got, want } = await run(gpu, rows, vocab, rows, 0.25);
    assertClose(got.losses, want.losses, 1e-5, 1e-4, `losses ${rows}x${vocab}`);
    assertClose(got.dlogits, want.dlogits, 1e-6, 1e-4, `dlogits ${rows}x${vocab}`);
    for (let r = 3; r < rows; r += 5) assert.equal(got.losses[r], 0);
  }
});

gpuTest("recordSum() writes the sum at outOffset and leaves other slots alone", async (gpu) => {
  const { got, want } = await run(gpu, 600, 4, 3, 1);
  const total = want.losses.reduce((a, b) => a + b, 0);
  assert.equal(got.total[0], 0);
  assertClose([got.total[1]!], [total], 1e-4, 1e-5, "sum");
});

gpuTest("cross-entropy and sum kernels are bit-identical across runs", async (gpu) => {
  const a = await run(gpu, 700, 33, 11, 0.5), b = await run(gpu, 700, 33, 11, 0.5);
  assert.deepEqual(a.got.losses, b.got.losses);
  assert.deepEqual(a.got.dlogits, b.got.dlogits);
  assert.deepEqual(a.got.total, b.got.total);
});

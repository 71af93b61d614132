import assert from "node:assert/strict";
import { CommandBatch, createStorage, type GpuContext, readF32 } from "../device.ts";
import { assertClose, gpuTest, randomF32, seededRandom } from "../testing.ts";
import { embeddingBackward, embeddingForward } from "../ref/embedding.ts";
import { recordEmbeddingBackward, recordEmbeddingForward } from "./embedding.ts";

async function run(
  gpu: GpuContext,
  rows: number,
  vocab: number,
  dim: number,
  seed: number,
  acc: boolean,
) {
  const rand = seededRandom(seed);
  const tokens = Uint32Array.from({ length: rows }, () => Math.floor(rand() * vocab));
  const table = randomF32(vocab * dim, seed + 1), dy = randomF32(rows * dim, seed + 2);
  const dt0 = randomF32(vocab * dim, seed + 3);
  const bt = createStorage(gpu, tokens), btab = createStorage(gpu, table);
  const bdy = createStorage(gpu, dy), by = createStorage(gpu, rows * dim * 4);
  const bdt = createStorage(gpu, dt0);
  const b = new CommandBatch(gpu);
  recordEmbeddingForward(b, by, bt, btab, rows, dim);
  recordEmbeddingBackward(b, bdt, bdy, bt, rows, vocab, dim, acc);
  b.submit();
  const got = {
    y: await readF32(gpu, by, rows * dim),
    dtable: await readF32(gpu, bdt, vocab * dim),
  };
  for (const buf of [bt, btab, bdy, by, bdt]) buf.destroy();
  const dtable = embeddingBackward(dy, tokens, vocab, dim);
  if (acc) dtable.forEach((v, i) => dtable[i] = v + dt0[i]!);
  return { got, want: { y: embeddingForward(tokens, table, dim), dtable } };
}

for (const acc of [false, true]) {
  gpuTest(`embedding kernels match the CPU reference (acc=${acc})`, async (gpu) => {
    for (const [rows, vocab, dim] of [[1, 1, 1], [7, 3, 5], [100, 17, 12]] as const) {
      const { got, want } = await run(gpu, rows, vocab, dim, rows + vocab, acc);
      assert.deepEqual(got.y, want.y);
      assertClose(got.dtable, want.dtable, 1e-5, 1e-4, `dtable ${rows}x${vocab}x${dim}`);
    }
  });
}

gpuTest("recordEmbeddingBackward() is bit-identical across runs", async (gpu) => {
  const a = await run(gpu, 200, 9, 8, 4, false), b = await run(gpu, 200, 9, 8, 4, false);
  assert.deepEqual(a.got.dtable, b.got.dtable);
});

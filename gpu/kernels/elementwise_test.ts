import assert from "node:assert/strict";
import { CommandBatch, createStorage, readF32 } from "../device.ts";
import { gpuTest, randomF32 } from "../testing.ts";
import { addInPlace, scale } from "../ref/elementwise.ts";
import {
  grid1d,
  MAX_WORKGROUPS_PER_DIM,
  recordAdd,
  recordCopy,
  recordScale,
} from "./elementwise.ts";

Deno.test("grid1d() covers every thread without exceeding the per-dimension limit", () => {
  for (const n of [0, 1, 64, 65, 64 * 65535, 64 * 65535 + 1, 10_000_000]) {
    const [x, y] = grid1d(n);
    assert.ok(x <= MAX_WORKGROUPS_PER_DIM && x * y * 64 >= n, `n=${n}`);
    assert.ok((x * (y - 1)) * 64 < Math.max(n, 1), `n=${n} has a wasted row`);
  }
});

gpuTest("recordAdd(), recordCopy() and recordScale() match the CPU reference", async (gpu) => {
  for (const n of [1, 63, 1000]) {
    const x = randomF32(n, n), y = randomF32(n, n + 1);
    const bx = createStorage(gpu, x), by = createStorage(gpu, y), bc = createStorage(gpu, n * 4);
    const b = new CommandBatch(gpu);
    recordAdd(b, by, bx, n);
    recordCopy(b, bc, by, n);
    recordScale(b, bc, n, -0.5);
    b.submit();
    addInPlace(y, x);
    assert.deepEqual(await readF32(gpu, by, n), y);
    assert.deepEqual(await readF32(gpu, bc, n), scale(y, -0.5));
    for (const buf of [bx, by, bc]) buf.destroy();
  }
});

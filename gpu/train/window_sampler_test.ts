import assert from "node:assert/strict";
import { SeededRng, WindowSampler } from "./window_sampler.ts";

Deno.test("WindowSampler reads windows from a file by position, same as from memory", async () => {
  const bytes = new Uint8Array(10_000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + (i >> 8)) & 255;
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, bytes);
    const fromFile = await WindowSampler.open(path, 64, 42);
    const fromMemory = WindowSampler.fromBytes(bytes, 64, 42);
    for (let i = 0; i < 5; i++) {
      const a = await fromFile.nextBatch(3);
      const b = await fromMemory.nextBatch(3);
      assert.deepEqual(a, b);
      // each window is a contiguous run of the data
      const first = a[0];
      const start = bytes.findIndex((_, j) =>
        j + 64 <= bytes.length && bytes.subarray(j, j + 64).every((v, k) => v === a[k])
      );
      assert.ok(start >= 0 && bytes[start] === first);
    }
    fromFile.close();
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("WindowSampler with the same seed gives the same batches; another seed differs", async () => {
  const bytes = new Uint8Array(5000).map((_, i) => i % 251);
  const a = await WindowSampler.fromBytes(bytes, 32, 1).nextBatch(4);
  const b = await WindowSampler.fromBytes(bytes, 32, 1).nextBatch(4);
  const c = await WindowSampler.fromBytes(bytes, 32, 2).nextBatch(4);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

Deno.test("WindowSampler.open() explains a missing or too-short file", async () => {
  await assert.rejects(WindowSampler.open("/nonexistent/data.bin", 64, 1), /cannot open/);
  const path = await Deno.makeTempFile();
  try {
    await Deno.writeFile(path, new Uint8Array(10));
    await assert.rejects(WindowSampler.open(path, 64, 1), /at least one window/);
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("SeededRng.nextInt() stays in range for large n and restores from its state", () => {
  const rng = new SeededRng(9);
  for (let i = 0; i < 1000; i++) {
    const v = rng.nextInt(5e12);
    assert.ok(v >= 0 && v < 5e12 && Number.isInteger(v));
  }
  const saved = rng.state;
  const x = rng.next();
  rng.state = saved;
  assert.equal(rng.next(), x);
});

import assert from "node:assert/strict";
import { mulberry32, mulberry32NextState, mulberry32Value } from "./mulberry32.ts";

Deno.test("mulberry32() gives the reference sequence for seed 0", () => {
  // Pinned from the copies this module replaced (gpu/testing.ts, the window sampler, the RPC
  // fuzz test): their first outputs for seed 0, as uint32 (value × 2^32).
  const r = mulberry32(0);
  const got = Array.from({ length: 3 }, () => r() * 4294967296);
  assert.deepEqual(got, [1144304738, 1416247, 958946056]);
});

Deno.test("mulberry32() replays a seed and the split state functions give the same values", () => {
  const a = mulberry32(12345), b = mulberry32(12345);
  let state = 12345;
  for (let i = 0; i < 100; i++) {
    const v = a();
    assert.equal(v, b());
    state = mulberry32NextState(state);
    assert.equal(mulberry32Value(state), v);
    assert.ok(v >= 0 && v < 1);
  }
});

import assert from "node:assert/strict";
import { base64 } from "@scure/base";
import { genesisCheckpoint } from "../../core/checkpoint/genesis_init.ts";
import { buildForwardWasm } from "./build_wasm.ts";
import { forwardWindowSums, plainGemm } from "./forward.ts";
import { FORWARD_WASM_BASE64 } from "./forward_wasm_bytes.ts";
import { quantizeCheckpoint } from "./quantize.ts";
import { splitWindows } from "./wasm_evaluator.ts";
import { wasmWindowSums } from "./wasm_forward.ts";

Deno.test("rebuilding forward.wat gives the committed wasm bytes", async () => {
  assert.equal(base64.encode(await buildForwardWasm()), FORWARD_WASM_BASE64);
});

Deno.test("the whole-forward module equals the reference across call batches and window lengths", async () => {
  const all = await Deno.readFile(
    new URL("../../core/data/validation-regtest.txt", import.meta.url),
  );
  // d = 18 leaves a channel tail after the 4-wide conv lanes; d = 66 puts 2 outputs in a
  // second 64-output tile of a product; W = 2 is the shortest window, W = 300 spans more than
  // one 63-tap conv history, and 3 windows of 300 cross a call batch (512 rows).
  for (const d of [18, 66]) {
    const qm = quantizeCheckpoint(genesisCheckpoint({ dModel: d, nLayers: 1 }, 5));
    for (const [w, n] of [[2, 5], [5, 3], [300, 3]] as const) {
      const bytes = all.subarray(0, w * n);
      const want = forwardWindowSums(qm, plainGemm, bytes, n, w);
      assert.deepEqual(wasmWindowSums(qm, bytes, n, w), want, `d = ${d}, W = ${w}`);
    }
  }
});

Deno.test("windows split into contiguous runs that cover every window once", () => {
  assert.deepEqual(splitWindows(7, 3), [[0, 3], [3, 2], [5, 2]]);
  assert.deepEqual(splitWindows(2, 3), [[0, 1], [1, 1]]);
  assert.deepEqual(splitWindows(1, 1), [[0, 1]]);
});

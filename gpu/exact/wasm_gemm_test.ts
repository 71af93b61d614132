import assert from "node:assert/strict";
import { base64 } from "@scure/base";
import { buildGemmWasm } from "./build_wasm.ts";
import { GEMM_WASM_BASE64 } from "./gemm_wasm_bytes.ts";
import { plainGemm } from "./forward.ts";
import type { QLinear } from "./quantize.ts";
import { WasmGemm } from "./wasm_gemm.ts";

Deno.test("rebuilding gemm.wat gives the committed wasm bytes", async () => {
  assert.equal(base64.encode(await buildGemmWasm()), GEMM_WASM_BASE64);
});

function linear(out: number, k: number, fill: (i: number) => number): QLinear {
  return {
    out,
    in: k,
    q: Int16Array.from({ length: out * k }, (_, i) => fill(i)),
    exp: new Int32Array(out),
  };
}

Deno.test("WasmGemm equals the plain loops at the int32 accumulator bound and on odd shapes", () => {
  const wasm = new WasmGemm();
  // k = 4096, every product 511·1023 with one sign: |acc| = 2 141 171 712 < 2^31.
  const w = linear(3, 4096, (i) => (Math.floor(i / 4096) === 1 ? -511 : 511));
  const x = Int32Array.from({ length: 5 * 4096 }, () => 1023);
  assert.deepEqual(wasm.gemm(w, x, 5), plainGemm.gemm(w, x, 5));
  assert.equal(Math.abs(wasm.gemm(w, x, 5)[0]!), 4096 * 511 * 1023);
  // k = 16384 at 9 activation bits: 16384·511·255.
  const w2 = linear(2, 16384, () => -511);
  const x2 = new Int32Array(16384).fill(255);
  assert.equal(wasm.gemm(w2, x2, 1)[0], -16384 * 511 * 255);
  let s = 12345;
  const rnd = (m: number) => ((s = (s * 1103515245 + 12345) >>> 0) % (2 * m + 1)) - m;
  for (const [rows, out, k] of [[1, 1, 1], [3, 7, 13], [9, 64, 32], [6, 5, 100]]) {
    const wr = linear(out!, k!, () => rnd(511));
    const xr = Int32Array.from({ length: rows! * k! }, () => rnd(1023));
    assert.deepEqual(wasm.gemm(wr, xr, rows!), plainGemm.gemm(wr, xr, rows!));
  }
});

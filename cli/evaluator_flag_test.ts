import assert from "node:assert/strict";
import { UsageError } from "../core/errors.ts";
import { evaluatorFlag } from "./evaluator_flag.ts";

Deno.test("--evaluator defaults to auto, takes the four paths and refuses anything else", () => {
  assert.equal(evaluatorFlag({ values: {}, positionals: [] }), "auto");
  for (const p of ["auto", "cpu", "wasm", "webgpu"]) {
    assert.equal(evaluatorFlag({ values: { evaluator: p }, positionals: [] }), p);
  }
  assert.throws(
    () => evaluatorFlag({ values: { evaluator: "gpu" }, positionals: [] }),
    (e) => e instanceof UsageError && /auto, cpu, wasm, webgpu.*'gpu'/.test(e.message),
  );
});

/**
 * A GPU command run without XDG_RUNTIME_DIR (a plain ssh session, a container) prints no
 * loader error: `rnt` gives itself a private runtime directory before requesting the adapter.
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { runRnt } from "./helpers.ts";

gpuTest("a GPU command without XDG_RUNTIME_DIR prints no XDG_RUNTIME_DIR error", async () => {
  const r = await runRnt(["model", "eval", "--regtest"], { env: { XDG_RUNTIME_DIR: "" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /evaluator\s+webgpu/);
  assert.doesNotMatch(r.stderr, /XDG_RUNTIME_DIR/);
});

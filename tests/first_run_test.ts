/**
 * A newcomer's first run shows no noise: no "Ignored build scripts" box from Deno when the npm
 * packages are installed into a fresh node_modules (LevelDB loads its prebuilt binary; deno.json
 * says no build script is wanted), and no XDG_RUNTIME_DIR error from the Vulkan loader when a
 * GPU command runs without one (rnt gives itself a private runtime directory).
 */
import assert from "node:assert/strict";
import { gpuTest } from "../gpu/testing.ts";
import { REPO_ROOT, runRnt, tempDir } from "./helpers.ts";

Deno.test("a fresh node_modules installs without the build-scripts warning and LevelDB works", async () => {
  await using dir = await tempDir("rnt-fresh-clone-");
  for (const f of ["deno.json", "deno.lock"]) {
    await Deno.copyFile(`${REPO_ROOT}/${f}`, `${dir.path}/${f}`);
  }
  await Deno.writeTextFile(
    `${dir.path}/probe.ts`,
    `import { ClassicLevel } from "classic-level";
const db = new ClassicLevel(Deno.args[0], { keyEncoding: "utf8", valueEncoding: "utf8" });
await db.put("k", "v");
console.log(await db.get("k"));
await db.close();
`,
  );
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "probe.ts", `${dir.path}/db`],
    cwd: dir.path,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const err = new TextDecoder().decode(stderr);
  assert.equal(code, 0, err);
  assert.equal(new TextDecoder().decode(stdout).trim(), "v");
  assert.doesNotMatch(err, /Ignored build scripts|approve-scripts/);
});

gpuTest("a GPU command without XDG_RUNTIME_DIR prints no XDG_RUNTIME_DIR error", async () => {
  const r = await runRnt(["model", "eval", "--regtest"], { env: { XDG_RUNTIME_DIR: "" } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /evaluator\s+webgpu/);
  assert.doesNotMatch(r.stderr, /XDG_RUNTIME_DIR/);
});

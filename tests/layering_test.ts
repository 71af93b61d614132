import assert from "node:assert/strict";
import { REPO_ROOT } from "./helpers.ts";

async function* tsFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

const IMPORT = /(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

Deno.test("core/ imports nothing from gpu/, net/, rpc/ or main.ts", async () => {
  const offenders: string[] = [];
  for await (const file of tsFiles(`${REPO_ROOT}/core`)) {
    const text = await Deno.readTextFile(file);
    for (const m of text.matchAll(IMPORT)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      const target = new URL(spec, `file://${file}`).pathname;
      const rel = target.slice(REPO_ROOT.length + 1);
      if (/^(gpu|net|rpc)\//.test(rel) || rel === "main.ts") offenders.push(`${file}: ${spec}`);
    }
  }
  assert.deepEqual(offenders, []);
});

Deno.test("gpu/ and net/ import nothing from rpc/ or main.ts", async () => {
  const offenders: string[] = [];
  for (const dir of ["gpu", "net"]) {
    for await (const file of tsFiles(`${REPO_ROOT}/${dir}`)) {
      const text = await Deno.readTextFile(file);
      for (const m of text.matchAll(IMPORT)) {
        const spec = m[1] ?? m[2];
        if (!spec.startsWith(".")) continue;
        const rel = new URL(spec, `file://${file}`).pathname.slice(REPO_ROOT.length + 1);
        if (/^rpc\//.test(rel) || rel === "main.ts") offenders.push(`${file}: ${spec}`);
      }
    }
  }
  assert.deepEqual(offenders, []);
});

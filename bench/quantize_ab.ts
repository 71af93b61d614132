/**
 * `quantizeCheckpoint` of an earlier revision against today's on mainnet genesis (384, 6), runs
 * interleaved in one process: milliseconds per call (each evaluation quantises once), then the
 * medians; the two quantised models must be equal. Run:
 * `deno run -A bench/quantize_ab.ts [rev=ee48fc7] [rounds=8]`.
 *
 * The revision's `gpu/exact/quantize.ts` is copied (`git show`) into `bench/out/quantize_ab/<rev>/`
 * with its imports pointed back at this tree.
 *
 * @module
 */
import assert from "node:assert/strict";
import { genesisCheckpoint } from "../core/checkpoint/genesis_init.ts";
import { quantizeCheckpoint } from "../gpu/exact/quantize.ts";

const rev = Deno.args[0] ?? "ee48fc7", rounds = Number(Deno.args[1] ?? 8);
const dir = new URL(`./out/quantize_ab/${rev}/`, import.meta.url);
await Deno.mkdir(dir, { recursive: true });
const out = await new Deno.Command("git", {
  args: ["show", `${rev}:gpu/exact/quantize.ts`],
  stdout: "piped",
}).output();
if (!out.success) throw new Error(`Cannot read gpu/exact/quantize.ts at ${rev}`);
await Deno.writeTextFile(
  new URL("quantize.ts", dir),
  new TextDecoder().decode(out.stdout)
    .replaceAll('"../../core/', '"../../../../core/')
    .replace(/"\.\/(primitives)\.ts"/g, '"../../../../gpu/exact/$1.ts"'),
);
const old: typeof quantizeCheckpoint =
  (await import(new URL("quantize.ts", dir).href)).quantizeCheckpoint;

const checkpoint = genesisCheckpoint({ dModel: 384, nLayers: 6 }, 1);
const ms: Record<string, number[]> = { [rev]: [], now: [] };
for (let r = 0; r < rounds; r++) {
  const models = [];
  for (const [label, q] of [[rev, old], ["now", quantizeCheckpoint]] as const) {
    const t0 = performance.now();
    models.push(q(checkpoint));
    ms[label]!.push(performance.now() - t0);
  }
  if (r === 0) assert.deepEqual(models[1], models[0]);
}
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
for (const [label, v] of Object.entries(ms)) {
  console.log(
    `${label.padEnd(10)} ${v.map((x) => x.toFixed(0)).join(" ")} ms, median ${
      median(v).toFixed(0)
    }`,
  );
}
console.log(`speed-up (medians): ${(median(ms[rev]!) / median(ms.now!)).toFixed(2)}×`);

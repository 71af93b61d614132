/**
 * Long fuzz runs: the campaigns of tests/fuzz (the same targets, harness and assertions as the
 * CI test, which runs 10 000 inputs each) with many more inputs, reporting inputs/s per decoder
 * against the input generator alone (baseline, same run). A finding stops the run with the
 * seed and input index; rerun with that FUZZ_SEED to replay it.
 *
 * Run: `deno task fuzz` or
 * `FUZZ_INPUTS=1000000 FUZZ_SEED=7 FUZZ_TARGETS=block,wallet deno run --allow-env --allow-read bench/fuzz_bench.ts`
 * FUZZ_INPUTS: inputs per decoder (default 1 000 000); FUZZ_SEED: PRNG seed (default: from the
 * clock, printed); FUZZ_TARGETS: comma-separated name fragments to run only some.
 *
 * @module
 */
import { Mutator, runCampaign } from "../tests/fuzz/harness.ts";
import { allTargets } from "../tests/fuzz/targets.ts";

const inputs = Number(Deno.env.get("FUZZ_INPUTS") ?? 1_000_000);
const seed = Number(Deno.env.get("FUZZ_SEED") ?? (Date.now() >>> 0));
const only = Deno.env.get("FUZZ_TARGETS")?.split(",").map((s) => s.trim().toLowerCase());

console.log(`fuzz: ${inputs} inputs per decoder, FUZZ_SEED=${seed}`);
const targets = (await allTargets()).filter((t) =>
  !only || only.some((o) => t.name.toLowerCase().includes(o))
);

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}
console.log(
  `${"decoder".padEnd(18)} ${pad("inputs/s", 10)} ${pad("decoded", 9)} ${pad("rejected", 9)} ${
    pad("µs/input", 9)
  } ${pad("× generator", 11)}  top rejections`,
);
let failed = false;
for (const target of targets) {
  // Baseline: the same inputs generated and dropped, so the ratio is the decoder's own cost.
  const mutator = new Mutator(seed, target.seeds);
  const baseStart = performance.now();
  for (let i = 0; i < inputs; i++) mutator.next();
  const baseMs = performance.now() - baseStart;
  try {
    const r = await runCampaign(target, inputs, seed);
    const perSec = inputs / (r.elapsedMs / 1000);
    const top = [...r.rejections].sort((a, b) => b[1] - a[1]).slice(0, 3)
      .map(([k, n]) => `${k} ×${n}`).join("; ");
    console.log(
      `${target.name.padEnd(18)} ${pad(Math.round(perSec), 10)} ${pad(r.decoded, 9)} ${
        pad(inputs - r.decoded, 9)
      } ${pad(((r.elapsedMs * 1000) / inputs).toFixed(1), 9)} ${
        pad((r.elapsedMs / baseMs).toFixed(1), 11)
      }  ${top}`,
    );
  } catch (e) {
    failed = true;
    console.log(`${target.name}: FINDING\n${(e as Error).message}`);
  }
}
if (failed) Deno.exit(1);

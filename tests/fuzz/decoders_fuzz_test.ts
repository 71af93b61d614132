/**
 * The CI fuzz campaign: every decoder of untrusted input gets 10 000 seeded inputs (random and
 * mutated valid encodings, see harness.ts); each must decode or be rejected with the decoder's
 * named error, and what decodes must re-encode to the same bytes where the format is canonical.
 * Longer runs: `deno task fuzz` (bench/fuzz_bench.ts). A failure message names the seed and
 * input index; FUZZ_SEED replays another seed.
 */
import assert from "node:assert/strict";
import { runCampaign } from "./harness.ts";
import { allTargets } from "./targets.ts";

const INPUTS = 10_000;
const SEED = Number(Deno.env.get("FUZZ_SEED") ?? 0x5eed);

for (const target of await allTargets()) {
  Deno.test(`fuzz ${target.name}: ${INPUTS} inputs decode or fail with the named error`, async () => {
    const result = await runCampaign(target, INPUTS, SEED);
    assert.equal(result.inputs, INPUTS);
    // The corpus must reach the decoder's success path, not only its first check.
    assert.ok(result.decoded > 0, `${target.name}: nothing decoded`);
    assert.ok(result.decoded < INPUTS, `${target.name}: nothing rejected`);
  });
}

import assert from "node:assert/strict";
import { ValidationError } from "../../errors.ts";
import { toHex } from "../../crypto/keccak.ts";
import { genesisCheckpointBytes } from "../genesis.ts";
import { checkProofOfTraining } from "../proof_of_training.ts";
import { VerifiedCheckpoint } from "../verified_checkpoint.ts";
import { REGTEST } from "../params.ts";
import { fullBlockTests } from "./full_block_tests.ts";
import { TestChain } from "./block_builder.ts";
import { producedReasons } from "../_assert_reject.ts";

Deno.test("fullBlockTests() replays: every good block connects, every bad one fails with its exact reason", async () => {
  const table = await fullBlockTests(REGTEST);
  const chain = new TestChain(REGTEST);
  chain.nowSecs = table.nowSecs;
  const corpus = new Uint8Array(4096);
  const checkpoints = new Map([[toHex(chain.tip.hash), genesisCheckpointBytes(REGTEST)]]);
  const seen = new Set<string>();
  for (const c of table.cases) {
    const tipBefore = chain.tip;
    let got: string = "accept";
    try {
      await chain.validate(c.block);
      const parent = {
        header: chain.tip.header,
        checkpoint: VerifiedCheckpoint.verify(
          chain.tip.header,
          checkpoints.get(toHex(chain.tip.hash))!,
        ),
      };
      await checkProofOfTraining(c.block.header, c.checkpoint, parent, {
        params: REGTEST,
        evaluator: table.evaluator,
        corpus,
      });
      await chain.accept(c.block);
      checkpoints.set(toHex(chain.tip.hash), c.checkpoint);
    } catch (e) {
      if (!(e instanceof ValidationError)) throw e;
      got = e.reason;
    }
    assert.equal(got, c.expect, `${c.name}: got ${got}`);
    if (c.expect !== "accept") producedReasons.add(c.expect);
    if (c.expect !== "accept") assert.equal(chain.tip, tipBefore, c.name);
    assert.ok(!seen.has(c.name), `duplicate name ${c.name}`);
    seen.add(c.name);
  }
  assert.equal(chain.tip.height, 14);
  assert.ok(table.cases.filter((c) => c.expect !== "accept").length >= 25);
});

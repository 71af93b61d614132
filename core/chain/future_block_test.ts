import assert from "node:assert/strict";
import { ValidationError } from "../errors.ts";
import { REGTEST } from "../consensus/params.ts";
import { blockId } from "../primitives/block.ts";
import { Chainstate } from "./chainstate.ts";
import { mineBlock, ScriptedEvaluator, TestChain } from "./_test_util.ts";

const params = REGTEST;

Deno.test("a block too far ahead of the clock is refused without being stored or marked invalid, and accepted once the clock allows, also after a restart", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-chain-" });
  try {
    const ev = new ScriptedEvaluator();
    const block = await mineBlock(new TestChain(params), ev, 1, {
      timestampSecs: params.genesisTimestampSecs + 10 * 86_400,
    });
    const allowedFrom = block.block.header.timestampSecs - params.maxFutureBlockTimeSecs;
    let now = allowedFrom - 1;
    const clock = { nowSecs: () => now };
    const open = () => Chainstate.open(dir, params, ev, new Uint8Array(64), clock);
    let cs = await open();
    for (let attempt = 0; attempt < 2; attempt++) {
      await assert.rejects(
        () => cs.acceptBlock(block.block, block.checkpoint),
        (e: unknown) => e instanceof ValidationError && e.reason === "time-too-new",
      );
    }
    assert.equal(cs.getBlockStatus(blockId(params.magic, block.block.header)), undefined);
    assert.equal(cs.chainTips().some((t) => t.status === "invalid"), false);
    await cs.close();
    cs = await open();
    now = allowedFrom;
    assert.equal((await cs.acceptBlock(block.block, block.checkpoint)).status, "connected");
    assert.equal(cs.height(), 1);
    await cs.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

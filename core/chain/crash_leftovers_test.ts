/**
 * What a killed node leaves in `checkpoints/` is cleared when the chainstate opens again: temp
 * files of an interrupted atomic write, and checkpoint files written just before a crash, ahead
 * of the index record that would have claimed them. The chain itself is untouched, and a block
 * whose stored checkpoint was swept is accepted again when it is resubmitted.
 */
import { VerifiedCheckpoint } from "../consensus/verified_checkpoint.ts";
import assert from "node:assert/strict";
import { toHex } from "../crypto/keccak.ts";
import { blockId } from "../primitives/block.ts";
import { REGTEST } from "../consensus/params.ts";
import { genesisEntry } from "../consensus/genesis.ts";
import { Chainstate } from "./chainstate.ts";
import { CheckpointFiles } from "./checkpoint_files.ts";
import { mineBlock, ScriptedEvaluator, TestChain, testClock } from "./_test_util.ts";

const params = REGTEST;
const corpus = new Uint8Array(64);

async function names(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

Deno.test("Chainstate.open() sweeps temp files and unclaimed checkpoints left by a crash", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-chain-" });
  try {
    const ev = new ScriptedEvaluator();
    const chain = new TestChain(params);
    const mined = [await mineBlock(chain, ev, 1), await mineBlock(chain, ev, 2)];
    const pending = await mineBlock(chain, ev, 3); // stored below, never indexed
    let cs = await Chainstate.open(dir, params, ev, corpus, testClock);
    for (const b of mined) await cs.acceptBlock(b.block, b.checkpoint);
    const tip = cs.tip();
    await cs.close();

    // A crash during #accept: the checkpoint file is on disk, the index batch never ran; and a
    // crash in the middle of an atomic write of the next one.
    const files = new CheckpointFiles(dir);
    const pendingHash = blockId(params.magic, pending.block.header);
    await files.put(
      pendingHash,
      VerifiedCheckpoint.verify(pending.block.header, pending.checkpoint),
    );
    const tmpName = `${toHex(pendingHash)}.rnet.tmp-1a2b3c4d`;
    await Deno.writeFile(`${files.dir}/${tmpName}`, pending.checkpoint.subarray(0, 100));
    await Deno.writeTextFile(`${files.dir}/README`, "not a checkpoint");
    const kept = [
      genesisEntry(params).hash,
      ...mined.map((b) => blockId(params.magic, b.block.header)),
    ]
      .map((h) => `${toHex(h)}.rnet`);

    let swept: readonly string[] = [];
    cs = await Chainstate.open(dir, params, ev, corpus, testClock, {
      onSweep: (removed) => swept = removed,
    });
    try {
      assert.deepEqual(swept, [`${toHex(pendingHash)}.rnet`, tmpName].sort());
      assert.deepEqual(await names(files.dir), [...kept, "README"].sort());
      assert.deepEqual(cs.tip(), tip);
      for (const b of mined) {
        assert.deepEqual(
          await cs.getCheckpoint(blockId(params.magic, b.block.header)),
          b.checkpoint,
        );
      }
      assert.equal(cs.getEntry(pendingHash), undefined);
      // Resubmitted, the block is stored and connected as if the crash never happened.
      assert.equal((await cs.acceptBlock(pending.block, pending.checkpoint)).status, "connected");
      assert.deepEqual(await cs.getCheckpoint(pendingHash), pending.checkpoint);
    } finally {
      await cs.close();
    }
    // A clean reopen finds nothing to sweep.
    swept = [];
    cs = await Chainstate.open(dir, params, ev, corpus, testClock, {
      onSweep: (removed) => swept = removed,
    });
    assert.deepEqual(swept, []);
    assert.equal(cs.height(), 3);
    await cs.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

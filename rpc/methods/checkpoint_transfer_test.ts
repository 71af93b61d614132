/**
 * getminingtemplate, getcheckpointchunk, uploadcheckpointchunk and submitblock with a staged
 * checkpoint, in-process (Hono `app.request`, no GPU): a real Chainstate on LevelDB in a temp dir
 * with a scripted evaluator.
 */
import assert from "node:assert/strict";
import { chunkHashes, merkleProof, verifyChunk } from "../../core/checkpoint/chunks.ts";
import { genesisCheckpointBytes } from "../../core/consensus/genesis.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import {
  buildChildBlock,
  heartbeatWallet,
  testCheckpoint,
} from "../../core/consensus/testing/block_builder.ts";
import { fromHex, toHex } from "../../core/crypto/keccak.ts";
import { encodeBlock } from "../../core/primitives/block.ts";
import { parseMiningTemplate } from "../../node/miner/mining_template.ts";
import { startScriptedNode } from "./_test_node.ts";

Deno.test.sanitizer({ ops: true, resources: true });

const params = REGTEST;
const owner = heartbeatWallet(params, 0);

function setup() {
  return startScriptedNode(params);
}

Deno.test("getminingtemplate and getcheckpointchunk give a remote miner a verifiable tip", async () => {
  const { call, close, chainstate } = await setup();
  try {
    const { result } = await call("getminingtemplate");
    const template = parseMiningTemplate(params, result);
    assert.equal(toHex(template.parent.hash), toHex(chainstate.tip().hash));
    const t = result as { checkpoint: { chunks: number; root: string; size: number } };
    assert.equal(t.checkpoint.root, toHex(chainstate.tip().header.checkpointRoot));
    const chunk = (await call("getcheckpointchunk", toHex(template.parent.hash), 0)).result as {
      hex: string;
      proof: string[];
    };
    const bytes = fromHex(chunk.hex);
    assert.ok(
      verifyChunk(
        bytes,
        0,
        t.checkpoint.size,
        chunk.proof.map(fromHex),
        fromHex(t.checkpoint.root),
      ),
    );
    assert.deepEqual(bytes, genesisCheckpointBytes(params).subarray(0, bytes.length));
    const past = await call("getcheckpointchunk", toHex(template.parent.hash), t.checkpoint.chunks);
    assert.equal(past.error?.code, -8);
    const unknown = await call("getcheckpointchunk", "00".repeat(32), 0);
    assert.equal(unknown.error?.code, -5);
  } finally {
    await close();
  }
});

Deno.test("submitblock takes the checkpoint staged by uploadcheckpointchunk, and -8 without one", async () => {
  const { call, close, chainstate, evaluator } = await setup();
  try {
    const parent = chainstate.tip();
    const ck = testCheckpoint(nextModelConfig(params, parent), 11);
    const block = buildChildBlock(params, parent, {
      checkpoint: { root: ck.root, size: ck.size },
      coinbaseTo: owner.address,
    });
    evaluator.register(ck.bytes, block.header.sampleLossMicroNats / 1e6);
    const hex = toHex(encodeBlock(block));
    const missing = await call("submitblock", hex);
    assert.equal(missing.error?.code, -8);
    assert.match(missing.error!.message, /none fully uploaded/);
    const proof = merkleProof(chunkHashes(ck.bytes), 0).map(toHex);
    const tampered = ck.bytes.slice();
    tampered[tampered.length - 1]! ^= 1;
    const bad = await call(
      "uploadcheckpointchunk",
      toHex(ck.root),
      ck.size,
      0,
      toHex(tampered),
      proof,
    );
    assert.equal(bad.error?.code, -8);
    const up = await call(
      "uploadcheckpointchunk",
      toHex(ck.root),
      ck.size,
      0,
      toHex(ck.bytes),
      proof,
    );
    assert.deepEqual(up.result, { root: toHex(ck.root), received: 1, chunks: 1, complete: true });
    const submitted = await call("submitblock", hex);
    assert.equal(submitted.error, undefined);
    assert.equal(submitted.result, null);
    assert.equal(chainstate.tip().height, 1);
    assert.deepEqual(await chainstate.getCheckpoint(chainstate.tip().hash), ck.bytes);
    assert.equal((await call("submitblock", hex)).error?.code, -8, "the staged copy was used up");
  } finally {
    await close();
  }
});

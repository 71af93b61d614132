import assert from "node:assert/strict";
import { checkpointRoot } from "../../core/checkpoint/chunks.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { checkBlockSanity } from "../../core/consensus/check_block_sanity.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { genesisCheckpointBytes, genesisEntry } from "../../core/consensus/genesis.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { evalSampleSeed } from "../../core/consensus/eval_sample.ts";
import { heartbeatWallet, TEST_MINER_SEED } from "../../core/consensus/testing/block_builder.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { verifyHeaderSignature } from "../../core/primitives/block.ts";
import { growCheckpoint } from "../../gpu/model/grow.ts";
import { assembleBlock, headerDraft } from "./block_assembly.ts";

const params = REGTEST;
const parent = genesisEntry(params);

Deno.test("headerDraft() fixes what the sample depends on; assembleBlock() keeps it and signs a sane child paying reward + fees", () => {
  const next = nextModelConfig(params, parent);
  const bytes = encodeCheckpoint(
    growCheckpoint(decodeCheckpoint(genesisCheckpointBytes(params)), next, 1),
  );
  const miner = keyPairFromSeed(TEST_MINER_SEED).publicKey;
  const draft = headerDraft(params, parent, bytes, 0, miner);
  assert.equal(draft.height, 1);
  assert.deepEqual(draft.prevHash, parent.hash);
  assert.deepEqual(draft.checkpointRoot, checkpointRoot(bytes));
  assert.equal(draft.checkpointSize, bytes.length);
  assert.equal(draft.dModel, next.dModel);
  assert.equal(draft.nLayers, next.nLayers);
  assert.equal(draft.timestampSecs, parent.mtpSecs + 1, "never before MTP + 1");
  const to = heartbeatWallet(params, 3).address;
  const claims = { parentSampleLossMicroNats: 5_000_000, sampleLossMicroNats: 4_900_000 };
  const block = assembleBlock(params, {
    parent,
    address: to,
    draft,
    ...claims,
    txs: [],
    feesResonances: 7n,
    minerSeed: TEST_MINER_SEED,
  });
  const h = block.header;
  // The sample the miner evaluated is the block's sample.
  assert.deepEqual(evalSampleSeed(params.magic, h), evalSampleSeed(params.magic, draft));
  assert.equal(h.parentSampleLossMicroNats, 5_000_000);
  assert.equal(h.sampleLossMicroNats, 4_900_000);
  assert.deepEqual(h.minerKey, miner);
  assert.ok(verifyHeaderSignature(params.magic, h));
  assert.equal(block.txs[0]!.outputs[0]!.value, blockReward(params, parent, 20_000) + 7n);
  assert.deepEqual(block.txs[0]!.outputs[0]!.address, to);
  checkBlockSanity(block, params);
  const later = headerDraft(params, parent, bytes, parent.mtpSecs + 500, miner);
  assert.equal(later.timestampSecs, parent.mtpSecs + 500);
});

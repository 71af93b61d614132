import assert from "node:assert/strict";
import { checkpointRoot } from "../../core/checkpoint/chunks.ts";
import { decodeCheckpoint, encodeCheckpoint } from "../../core/checkpoint/rnet.ts";
import { checkBlockSanity } from "../../core/consensus/check_block_sanity.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { genesisCheckpointBytes, genesisEntry } from "../../core/consensus/genesis.ts";
import { nextModelConfig } from "../../core/consensus/growth.ts";
import { PPM, REGTEST } from "../../core/consensus/params.ts";
import { heartbeatWallet, TEST_MINER_SEED } from "../../core/consensus/testing/block_builder.ts";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { verifyHeaderSignature } from "../../core/primitives/block.ts";
import { growCheckpoint } from "../../gpu/model/grow.ts";
import { assembleBlock, minerTargetMicroNats } from "./block_assembly.ts";

const params = REGTEST;
const parent = genesisEntry(params);

Deno.test("minerTargetMicroNats() keeps a τ margin below the consensus limit ⌊parent × (1 − μ)⌋", () => {
  const target = minerTargetMicroNats(params, parent);
  const limit = Math.floor(
    parent.header.valLossMicroNats * (PPM - params.minImprovementPpm) / PPM,
  );
  const tau = Math.floor(parent.header.valLossMicroNats * params.tolerancePpm / PPM);
  assert.ok(target < limit);
  assert.ok(Math.abs(limit - target - tau) <= 1, `${limit} − ${target} ≈ τ ${tau}`);
});

Deno.test("assembleBlock() signs a sane child paying reward + fees with the grown config", () => {
  const next = nextModelConfig(params, parent);
  const bytes = encodeCheckpoint(
    growCheckpoint(decodeCheckpoint(genesisCheckpointBytes(params)), next, 1),
  );
  const claim = minerTargetMicroNats(params, parent);
  const to = heartbeatWallet(params, 3).address;
  const block = assembleBlock(params, {
    parent,
    address: to,
    valLossMicroNats: claim,
    checkpointBytes: bytes,
    txs: [],
    feesResonances: 7n,
    nowSecs: 0,
    minerSeed: TEST_MINER_SEED,
  });
  const h = block.header;
  assert.equal(h.height, 1);
  assert.deepEqual(h.prevHash, parent.hash);
  assert.deepEqual(h.checkpointRoot, checkpointRoot(bytes));
  assert.equal(h.checkpointSize, bytes.length);
  assert.equal(h.dModel, next.dModel);
  assert.equal(h.nLayers, next.nLayers);
  assert.equal(h.timestampSecs, parent.mtpSecs + 1, "never before MTP + 1");
  assert.deepEqual(h.minerKey, keyPairFromSeed(TEST_MINER_SEED).publicKey);
  assert.ok(verifyHeaderSignature(params.magic, h));
  assert.equal(block.txs[0]!.outputs[0]!.value, blockReward(params, parent, claim) + 7n);
  assert.deepEqual(block.txs[0]!.outputs[0]!.address, to);
  checkBlockSanity(block, params);
  const later = assembleBlock(params, {
    parent,
    address: to,
    valLossMicroNats: claim,
    checkpointBytes: bytes,
    txs: [],
    feesResonances: 0n,
    nowSecs: parent.mtpSecs + 500,
    minerSeed: TEST_MINER_SEED,
  });
  assert.equal(later.header.timestampSecs, parent.mtpSecs + 500);
});

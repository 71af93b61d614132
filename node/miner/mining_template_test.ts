import assert from "node:assert/strict";
import { genesisEntry } from "../../core/consensus/genesis.ts";
import { blockReward } from "../../core/consensus/emission.ts";
import { REGTEST, TESTNET } from "../../core/consensus/params.ts";
import { heartbeatWallet } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { NULL_OUTPOINT, type Tx } from "../../core/primitives/tx.ts";
import { miningTemplateJson, parseMiningTemplate } from "./mining_template.ts";

const params = REGTEST;
const parent = {
  ...genesisEntry(params),
  mintedResonances: 123_456_789n,
  returnedResonances: 1_000n,
  stagnation: 2,
  chainWork: 60_003n,
};
const tx: Tx = {
  version: 1,
  inputs: [{ prevout: { ...NULL_OUTPOINT, vout: 3 }, sequence: 1 }],
  outputs: [{ value: 5n, address: heartbeatWallet(params, 1).address }],
  locktime: 0,
  witnesses: [],
};

Deno.test("miningTemplateJson() → parseMiningTemplate() rebuilds the parent entry and transactions", () => {
  const json = miningTemplateJson(params, parent, [{ tx, feeResonances: 42n }], 1_800_000_000);
  assert.equal(json.height, 1);
  assert.equal(json.previousblockhash, toHex(parent.hash));
  // Long after genesis's time μ has decayed to 0; the reward is the one at that progress.
  assert.equal(json.required_improvement_ppm, 0);
  assert.equal(json.min_improvement_ppm, params.sampleMinImprovementPpm);
  assert.equal(json.sample_windows, params.evalSampleWindows);
  assert.equal(json.fees, 42n);
  const reward = blockReward(params, parent, json.required_improvement_ppm);
  assert.equal(json.coinbasevalue, reward + 42n);
  assert.equal(json.checkpoint.method, "getcheckpointchunk");
  assert.equal(json.checkpoint.size, parent.header.checkpointSize);
  // Through JSON text, as a remote miner sees it (bigints as numbers).
  const wire = JSON.parse(JSON.stringify(json, (_k, v) => typeof v === "bigint" ? Number(v) : v));
  const parsed = parseMiningTemplate(params, wire);
  assert.deepEqual(parsed.parent, parent);
  assert.deepEqual(parsed.txs, [tx]);
  assert.equal(parsed.feesResonances, 42n);
  assert.equal(parsed.curtime, 1_800_000_000);
});

Deno.test("parseMiningTemplate() refuses another network and a header that is not the parent", () => {
  const json = miningTemplateJson(params, parent, [], 0);
  const wire = JSON.parse(JSON.stringify(json, (_k, v) => typeof v === "bigint" ? Number(v) : v));
  assert.throws(() => parseMiningTemplate(TESTNET, wire), /for regtest, not testnet/);
  assert.throws(
    () => parseMiningTemplate(params, { ...wire, previousblockhash: "00".repeat(32) }),
    /does not hash to previousblockhash/,
  );
  assert.throws(() => parseMiningTemplate(params, { ...wire, parent_minted: -1 }), TypeError);
  assert.throws(() => parseMiningTemplate(params, null), TypeError);
});

Deno.test("miningTemplateJson() asks for the full μ within the grace after the parent's time", () => {
  const t = parent.header.timestampSecs + params.improvementGraceSecs;
  const json = miningTemplateJson(params, parent, [], t);
  assert.equal(json.required_improvement_ppm, params.sampleMinImprovementPpm);
  assert.equal(json.mintime, parent.mtpSecs + 1);
});

import assert from "node:assert/strict";
import { checkpointRoot } from "../checkpoint/chunks.ts";
import { toHex } from "../crypto/keccak.ts";
import { checkBlockSanity } from "./check_block_sanity.ts";
import { genesisBlock, genesisCheckpointBytes, genesisEntry } from "./genesis.ts";
import { REGTEST, TESTNET } from "./params.ts";

Deno.test("genesisCheckpointBytes() re-derives the pinned regtest and testnet roots", () => {
  for (const p of [REGTEST, TESTNET]) {
    const bytes = genesisCheckpointBytes(p);
    assert.equal(toHex(checkpointRoot(bytes)), p.genesisCheckpointRootHex, p.name);
    assert.equal(bytes.length, genesisBlock(p).header.checkpointSize);
  }
});

Deno.test("genesisBlock() passes block sanity and is deterministic per network", () => {
  checkBlockSanity(genesisBlock(REGTEST), REGTEST);
  assert.deepEqual(genesisEntry(REGTEST), genesisEntry(REGTEST));
  assert.notEqual(toHex(genesisEntry(REGTEST).hash), toHex(genesisEntry(TESTNET).hash));
  const e = genesisEntry(REGTEST);
  assert.equal(e.height, 0);
  assert.equal(e.mtpSecs, REGTEST.genesisTimestampSecs);
  // Genesis claims no sample (it has no parent) and has no work.
  assert.equal(e.header.parentSampleLossMicroNats, 0);
  assert.equal(e.header.sampleLossMicroNats, 0);
  assert.equal(e.chainWork, 0n);
});

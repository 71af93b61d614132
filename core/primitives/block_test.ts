import assert from "node:assert/strict";
import { DecodeError } from "../errors.ts";
import { REGTEST } from "../consensus/params.ts";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import {
  type Block,
  blockId,
  computeTxRoot,
  computeWitnessRoot,
  decodeBlock,
  decodeHeader,
  encodeBlock,
  encodeHeader,
  encodeUnsignedHeader,
  HEADER_BYTES,
  signHeader,
  UNSIGNED_HEADER_BYTES,
  type UnsignedHeader,
  verifyHeaderSignature,
} from "./block.ts";
import { NULL_OUTPOINT, type Tx } from "./tx.ts";
import { sampleSpend, testKey } from "./_fixtures.ts";

const magic = REGTEST.magic;
const miner = testKey(7);
const coinbase: Tx = {
  version: 1,
  inputs: [{ prevout: NULL_OUTPOINT, sequence: 0 }],
  outputs: [{ value: 5_000_000_000n, address: { kind: 1, hash: new Uint8Array(32).fill(1) } }],
  locktime: 1,
  witnesses: [],
};
const txs = [coinbase, sampleSpend(magic).tx];
const unsigned: UnsignedHeader = {
  version: 1,
  height: 1,
  prevHash: new Uint8Array(32).fill(0x33),
  txRoot: computeTxRoot(magic, txs),
  witnessRoot: computeWitnessRoot(magic, txs),
  checkpointRoot: new Uint8Array(32).fill(0x44),
  checkpointSize: 123_456_789,
  dModel: 18,
  nLayers: 1,
  parentSampleLossMicroNats: 5_600_000,
  sampleLossMicroNats: 5_545_177,
  timestampSecs: 1_767_225_660,
  minerKey: miner.publicKey,
};
const header = signHeader(magic, unsigned, miner.secretKey);
const block: Block = { header, txs };

Deno.test("encodeHeader() is 264 bytes: the 200-byte unsigned header then the signature", () => {
  const bytes = encodeHeader(header);
  assert.equal(bytes.length, HEADER_BYTES);
  assert.deepEqual(bytes.subarray(0, UNSIGNED_HEADER_BYTES), encodeUnsignedHeader(unsigned));
  assert.deepEqual(bytes.subarray(UNSIGNED_HEADER_BYTES), header.signature);
  assert.deepEqual(decodeHeader(bytes), header);
  // Field order spot checks: height at 4, checkpointSize at 136, parent sample loss at 152, sample loss at 156, timestamp at 160.
  const v = new DataView(bytes.buffer);
  assert.equal(v.getUint32(4, true), 1);
  assert.equal(v.getBigUint64(136, true), 123_456_789n);
  assert.equal(v.getUint32(152, true), 5_600_000);
  assert.equal(v.getUint32(156, true), 5_545_177);
  assert.equal(v.getBigUint64(160, true), 1_767_225_660n);
});

Deno.test("blockId() is the tagged hash of the unsigned header and ignores the signature", () => {
  assert.deepEqual(
    blockId(magic, header),
    taggedHash("rnt/block", magic, encodeUnsignedHeader(unsigned)),
  );
  assert.deepEqual(
    blockId(magic, { ...header, signature: new Uint8Array(64) } as UnsignedHeader),
    blockId(magic, header),
  );
  assert.notDeepEqual(
    blockId(magic, { ...unsigned, sampleLossMicroNats: 5_545_176 }),
    blockId(magic, unsigned),
  );
});

Deno.test("verifyHeaderSignature() accepts the miner's signature and rejects any change", () => {
  assert.equal(verifyHeaderSignature(magic, header), true);
  assert.equal(
    verifyHeaderSignature(magic, { ...header, timestampSecs: header.timestampSecs + 1 }),
    false,
  );
  assert.equal(verifyHeaderSignature(magic, { ...header, minerKey: testKey(8).publicKey }), false);
  assert.equal(verifyHeaderSignature(new Uint8Array([0xd9, 0x52, 0x4e, 0x01]), header), false);
  assert.throws(() => signHeader(magic, unsigned, testKey(8).secretKey), /does not match/);
});

Deno.test("decodeBlock() round-trips byte for byte and the roots match its transactions", () => {
  const bytes = encodeBlock(block);
  const back = decodeBlock(bytes, REGTEST);
  assert.deepEqual(back, block);
  assert.deepEqual(encodeBlock(back), bytes);
  assert.deepEqual(computeTxRoot(magic, back.txs), back.header.txRoot);
  assert.deepEqual(computeWitnessRoot(magic, back.txs), back.header.witnessRoot);
});

Deno.test("decodeBlock() rejects truncation at every offset and trailing bytes", () => {
  checkTruncations((b) => decodeBlock(b, REGTEST), encodeBlock(block));
});

Deno.test("decodeBlock() only ever throws DecodeError on random bytes", () => {
  checkRandomInputs((b) => decodeBlock(b, REGTEST), encodeBlock(block), 1000, 8080);
});

Deno.test("decodeBlock() enforces maxBlockBytes, maxTxBytes and at least one transaction", () => {
  const bytes = encodeBlock(block);
  assert.throws(
    () => decodeBlock(bytes, { ...REGTEST, maxBlockBytes: bytes.length - 1 }),
    /exceeds/,
  );
  assert.throws(() => decodeBlock(bytes, { ...REGTEST, maxTxBytes: 100 }), /Transaction 1/);
  const empty = new Uint8Array([...encodeHeader(header), 0]);
  assert.throws(() => decodeBlock(empty, REGTEST), DecodeError);
});

/**
 * The byte tables of docs/PROTOCOL.md §1.2–§1.4, checked against the encoders: known values are
 * encoded and every field is read back at the offset, size and endianness the tables state.
 */
import assert from "node:assert/strict";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { keccak256d, toHex } from "../crypto/keccak.ts";
import { merkleRoot } from "../crypto/merkle.ts";
import { REGTEST } from "../consensus/params.ts";
import { type BlockHeader, blockId, encodeBlock, encodeHeader } from "./block.ts";
import { encodeTx, type Tx } from "./tx.ts";
import { sighashes, txid, wtxid } from "./tx_hash.ts";
import { and, older, or, pk } from "./policy.ts";
import { encodePolicy, policyHash } from "./policy_codec.ts";

const magic = REGTEST.magic;
const fill = (n: number, b: number) => new Uint8Array(n).fill(b);
const le = (bytes: Uint8Array) => new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);

const header: BlockHeader = {
  version: 0x01020304,
  height: 0x0a0b0c0d,
  prevHash: fill(32, 0x11),
  txRoot: fill(32, 0x22),
  witnessRoot: fill(32, 0x33),
  checkpointRoot: fill(32, 0x44),
  checkpointSize: 0x0102_0304_0506,
  dModel: 0x18,
  nLayers: 0x2,
  parentSampleLossMicroNats: 5_708_006,
  sampleLossMicroNats: 5_600_000,
  timestampSecs: 0x01_0203_0405,
  minerKey: fill(32, 0x55),
  signature: fill(64, 0x66),
};

Deno.test("the header is laid out as PROTOCOL §1.3's table says (264 bytes, little-endian)", () => {
  const b = encodeHeader(header);
  const v = le(b);
  assert.equal(b.length, 264);
  assert.equal(v.getUint32(0, true), header.version);
  assert.equal(v.getUint32(4, true), header.height);
  assert.deepEqual(b.subarray(8, 40), header.prevHash);
  assert.deepEqual(b.subarray(40, 72), header.txRoot);
  assert.deepEqual(b.subarray(72, 104), header.witnessRoot);
  assert.deepEqual(b.subarray(104, 136), header.checkpointRoot);
  assert.equal(v.getBigUint64(136, true), BigInt(header.checkpointSize));
  assert.equal(v.getUint32(144, true), header.dModel);
  assert.equal(v.getUint32(148, true), header.nLayers);
  assert.equal(v.getUint32(152, true), header.parentSampleLossMicroNats);
  assert.equal(v.getUint32(156, true), header.sampleLossMicroNats);
  assert.equal(v.getBigUint64(160, true), BigInt(header.timestampSecs));
  assert.deepEqual(b.subarray(168, 200), header.minerKey);
  assert.deepEqual(b.subarray(200, 264), header.signature);
  // The block id: tagged hash of bytes 0..200 (the signature is not covered).
  const tag = new TextEncoder().encode("rnt/block");
  const preimage = new Uint8Array([tag.length, ...tag, ...magic, ...b.subarray(0, 200)]);
  assert.deepEqual(blockId(magic, header), keccak256d(preimage));
  assert.deepEqual(taggedHash("rnt/block", magic, b.subarray(0, 200)), keccak256d(preimage));
});

const owner = fill(32, 0x77);
const policy = or(pk(owner), and(older(900), pk(fill(32, 0x78))));
const tx: Tx = {
  version: 1,
  inputs: [{ prevout: { txid: fill(32, 0x99), vout: 0x01020304 }, sequence: 0x05060708 }],
  outputs: [{ value: 0x0102_0304_0506_0708n, address: { kind: 1, hash: fill(32, 0xaa) } }],
  locktime: 0x0a0b0c0d,
  witnesses: [{
    policy,
    satisfaction: { signatures: [{ publicKey: owner, signature: fill(64, 0xbb) }], preimages: [] },
  }],
};

Deno.test("a transaction is laid out as PROTOCOL §1.2's table says (one input, one output, one witness)", () => {
  const b = encodeTx(tx);
  const v = le(b);
  assert.equal(v.getUint32(0, true), 1); // version
  assert.equal(b[4], 1); // CompactSize input count
  assert.deepEqual(b.subarray(5, 37), fill(32, 0x99)); // prevout txid
  assert.equal(v.getUint32(37, true), 0x01020304); // prevout vout
  assert.equal(v.getUint32(41, true), 0x05060708); // sequence
  assert.equal(b[45], 1); // output count
  assert.equal(v.getBigUint64(46, true), 0x0102_0304_0506_0708n); // value
  assert.equal(b[54], 0); // address version
  assert.equal(b[55], 1); // recovery kind
  assert.deepEqual(b.subarray(56, 88), fill(32, 0xaa)); // policy hash
  assert.equal(v.getBigUint64(88, true), 0x0a0b0c0dn); // locktime u64
  assert.equal(b[96], 1); // witness count
  const p = encodePolicy(policy);
  assert.deepEqual(b.subarray(97, 97 + p.length), p); // the policy, self-delimiting
  let at = 97 + p.length;
  assert.equal(b[at], 1); // CompactSize signature count
  assert.deepEqual(b.subarray(at + 1, at + 33), owner);
  assert.deepEqual(b.subarray(at + 33, at + 97), fill(64, 0xbb));
  at += 97;
  assert.equal(b[at], 0); // CompactSize preimage count
  assert.equal(b.length, at + 1);
  // The policy encoding: or(2) ‖ pk ‖ and(2) ‖ older(900) ‖ pk.
  assert.deepEqual([...p.subarray(0, 3)], [0x07, 2, 0x01]);
  assert.deepEqual([...p.subarray(35, 38)], [0x06, 2, 0x04]);
  assert.equal(le(p).getBigUint64(38, true), 900n);
  assert.equal(p[46], 0x01);
  assert.equal(p.length, 79);
  assert.deepEqual(policyHash(policy), keccak256d(p));

  // txid over the encoding without the witness section (and without its count); wtxid over all.
  const noWitness = encodeTx(tx, { witness: false });
  assert.deepEqual(noWitness, b.subarray(0, 96));
  assert.deepEqual(txid(magic, tx), taggedHash("rnt/txid", magic, b.subarray(0, 96)));
  assert.deepEqual(wtxid(magic, tx), taggedHash("rnt/wtxid", magic, b));
  // sighash_i = tagged("rnt/sighash", digest ‖ u32le(i)), digest over the spent outputs too.
  const spent = [{ value: 5n, address: { kind: 1, hash: fill(32, 0xcc) } }];
  const spentBytes = new Uint8Array(42);
  le(spentBytes).setBigUint64(0, 5n, true);
  spentBytes.set([0, 1, ...fill(32, 0xcc)], 8);
  const digest = taggedHash("rnt/sighash-tx", magic, noWitness, spentBytes);
  assert.deepEqual(
    sighashes(magic, tx, spent)[0],
    taggedHash("rnt/sighash", magic, digest, new Uint8Array([0, 0, 0, 0])),
  );
});

Deno.test("a block is header ‖ CompactSize(nTx) ‖ transactions, and Merkle roots are tagged as §1.1 says", () => {
  const b = encodeBlock({ header, txs: [tx, tx] });
  assert.deepEqual(b.subarray(0, 264), encodeHeader(header));
  assert.equal(b[264], 2);
  const t = encodeTx(tx);
  assert.deepEqual(b.subarray(265, 265 + t.length), t);
  assert.deepEqual(b.subarray(265 + t.length), t);
  // Three leaves: node(node(a, b), c) with c promoted, then the count-committing root.
  const [a, c, d] = [fill(32, 1), fill(32, 2), fill(32, 3)];
  const ab = taggedHash("rnt/merkle-node", magic, a, c);
  const top = taggedHash("rnt/merkle-node", magic, ab, d);
  const root = taggedHash("rnt/merkle-root", magic, new Uint8Array([3, 0, 0, 0]), top);
  assert.equal(toHex(merkleRoot(magic, [a, c, d])), toHex(root));
  const empty = taggedHash("rnt/merkle-root", magic, new Uint8Array(4), new Uint8Array(32));
  assert.equal(toHex(merkleRoot(magic, [])), toHex(empty));
});

import assert from "node:assert/strict";
import { checkRandomInputs, checkTruncations } from "../encoding/_testing.ts";
import type { UtxoEntry } from "../consensus/chain_entry.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { coinKey, heightKey, outPointFromKey, outPointOfCoinKey } from "./keys.ts";
import {
  BlockStatus,
  decodeIndexRecord,
  decodeUndo,
  decodeUtxoEntry,
  encodeIndexRecord,
  encodeUndo,
  encodeUtxoEntry,
  type IndexRecord,
} from "./records.ts";

const plainCoin: UtxoEntry = {
  value: 2_100_000_000_000_000n,
  address: { kind: 1, hash: new Uint8Array(32).fill(7) },
  height: 4_000_000_000,
  coinbase: true,
  createdMtpSecs: 1_767_225_600,
};
const pendingCoin: UtxoEntry = {
  value: 1n,
  address: { kind: 3, hash: new Uint8Array(32).fill(9) },
  height: 5,
  coinbase: false,
  createdMtpSecs: 0,
  pendingOwnerHash: new Uint8Array(32).fill(0xee),
};

Deno.test("encodeUtxoEntry() round-trips coinbase and pending-recovery entries", () => {
  for (const e of [plainCoin, pendingCoin]) {
    const bytes = encodeUtxoEntry(e);
    assert.deepEqual(decodeUtxoEntry(bytes), e);
    checkTruncations(decodeUtxoEntry, bytes);
  }
  checkRandomInputs(decodeUtxoEntry, encodeUtxoEntry(pendingCoin), 300, 1);
});

Deno.test("encodeUndo() round-trips spent entries and created outpoints in order", () => {
  const undo = {
    spent: [
      [{ txid: new Uint8Array(32).fill(1), vout: 3 }, plainCoin],
      [{ txid: new Uint8Array(32).fill(2), vout: 0 }, pendingCoin],
    ] as [{ txid: Uint8Array; vout: number }, UtxoEntry][],
    created: [{ txid: new Uint8Array(32).fill(3), vout: 0xffff_fffe }],
  };
  const bytes = encodeUndo(undo);
  assert.deepEqual(decodeUndo(bytes), undo);
  checkTruncations(decodeUndo, bytes);
  assert.deepEqual(decodeUndo(encodeUndo({ spent: [], created: [] })), { spent: [], created: [] });
});

Deno.test("encodeIndexRecord() round-trips entry, status, sequence and reason", () => {
  const z = new Uint8Array(32);
  const header = {
    version: 1,
    height: 12,
    prevHash: z.slice().fill(1),
    txRoot: z.slice().fill(2),
    witnessRoot: z.slice().fill(3),
    checkpointRoot: z.slice().fill(4),
    checkpointSize: 123_456,
    dModel: 40,
    nLayers: 2,
    parentSampleLossMicroNats: 5_100_000,
    sampleLossMicroNats: 5_000_000,
    timestampSecs: 1_767_300_000,
    minerKey: z.slice().fill(5),
    signature: new Uint8Array(64).fill(6),
  };
  const hash = z.slice().fill(8);
  const rec: IndexRecord = {
    entry: {
      hash,
      header,
      height: 12,
      mtpSecs: 1_767_299_000,
      stagnation: 3,
      mintedResonances: 60_000_000_000n,
      returnedResonances: 5n,
      chainWork: 240_012n,
    },
    status: BlockStatus.haveBlock | BlockStatus.invalid,
    seq: 77,
    invalidReason: "sample-loss-mismatch",
  };
  const bytes = encodeIndexRecord(rec);
  assert.deepEqual(decodeIndexRecord(hash, bytes), rec);
  checkTruncations((b) => decodeIndexRecord(hash, b), bytes);
});

Deno.test("coinKey() and heightKey() sort numerically and invert", () => {
  const op = { txid: new Uint8Array(32).fill(0xab), vout: 258 };
  assert.deepEqual(outPointOfCoinKey(coinKey(op)), op);
  assert.deepEqual(outPointFromKey(outpointKey(op)), op);
  assert.throws(() => outPointFromKey("zz:1"), RangeError);
  const a = heightKey(255), b = heightKey(256);
  const i = a.findIndex((x, j) => x !== b[j]);
  assert.equal(a[i]! < b[i]!, true);
});

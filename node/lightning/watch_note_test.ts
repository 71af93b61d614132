import assert from "node:assert/strict";
import { DecodeError } from "../../core/errors.ts";
import { decodeWatchNotes, encodeWatchNotes, type FundingSpend } from "./watch_note.ts";

const tx = {
  version: 1,
  inputs: [{ prevout: { txid: new Uint8Array(32).fill(1), vout: 0 }, sequence: 7 }],
  outputs: [{ value: 5n, address: { kind: 4, hash: new Uint8Array(32).fill(2) } }],
  locktime: 3,
  witnesses: [],
};
const spends: FundingSpend[] = [
  {
    kind: "funding-refresh",
    height: 10,
    blockHash: new Uint8Array(32).fill(3),
    commitmentNumber: 0n,
    tx,
  },
  {
    kind: "revoked-commitment",
    height: 12,
    blockHash: new Uint8Array(32).fill(4),
    commitmentNumber: 9n,
    tx,
  },
];

Deno.test("decodeWatchNotes() round-trips and refuses every truncation, trailing bytes and an unknown kind", () => {
  const bytes = encodeWatchNotes(spends);
  assert.deepEqual(decodeWatchNotes(bytes), spends);
  assert.deepEqual(decodeWatchNotes(encodeWatchNotes([])), []);
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => decodeWatchNotes(bytes.slice(0, n)), DecodeError, `cut at ${n}`);
  }
  assert.throws(() => decodeWatchNotes(new Uint8Array([...bytes, 0])), DecodeError);
  const badKind = bytes.slice();
  badKind[2] = 9;
  assert.throws(() => decodeWatchNotes(badKind), /Unknown spend kind 9/);
});

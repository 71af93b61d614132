import assert from "node:assert/strict";
import { encodeTx } from "./tx.ts";
import { sighash, sighashes, txid, wtxid } from "./tx_hash.ts";
import { checkSatisfaction } from "./check_satisfaction.ts";
import { taggedHash } from "../crypto/tagged_hash.ts";
import { sampleSpend } from "./_fixtures.ts";
import { makeSatisfaction } from "./satisfaction.ts";

const magic = new Uint8Array([0xd9, 0x52, 0x4e, 0x03]);
const otherMagic = new Uint8Array([0xd9, 0x52, 0x4e, 0x01]);
const { tx, spent } = sampleSpend(magic);

Deno.test("txid() hashes the witness-free encoding; wtxid() the full one", () => {
  assert.deepEqual(
    txid(magic, tx),
    taggedHash("rnt/txid", magic, encodeTx(tx, { witness: false })),
  );
  assert.deepEqual(wtxid(magic, tx), taggedHash("rnt/wtxid", magic, encodeTx(tx)));
});

Deno.test("txid() ignores witnesses, wtxid() does not", () => {
  const stripped = { ...tx, witnesses: [] };
  assert.deepEqual(txid(magic, stripped), txid(magic, tx));
  assert.notDeepEqual(wtxid(magic, stripped), wtxid(magic, tx));
  const noSigs = {
    ...tx,
    witnesses: tx.witnesses.map((w) => ({ ...w, satisfaction: makeSatisfaction([]) })),
  };
  assert.notDeepEqual(wtxid(magic, noSigs), wtxid(magic, tx));
});

Deno.test("txid() and sighash() differ across networks", () => {
  assert.notDeepEqual(txid(otherMagic, tx), txid(magic, tx));
  assert.notDeepEqual(sighash(otherMagic, tx, 0, spent), sighash(magic, tx, 0, spent));
});

Deno.test("sighash() binds the input index, every spent value and spent address", () => {
  const [h0, h1] = sighashes(magic, tx, spent) as [Uint8Array, Uint8Array];
  assert.notDeepEqual(h0, h1);
  assert.deepEqual(sighash(magic, tx, 1, spent), h1);
  const lessValue = [{ ...spent[0]!, value: spent[0]!.value - 1n }, spent[1]!];
  assert.notDeepEqual(sighash(magic, tx, 0, lessValue), h0);
  const otherValueOfOtherInput = [spent[0]!, { ...spent[1]!, value: 1n }];
  assert.notDeepEqual(sighash(magic, tx, 0, otherValueOfOtherInput), h0);
  const otherKind = [{ ...spent[0]!, address: { ...spent[0]!.address, kind: 2 } }, spent[1]!];
  assert.notDeepEqual(sighash(magic, tx, 0, otherKind), h0);
  assert.throws(() => sighashes(magic, tx, spent.slice(1)), RangeError);
  assert.throws(() => sighash(magic, tx, 2, spent), RangeError);
});

Deno.test("sighash() signatures satisfy the spent policy only for their own input and network", () => {
  const ctx = (h: Uint8Array) => ({ sighash: h, mtpSecs: 0, inputAgeSecs: 0 });
  const hashes = sighashes(magic, tx, spent);
  for (let i = 0; i < 2; i++) {
    const { policy, satisfaction } = tx.witnesses[i]!;
    assert.deepEqual(checkSatisfaction(policy, satisfaction, ctx(hashes[i]!)), { ok: true });
    assert.equal(checkSatisfaction(policy, satisfaction, ctx(hashes[1 - i]!)).ok, false);
    const foreign = sighash(otherMagic, tx, i, spent);
    assert.equal(checkSatisfaction(policy, satisfaction, ctx(foreign)).ok, false);
  }
});

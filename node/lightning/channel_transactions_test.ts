import assert from "node:assert/strict";
import { REGTEST } from "../../core/consensus/params.ts";
import { verify } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { sighash, txid } from "../../core/primitives/tx_hash.ts";
import {
  addressOf,
  cooperativeCloseOf,
  fundingOf,
  ownOutputSweep,
  quiescent,
  signedLocalCommitment,
  signFundingSpendOf,
} from "./channel_transactions.ts";
import { openRecordPair } from "./_test_channel.ts";

const MAGIC = REGTEST.magic;

Deno.test("cooperativeCloseOf() gives both sides the same close; each signature verifies for the other", () => {
  const { funder, fundee } = openRecordPair();
  assert.ok(quiescent(funder.state) && quiescent(fundee.state));
  const a = cooperativeCloseOf(funder), b = cooperativeCloseOf(fundee);
  assert.equal(toHex(txid(MAGIC, a.tx)), toHex(txid(MAGIC, b.tx)));
  assert.equal(a.fee, b.fee);
  assert.equal(a.fee, 326n + 1n + 2n * 42n, "1 resonance per byte of a two-output funding spend");
  // 0.9 RNT (less the fee) to the funder's address, 0.1 RNT to the fundee's.
  const paid = new Map(a.tx.outputs.map((o) => [toHex(o.address.hash), o.value]));
  assert.equal(paid.get(toHex(addressOf(funder.localShutdown!).hash)), 90_000_000n - a.fee);
  assert.equal(paid.get(toHex(addressOf(fundee.localShutdown!).hash)), 10_000_000n);
  const hash = sighash(MAGIC, a.tx, 0, [fundingOf(funder).output]);
  assert.ok(
    verify(
      signFundingSpendOf(fundee, MAGIC, b.tx),
      hash,
      funder.state.config.remoteParams.fundingKey,
    ),
  );
  assert.ok(
    verify(
      signFundingSpendOf(funder, MAGIC, a.tx),
      hash,
      fundee.state.config.remoteParams.fundingKey,
    ),
  );
  const { remoteShutdown: _, ...withoutPeerAddress } = funder;
  assert.throws(() => cooperativeCloseOf(withoutPeerAddress), RangeError);
});

Deno.test("signedLocalCommitment() carries both funding signatures over the commitment's sighash", () => {
  const { funder } = openRecordPair();
  const tx = signedLocalCommitment(funder, MAGIC);
  assert.equal(tx.inputs.length, 1);
  assert.deepEqual(tx.inputs[0]!.prevout, funder.fundingOutpoint);
  const hash = sighash(MAGIC, { ...tx, witnesses: [] }, 0, [fundingOf(funder).output]);
  const c = funder.state.config;
  // The peer's signature (stored) and ours both verify on this very transaction.
  assert.ok(verify(funder.state.localCommit.signature, hash, c.remoteParams.fundingKey));
  assert.ok(verify(signFundingSpendOf(funder, MAGIC, tx), hash, c.localParams.fundingKey));
  assert.equal(tx.witnesses.length, 1);
});

Deno.test("ownOutputSweep() spends our to_owner output of that commitment; undefined when it is dust", () => {
  const { funder, fundee } = openRecordPair();
  const commitment = signedLocalCommitment(funder, MAGIC);
  const to = addressOf(funder.localShutdown!);
  const sweep = ownOutputSweep(funder, MAGIC, to, 1n)!;
  assert.equal(sweep.inputs.length, 1);
  assert.equal(toHex(sweep.inputs[0]!.prevout.txid), toHex(txid(MAGIC, commitment)));
  const spent = commitment.outputs[sweep.inputs[0]!.prevout.vout]!;
  assert.ok(spent.value > sweep.outputs[0]!.value, "the fee comes out of it");
  assert.ok(spent.value > 89_000_000n, "it is the funder's 0.9 RNT less the commitment fee");
  // A fundee with nothing in the channel has no output of its own to sweep.
  const empty = openRecordPair(10n ** 8n, 0n).fundee;
  assert.equal(ownOutputSweep(empty, MAGIC, to, 1n), undefined);
  assert.ok(ownOutputSweep(fundee, MAGIC, to, 1n));
});

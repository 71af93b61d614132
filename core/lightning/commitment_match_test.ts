import assert from "node:assert/strict";
import { REGTEST } from "../consensus/params.ts";
import { commitmentParams, pointAt, spec, testParty } from "./_channel_fixture.ts";
import { buildCommitmentTx } from "./commitment_tx.ts";
import { matchCommitment } from "./commitment_match.ts";
import type { HtlcSpec } from "./commitment_spec.ts";

const magic = REGTEST.magic;
const alice = testParty("alice", 600, 500n);
const bob = testParty("bob", 300, 300n);
const funding = { outpoint: { txid: new Uint8Array(32).fill(1), vout: 0 }, value: 500_000n };
const htlc = (id: bigint, offeredBy: "local" | "remote", hashByte: number): HtlcSpec => ({
  id,
  offeredBy,
  amountMres: 40_000_000n,
  paymentHash: new Uint8Array(32).fill(hashByte),
  expirySecs: 1_900_000_000,
});
const htlcs = [htlc(0n, "local", 1), htlc(0n, "remote", 2)];

Deno.test("matchCommitment() recognises every output of a commitment as the builder made it", () => {
  for (const owner of ["local", "remote"] as const) {
    const p = commitmentParams(alice, bob, owner, 3n, funding);
    const built = buildCommitmentTx(
      magic,
      spec(owner, 3n, 220_000_000n, 200_000_000n, 1_000n, htlcs),
      p,
    );
    const m = matchCommitment(built.tx, built.txid, {
      owner,
      local: alice.params,
      remote: bob.params,
      fundingValue: funding.value,
      ownerPerCommitmentPoint: p.ownerPerCommitmentPoint,
      htlcs,
    });
    assert.deepEqual(m.unrecognisedVouts, []);
    assert.deepEqual(
      m.commitment.outputs.map((o) => [o.vout, o.role, o.htlc?.paymentHash[0]]),
      built.outputs.map((o) => [o.vout, o.role, o.htlc?.paymentHash[0]]),
    );
    assert.deepEqual(m.commitment.keys, built.keys);
    assert.equal(m.commitment.feeResonances, built.feeResonances);
  }
});

Deno.test("matchCommitment() leaves HTLCs it was not told about and another point's outputs unrecognised", () => {
  const p = commitmentParams(alice, bob, "remote", 3n, funding);
  const built = buildCommitmentTx(
    magic,
    spec("remote", 3n, 220_000_000n, 200_000_000n, 1_000n, htlcs),
    p,
  );
  const base = {
    owner: "remote" as const,
    local: alice.params,
    remote: bob.params,
    fundingValue: funding.value,
  };
  const noHtlcs = matchCommitment(built.tx, built.txid, {
    ...base,
    ownerPerCommitmentPoint: p.ownerPerCommitmentPoint,
    htlcs: [],
  });
  assert.deepEqual(noHtlcs.commitment.outputs.map((o) => o.role).sort(), ["to-other", "to-owner"]);
  assert.equal(noHtlcs.unrecognisedVouts.length, 2);
  // Another commitment number's point: only to_other (our static payment key) still matches.
  const other = matchCommitment(built.tx, built.txid, {
    ...base,
    ownerPerCommitmentPoint: pointAt(bob, 4n),
    htlcs,
  });
  assert.deepEqual(other.commitment.outputs.map((o) => o.role), ["to-other"]);
});

import assert from "node:assert/strict";
import { keccak256d, toHex } from "../crypto/keccak.ts";
import { checkRecoveryPolicy } from "../consensus/check_recovery.ts";
import { MAINNET, REGTEST } from "../consensus/params.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { decodeTx, encodeTx } from "../primitives/tx.ts";
import { policyHash } from "../primitives/policy_codec.ts";
import { compareBytes } from "../primitives/satisfaction.ts";
import { commitmentParams, pointAt, spec, testParty } from "./_channel_fixture.ts";
import { commitmentKeys } from "./channel_policies.ts";
import type { HtlcSpec } from "./commitment_spec.ts";
import {
  buildCommitmentTx,
  commitmentNumberOf,
  fundingOutput,
  MRES_PER_RESONANCE,
} from "./commitment_tx.ts";

const magic = REGTEST.magic;
const alice = testParty("alice", 600, 500n);
const bob = testParty("bob", 900, 300n);
const funding = { outpoint: { txid: new Uint8Array(32).fill(7), vout: 1 }, value: 1_000_000n };

function htlc(
  offeredBy: "local" | "remote",
  id: bigint,
  amountMres: bigint,
  expirySecs: number,
): HtlcSpec {
  const preimage = new Uint8Array(32).fill(Number(id) + (offeredBy === "local" ? 1 : 100));
  return { id, offeredBy, amountMres, paymentHash: keccak256d(preimage), expirySecs };
}

const htlcs = [
  htlc("local", 0n, 50_000_999n, 2_000_000_000),
  htlc("local", 1n, 499_999n, 2_000_000_000), // 499 res: dust under alice's 500, not bob's 300
  htlc("remote", 0n, 70_000_000n, 2_000_000_100),
];

Deno.test("both sides build the same commitment bytes, from either point of view", () => {
  // Alice's node builds her own commitment; Bob's node builds it as the remote's.
  const aliceSpec = spec("local", 5n, 600_000_000n, 279_499_002n, 1_234n, htlcs);
  const mine = buildCommitmentTx(
    magic,
    aliceSpec,
    commitmentParams(alice, bob, "local", 5n, funding),
  );
  const flipped = htlcs.map((h) => ({
    ...h,
    offeredBy: h.offeredBy === "local" ? "remote" as const : "local" as const,
  }));
  const theirs = buildCommitmentTx(magic, { ...aliceSpec, owner: "remote", htlcs: flipped }, {
    ...commitmentParams(bob, alice, "remote", 5n, funding, "remote"),
    ownerPerCommitmentPoint: pointAt(alice, 5n),
  });
  assert.deepEqual(encodeTx(theirs.tx), encodeTx(mine.tx));
  assert.deepEqual(theirs.txid, mine.txid);
  assert.deepEqual(decodeTx(encodeTx(mine.tx)), mine.tx);
});

Deno.test("the commitment pays the fee from the funder, rounds down, trims dust and conserves value", () => {
  const s = spec("local", 5n, 600_000_000n, 279_499_002n, 1_234n, htlcs);
  for (const funder of ["local", "remote"] as const) {
    const c = buildCommitmentTx(
      magic,
      s,
      commitmentParams(alice, bob, "local", 5n, funding, funder),
    );
    const byRole = (r: string) => c.outputs.filter((o) => o.role === r).map((o) => o.output.value);
    assert.deepEqual(byRole("to-owner"), [600_000n - (funder === "local" ? 1_234n : 0n)]);
    assert.deepEqual(byRole("to-other"), [279_499n - (funder === "remote" ? 1_234n : 0n)]);
    assert.deepEqual(byRole("offered-htlc"), [50_000n]); // 50_000_999 mres rounds down
    assert.deepEqual(byRole("received-htlc"), [70_000n]);
    assert.deepEqual(c.trimmedHtlcs, [htlcs[1]]);
    const paid = c.tx.outputs.reduce((sum, o) => sum + o.value, 0n);
    assert.equal(paid + c.feeResonances, funding.value);
    // Fee = spec fee + the trimmed 499 + the three rounded-away fractions (0.999 + 0.999 + 0.002 res).
    assert.equal(c.feeResonances, 1_234n + 499n + 2n);
  }
  // The same HTLC is above Bob's lower dust limit on Bob's commitment.
  const bobs = buildCommitmentTx(
    magic,
    spec("remote", 5n, 279_499_002n, 600_000_000n, 1_234n, htlcs),
    commitmentParams(alice, bob, "remote", 5n, funding),
  );
  assert.deepEqual(bobs.trimmedHtlcs, []);
  assert.equal(bobs.outputs.filter((o) => o.htlc).length, 3);
});

Deno.test("outputs are sorted by value, then address, and each has its role's policy", () => {
  const c = buildCommitmentTx(
    magic,
    spec("local", 5n, 600_000_000n, 279_499_002n, 1_234n, htlcs),
    commitmentParams(alice, bob, "local", 5n, funding),
  );
  for (let i = 1; i < c.tx.outputs.length; i++) {
    const [a, b] = [c.tx.outputs[i - 1]!, c.tx.outputs[i]!];
    assert.ok(
      a.value < b.value ||
        (a.value === b.value && compareBytes(a.address.hash, b.address.hash) <= 0),
    );
  }
  const keys = commitmentKeys(alice.params, bob.params, pointAt(alice, 5n));
  assert.deepEqual(c.keys, keys);
  assert.equal(keys.toSelfDelaySecs, bob.params.toSelfDelaySecs);
  for (const o of c.outputs) {
    assert.equal(o.vout, c.outputs.indexOf(o));
    assert.equal(o.output.address.kind, RecoveryKind.contract);
    assert.deepEqual(o.output.address.hash, policyHash(o.policy));
    // Every policy passes the contract kind's mandatory-recovery rule on every network.
    checkRecoveryPolicy(RecoveryKind.contract, o.policy, MAINNET);
  }
  checkRecoveryPolicy(RecoveryKind.contract, c.fundingPolicy, MAINNET);
});

Deno.test("two identical HTLCs give two identical outputs, in spec order", () => {
  const twin = htlc("remote", 3n, 10_000_000n, 2_000_000_000);
  const twins = [twin, { ...twin, id: 4n }];
  const c = buildCommitmentTx(
    magic,
    spec("local", 0n, 600_000_000n, 380_000_000n, 0n, twins),
    commitmentParams(alice, bob, "local", 0n, funding),
  );
  const outs = c.outputs.filter((o) => o.htlc);
  assert.deepEqual(outs.map((o) => o.htlc!.id), [3n, 4n]);
  assert.deepEqual(outs[0]!.output, outs[1]!.output);
});

Deno.test("the commitment number reads back from sequence and locktime, obscured", () => {
  for (const n of [0n, 1n, 77n, (1n << 48n) - 1n]) {
    const c = buildCommitmentTx(
      magic,
      spec("local", n, 600_000_000n, 400_000_000n, 100n),
      commitmentParams(alice, bob, "local", 0n, funding),
    );
    assert.ok(c.tx.locktime < 2 ** 16);
    assert.equal(
      commitmentNumberOf(c.tx, alice.params.paymentBasepoint, bob.params.paymentBasepoint),
      n,
    );
  }
  const zero = buildCommitmentTx(
    magic,
    spec("local", 0n, 600_000_000n, 400_000_000n, 100n),
    commitmentParams(alice, bob, "local", 0n, funding),
  );
  // Obscured: commitment 0 is not written as zeros.
  assert.notEqual(zero.tx.inputs[0]!.sequence + zero.tx.locktime, 0);
});

Deno.test("bad commitment inputs are refused with a clear error", () => {
  const params = commitmentParams(alice, bob, "local", 0n, funding);
  assert.throws(
    () => buildCommitmentTx(magic, spec("local", 0n, 600_000_000n, 1n, 0n), params),
    /add up to/,
  );
  assert.throws(
    () => buildCommitmentTx(magic, spec("local", 0n, 1_000_000_001n, -1n, 0n), params),
    /negative/,
  );
  assert.throws(
    () =>
      buildCommitmentTx(magic, spec("local", 1n << 48n, 600_000_000n, 400_000_000n, 0n), params),
    /Commitment number/,
  );
  const tiny = { ...funding, value: 1n };
  assert.throws(
    () =>
      buildCommitmentTx(
        magic,
        spec("local", 0n, MRES_PER_RESONANCE, 0n, 0n),
        commitmentParams(alice, bob, "local", 0n, tiny),
      ),
    /dust/,
  );
  assert.throws(
    () => fundingOutput(alice.params.fundingKey, alice.params.fundingKey, 5n),
    /differ/,
  );
});

Deno.test("a fixed commitment keeps its txid (regression pin: both peers must build these bytes)", () => {
  // Pinned from this implementation when §9.7 was written; a change here breaks interoperability
  // with nodes built before it, so it must come with a protocol change.
  const c = buildCommitmentTx(
    magic,
    spec("local", 42n, 600_000_000n, 400_000_000n, 1_000n),
    commitmentParams(alice, bob, "local", 42n, funding),
  );
  assert.equal(encodeTx(c.tx).length, 139);
  assert.equal(
    toHex(c.txid),
    "8986c260714e9b9c1ffa278c959d29684f91ead6bf1939f8c8351cf52e304cb3",
  );
});

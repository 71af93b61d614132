import assert from "node:assert/strict";
import { keccak256d } from "../crypto/keccak.ts";
import { REGTEST } from "../consensus/params.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { commitmentParams, scalarsFor, spec, testParty } from "./_channel_fixture.ts";
import { buildCooperativeCloseTx, buildFundingRefreshTx } from "./channel_close.ts";
import {
  buildClaimTx,
  htlcSuccessClaim,
  htlcTimeoutClaim,
  toOtherClaim,
  toOwnerClaim,
} from "./commitment_claims.ts";
import {
  buildCommitmentTx,
  commitmentFeeResonances,
  fundingOutput,
  signedFundingSpendBytes,
  signFundingSpend,
  withFundingWitness,
} from "./commitment_tx.ts";
import { encodeTx } from "../primitives/tx.ts";

const magic = REGTEST.magic;
const alice = testParty("alice", 600, 500n);
const bob = testParty("bob", 900, 300n);
const funding = { outpoint: { txid: new Uint8Array(32).fill(7), vout: 0 }, value: 100_000n };
const aliceAddress = { kind: RecoveryKind.heartbeat, hash: new Uint8Array(32).fill(1) };
const bobAddress = { kind: RecoveryKind.social, hash: new Uint8Array(32).fill(2) };

function close(localMres: bigint, remoteMres: bigint, funder: "local" | "remote", fee: bigint) {
  return buildCooperativeCloseTx({
    fundingOutpoint: funding.outpoint,
    fundingValue: funding.value,
    localBalanceMres: localMres,
    remoteBalanceMres: remoteMres,
    localAddress: aliceAddress,
    remoteAddress: bobAddress,
    funder,
    feeResonances: fee,
    dustLimitResonances: 500n,
  });
}

Deno.test("a cooperative close takes the fee from the funder, rounds down, sorts and drops dust", () => {
  const a = close(60_000_999n, 39_999_001n, "local", 300n);
  assert.deepEqual(a.outputs, [
    { value: 39_999n, address: bobAddress },
    { value: 59_700n, address: aliceAddress },
  ]);
  assert.equal(a.locktime, 0);
  assert.deepEqual(a.inputs.map((i) => i.prevout), [funding.outpoint]);
  const b = close(60_000_000n, 40_000_000n, "remote", 300n);
  assert.deepEqual(b.outputs.map((o) => o.value), [39_700n, 60_000n]);
  // Bob's 499 resonances are dust: only Alice's output is left, the rest is fee.
  const dust = close(99_501_000n, 499_000n, "local", 100n);
  assert.deepEqual(dust.outputs, [{ value: 99_401n, address: aliceAddress }]);
});

Deno.test("a cooperative close refuses balances that do not add up, negative values and pending-recovery payees", () => {
  assert.throws(() => close(60_000_000n, 39_000_000n, "local", 0n), /add up/);
  assert.throws(() => close(100_000_001n, -1n, "local", 0n), /negative/);
  assert.throws(
    () =>
      buildCooperativeCloseTx({
        fundingOutpoint: funding.outpoint,
        fundingValue: funding.value,
        localBalanceMres: 100_000_000n,
        remoteBalanceMres: 0n,
        localAddress: { kind: RecoveryKind.pendingRecovery, hash: new Uint8Array(32) },
        remoteAddress: bobAddress,
        funder: "local",
        feeResonances: 0n,
        dustLimitResonances: 0n,
      }),
    /pending-recovery/,
  );
  assert.throws(() => close(100_000_000n, 0n, "local", 100_000n), /no output/);
});

Deno.test("a funding refresh keeps the funding address and takes only the fee", () => {
  const f = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, funding.value);
  const tx = buildFundingRefreshTx(funding.outpoint, f.output, 250n);
  assert.deepEqual(tx.outputs, [{ value: funding.value - 250n, address: f.output.address }]);
  assert.throws(() => buildFundingRefreshTx(funding.outpoint, f.output, funding.value), /fee/);
});

Deno.test("claim helpers refuse the wrong output, the wrong key and a fee above the value", () => {
  const htlc = {
    id: 0n,
    offeredBy: "local" as const,
    amountMres: 10_000_000n,
    paymentHash: keccak256d(new Uint8Array(32).fill(5)),
    expirySecs: 2_000_000_000,
  };
  const p = commitmentParams(alice, bob, "local", 0n, funding);
  const c = buildCommitmentTx(magic, spec("local", 0n, 50_000_000n, 40_000_000n, 0n, [htlc]), p);
  const a = scalarsFor(alice, p.ownerPerCommitmentPoint);
  const b = scalarsFor(bob, p.ownerPerCommitmentPoint);
  const htlcVout = c.outputs.find((o) => o.htlc)!.vout;
  const toOwnerVout = c.outputs.find((o) => o.role === "to-owner")!.vout;
  assert.throws(() => htlcTimeoutClaim(c, toOwnerVout, a.htlc), /not an HTLC/);
  assert.throws(() => htlcTimeoutClaim(c, 99, a.htlc), /not an HTLC/);
  assert.throws(() => toOwnerClaim(c, b.delayed), /delayed key/);
  // The success path of an HTLC Alice offered is Bob's, not hers.
  assert.throws(
    () => htlcSuccessClaim(c, htlcVout, a.htlc, new Uint8Array(32).fill(5)),
    /HTLC key/,
  );
  const sweep = toOtherClaim(c, b.payment);
  assert.throws(() => buildClaimTx(magic, [sweep], bobAddress, 40_000n), /do not cover/);
  assert.throws(() => buildClaimTx(magic, [], bobAddress, 0n), /at least one/);
  // A to_other output trimmed as dust cannot be claimed.
  const allAlice = buildCommitmentTx(magic, spec("local", 0n, 100_000_000n, 0n, 0n), p);
  assert.throws(() => toOtherClaim(allAlice, b.payment), /trimmed/);
});

Deno.test("commitmentFeeResonances() counts both balance outputs and every HTLC output", () => {
  assert.equal(commitmentFeeResonances(1n, 0), 327n + 84n);
  assert.equal(commitmentFeeResonances(2n, 3), 2n * (327n + 5n * 42n));
  assert.throws(() => commitmentFeeResonances(-1n, 0), /negative/);
});

Deno.test("signedFundingSpendBytes() matches a signed commitment with 300 outputs (3-byte output count)", () => {
  const many = Array.from({ length: 298 }, (_, i) => ({
    id: BigInt(i),
    offeredBy: "remote" as const,
    amountMres: 1_000_000n,
    paymentHash: keccak256d(new Uint8Array(32).fill(i % 256)),
    expirySecs: 2_000_000_000 + i,
  }));
  const big = { ...funding, value: 1_000_000n };
  const p = commitmentParams(alice, bob, "local", 0n, big);
  const c = buildCommitmentTx(
    magic,
    spec("local", 0n, 500_000_000n, 500_000_000n - 298n * 1_000_000n, 0n, many),
    p,
  );
  assert.equal(c.tx.outputs.length, 300);
  const sig = (k: typeof alice.funding) =>
    signFundingSpend(magic, c.tx, c.fundingOutput, k.secretKey, k.publicKey);
  const signed = withFundingWitness(c.tx, c.fundingPolicy, [sig(alice.funding), sig(bob.funding)]);
  assert.equal(encodeTx(signed).length, signedFundingSpendBytes(300));
  assert.equal(signedFundingSpendBytes(252), 327 + 42 * 252);
});

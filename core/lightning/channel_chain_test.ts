/**
 * Channel transactions against the chain's real validation: every transaction goes through
 * `checkTxInputs` with the real UTXO view and through whole-block connection (signatures batch-
 * verified) in a TestChain; the last test connects the same blocks in a LevelDB chainstate.
 */
import assert from "node:assert/strict";
import { keccak256d } from "../crypto/keccak.ts";
import { ValidationError } from "../errors.ts";
import { outpointKey } from "../consensus/chain_entry.ts";
import { checkTxInputs, inputAgeSecs } from "../consensus/check_tx_inputs.ts";
import { REGTEST } from "../consensus/params.ts";
import type { RejectReason } from "../consensus/reasons.ts";
import {
  heartbeatWallet,
  outputKey,
  TestChain,
  type TestWallet,
} from "../consensus/testing/block_builder.ts";
import { RecoveryKind } from "../primitives/address.ts";
import { encodeTx, type Tx, txSize } from "../primitives/tx.ts";
import { txid } from "../primitives/tx_hash.ts";
import {
  commitmentParams,
  revocationScalar,
  scalarsFor,
  secretAt,
  spec,
  testParty,
} from "./_channel_fixture.ts";
import { buildCooperativeCloseTx, buildFundingRefreshTx } from "./channel_close.ts";
import {
  buildClaimTx,
  buildClaimTxAtFeeRate,
  type ClaimInput,
  htlcSuccessClaim,
  htlcTimeoutClaim,
  penaltyClaims,
  toOtherClaim,
  toOwnerClaim,
} from "./commitment_claims.ts";
import type { HtlcSpec } from "./commitment_spec.ts";
import {
  buildCommitmentTx,
  commitmentFeeResonances,
  type CommitmentTx,
  fundingOutput,
  signedFundingSpendBytes,
  signFundingSpend,
  withFundingWitness,
} from "./commitment_tx.ts";
import { FIRST_COMMITMENT_INDEX, ShachainStore } from "./shachain.ts";
import { Mempool } from "../mempool/mempool.ts";

const params = REGTEST;
const magic = params.magic;
/** Alice funds; Bob makes her wait 900 s on her commitment, she makes him wait 600 s. */
const alice = testParty("alice", 600, 500n);
const bob = testParty("bob", 900, 300n);
const aliceWallet = heartbeatWallet(params, 0);
const bobWallet = heartbeatWallet(params, 1);
const FUNDING_VALUE = 1_000_000n;
const CLAIM_FEE = 200n;

interface Channel {
  chain: TestChain;
  funding: { outpoint: { txid: Uint8Array; vout: number }; value: bigint };
}

/**
 * A chain with a funding output from Alice's coinbase (blocks 60 s apart), confirmed unless
 * `confirmFunding` is false (then `fund` is the unmined funding transaction).
 */
async function openChannel(confirmFunding = true): Promise<Channel & { fund: Tx }> {
  const chain = new TestChain(params);
  for (let i = 0; i < 12; i++) await chain.mine();
  const cbKey = outputKey(params, chain.blocks[1]!.txs[0]!, 0);
  const cbValue = chain.view.get(cbKey)!.value;
  const f = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, FUNDING_VALUE);
  const fund = chain.spend(aliceWallet, [cbKey], [
    f.output,
    { value: cbValue - FUNDING_VALUE - 1_000n, address: aliceWallet.address },
  ]);
  if (confirmFunding) await chain.mine({ txs: [fund] });
  return {
    chain,
    fund,
    funding: { outpoint: { txid: txid(magic, fund), vout: 0 }, value: FUNDING_VALUE },
  };
}

/** A transaction spending the funding output, signed by both funding keys. */
function signedBoth(
  tx: Tx,
  c: { fundingOutput: CommitmentTx["fundingOutput"]; fundingPolicy: CommitmentTx["fundingPolicy"] },
): Tx {
  const a = signFundingSpend(
    magic,
    tx,
    c.fundingOutput,
    alice.funding.secretKey,
    alice.funding.publicKey,
  );
  const b = signFundingSpend(
    magic,
    tx,
    c.fundingOutput,
    bob.funding.secretKey,
    bob.funding.publicKey,
  );
  return withFundingWitness(tx, c.fundingPolicy, [a, b]);
}

/**
 * Runs the stage-3 rules on `tx` at the tip (real view), checks value conservation, then mines it
 * (whole-block validation with batch signature verification); returns the fee.
 */
async function confirm(chain: TestChain, tx: Tx): Promise<bigint> {
  const r = checkTxInputs(tx, chain.view, { params, parent: chain.tip });
  assert.equal(r.inputResonances, r.outputResonances + r.feeResonances);
  await chain.mine({ txs: [tx] });
  assert.ok(chain.view.get(outputKey(params, tx, 0)), "the transaction's output is unspent");
  return r.feeResonances;
}

/** Asserts a block holding `tx` is rejected for `reason` and the chain is unchanged. */
async function refused(chain: TestChain, tx: Tx, reason: RejectReason): Promise<void> {
  const height = chain.tip.height;
  await assert.rejects(
    () => chain.validate(chain.build({ txs: [tx], feesResonances: 0n })),
    (e) => e instanceof ValidationError && e.reason === reason,
  );
  assert.equal(chain.tip.height, height);
}

/** Mines empty blocks until `tx`'s first input is at least `ageSecs` old. */
async function ageTo(chain: TestChain, outKey: string, ageSecs: number): Promise<void> {
  while (inputAgeSecs(chain.tip, chain.view.get(outKey)!) < ageSecs) await chain.mine();
}

function key(c: CommitmentTx, vout: number): string {
  return outpointKey({ txid: c.txid, vout });
}

function aliceCommitment(
  ch: Channel,
  n: bigint,
  htlcs: readonly HtlcSpec[] = [],
  toOther = 390_000_000n,
) {
  const held = htlcs.reduce((s, h) => s + h.amountMres, 0n);
  const s = spec("local", n, FUNDING_VALUE * 1000n - toOther - held, toOther, 2_000n, htlcs);
  return buildCommitmentTx(magic, s, commitmentParams(alice, bob, "local", n, ch.funding));
}

function preimageOf(i: number): Uint8Array {
  return new Uint8Array(32).fill(i);
}

function htlc(
  offeredBy: "local" | "remote",
  id: bigint,
  preimage: number,
  expirySecs: number,
): HtlcSpec {
  return {
    id,
    offeredBy,
    amountMres: 20_000_000n,
    paymentHash: keccak256d(preimageOf(preimage)),
    expirySecs,
  };
}

Deno.test("force close: Bob sweeps his balance at once, Alice's waits for to_self_delay", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const c = aliceCommitment(ch, 0n);
  const signed = signedBoth(c.tx, c);
  assert.equal(encodeTx(signed).length, signedFundingSpendBytes(c.tx.outputs.length));
  const fee = await confirm(chain, signed);
  assert.equal(fee, c.feeResonances);
  assert.equal(fee, 2_000n);

  const point = commitmentParams(alice, bob, "local", 0n, ch.funding).ownerPerCommitmentPoint;
  const bobKeys = scalarsFor(bob, point);
  const aliceKeys = scalarsFor(alice, point);
  // Bob's sweep pays 3 resonances per byte of its own size.
  const bobSweep = buildClaimTxAtFeeRate(
    magic,
    [toOtherClaim(c, bobKeys.payment)],
    bobWallet.address,
    3n,
  );
  assert.equal(await confirm(chain, bobSweep), 3n * BigInt(txSize(bobSweep)));

  const aliceSweep = buildClaimTx(
    magic,
    [toOwnerClaim(c, aliceKeys.delayed)],
    aliceWallet.address,
    CLAIM_FEE,
  );
  const toOwner = key(c, c.outputs.find((o) => o.role === "to-owner")!.vout);
  await ageTo(chain, toOwner, bob.params.toSelfDelaySecs - 60);
  await refused(chain, aliceSweep, "timelock-not-met");
  await ageTo(chain, toOwner, bob.params.toSelfDelaySecs);
  assert.equal(await confirm(chain, aliceSweep), CLAIM_FEE);
  // Alice cannot use Bob's delay-free path, nor Bob the revocation branch of an unrevoked state.
  assert.throws(() => toOtherClaim(c, aliceKeys.payment), /payment key/);
  assert.throws(
    () => penaltyClaims(c, revocationScalar(bob, alice, 1n), bobKeys.payment),
    /revocation key/,
  );
});

Deno.test("HTLC outputs: success needs the preimage, timeouts the expiry, the owner's paths also the delay", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const t0 = chain.tip.mtpSecs; // the commitment's outputs are created at this MTP
  const delay = bob.params.toSelfDelaySecs;
  const htlcs = [
    htlc("local", 0n, 1, t0 + 3_000), // offered by Alice: Bob takes it with preimage 1
    htlc("local", 1n, 2, t0 + 300), //  offered by Alice: she times it out (expiry before the delay)
    htlc("remote", 0n, 3, t0 + 3_000), // received by Alice: she takes it with preimage 3 after the delay
    htlc("remote", 1n, 4, t0 + 1_500), // received by Alice: Bob times it out at the expiry
  ];
  const c = aliceCommitment(ch, 0n, htlcs);
  await confirm(chain, signedBoth(c.tx, c));
  const point = commitmentParams(alice, bob, "local", 0n, ch.funding).ownerPerCommitmentPoint;
  const a = scalarsFor(alice, point);
  const b = scalarsFor(bob, point);
  const voutOf = (h: HtlcSpec) => c.outputs.find((o) => o.htlc === h)!.vout;
  const claimTx = (input: ClaimInput, to: TestWallet) =>
    buildClaimTx(magic, [input], to.address, CLAIM_FEE);

  // Offered HTLC 0: a wrong preimage is refused by the helper and by the chain; the right one pays Bob.
  assert.throws(() => htlcSuccessClaim(c, voutOf(htlcs[0]!), b.htlc, preimageOf(9)), /Preimage/);
  const right = htlcSuccessClaim(c, voutOf(htlcs[0]!), b.htlc, preimageOf(1));
  const wrongHash = claimTx({ ...right, preimages: [preimageOf(9)] }, bobWallet);
  await refused(chain, wrongHash, "bad-satisfaction");
  const noPreimage = claimTx({ ...right, preimages: [] }, bobWallet);
  await refused(chain, noPreimage, "bad-satisfaction");
  // The preimage of another HTLC opens no lock of this policy.
  await refused(
    chain,
    claimTx({ ...right, preimages: [preimageOf(3)] }, bobWallet),
    "bad-satisfaction",
  );
  await confirm(chain, claimTx(right, bobWallet));

  // Received HTLC 2: Alice has the preimage but must wait for the delay.
  const aliceSuccess = claimTx(
    htlcSuccessClaim(c, voutOf(htlcs[2]!), a.htlc, preimageOf(3)),
    aliceWallet,
  );
  await refused(chain, aliceSuccess, "timelock-not-met");

  // Offered HTLC 1: its expiry passes first, but Alice's timeout also waits for the delay.
  const aliceTimeout = claimTx(htlcTimeoutClaim(c, voutOf(htlcs[1]!), a.htlc), aliceWallet);
  const out1 = key(c, voutOf(htlcs[1]!));
  while (chain.tip.mtpSecs < htlcs[1]!.expirySecs) await chain.mine();
  assert.ok(inputAgeSecs(chain.tip, chain.view.get(out1)!) < delay);
  await refused(chain, aliceTimeout, "timelock-not-met");
  // Bob cannot time out an HTLC Alice offered (that path is hers).
  assert.throws(() => htlcTimeoutClaim(c, voutOf(htlcs[1]!), b.htlc), /HTLC key/);
  await ageTo(chain, out1, delay);
  await confirm(chain, aliceTimeout);
  await confirm(chain, aliceSuccess);

  // Received HTLC 3: Bob's timeout opens at its expiry, not before.
  const bobTimeout = claimTx(htlcTimeoutClaim(c, voutOf(htlcs[3]!), b.htlc), bobWallet);
  assert.ok(chain.tip.mtpSecs < htlcs[3]!.expirySecs);
  await refused(chain, bobTimeout, "timelock-not-met");
  while (chain.tip.mtpSecs < htlcs[3]!.expirySecs) await chain.mine();
  await confirm(chain, bobTimeout);
});

Deno.test("penalty: a revoked commitment loses every output to the other side, whose key needs the revealed secret", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const t0 = chain.tip.mtpSecs;
  const htlcs = [htlc("local", 0n, 1, t0 + 100), htlc("remote", 0n, 2, t0 + 100)];
  const old = aliceCommitment(ch, 0n, htlcs, 100_000_000n);
  const signedOld = signedBoth(old.tx, old);
  // The channel moves on to commitment 1 and Alice revokes 0 by revealing its secret; Bob keeps
  // it in his shachain store.
  const store = new ShachainStore();
  store.insert(FIRST_COMMITMENT_INDEX, secretAt(alice, 0n));
  const revealed = store.secretAt(FIRST_COMMITMENT_INDEX);
  assert.deepEqual(revealed, secretAt(alice, 0n));

  // Alice cheats: she publishes the revoked commitment 0 (more to her than commitment 1 gives).
  await confirm(chain, signedOld);
  const b = scalarsFor(
    bob,
    commitmentParams(alice, bob, "local", 0n, ch.funding).ownerPerCommitmentPoint,
  );
  // Without the secret nobody has the revocation key: not Bob's basepoint secret, not the key
  // of a commitment not yet revoked, not any of Alice's own keys.
  for (
    const wrong of [
      bob.revocationSecret,
      revocationScalar(bob, alice, 1n),
      alice.revocationSecret,
      b.htlc,
    ]
  ) {
    assert.throws(() => penaltyClaims(old, wrong, b.payment), /revocation key/);
  }
  // A revocation-branch spend signed by a wrong key is refused by the chain.
  const toOwnerOut = old.outputs.find((o) => o.role === "to-owner")!;
  const forged = buildClaimTx(
    magic,
    [{
      outpoint: { txid: old.txid, vout: toOwnerOut.vout },
      output: toOwnerOut.output,
      policy: toOwnerOut.policy,
      scalars: [bob.revocationSecret],
      preimages: [],
    }],
    bobWallet.address,
    CLAIM_FEE,
  );
  await refused(chain, forged, "bad-satisfaction");

  const rev = revocationScalar(bob, alice, 0n);
  const claims = penaltyClaims(old, rev, b.payment);
  assert.equal(claims.length, old.outputs.length);
  assert.equal(old.outputs.length, 4);
  const penalty = buildClaimTx(magic, claims, bobWallet.address, CLAIM_FEE);
  // Immediately (one block later; the to_other output is older(1)): no delay, no expiry.
  assert.equal(await confirm(chain, penalty), CLAIM_FEE);
  const taken = old.tx.outputs.reduce((s, o) => s + o.value, 0n);
  assert.equal(penalty.outputs[0]!.value, taken - CLAIM_FEE);
  for (const o of old.outputs) assert.equal(chain.view.get(key(old, o.vout)), undefined);
});

Deno.test("cooperative close pays both at once; a refresh re-creates the funding output and kills old commitments", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const f = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, FUNDING_VALUE);
  const c0 = aliceCommitment(ch, 0n);

  // Refresh (the channel heartbeat): same policy, new outpoint.
  const refresh = signedBoth(buildFundingRefreshTx(ch.funding.outpoint, f.output, 1_000n), {
    fundingOutput: f.output,
    fundingPolicy: f.policy,
  });
  assert.equal(await confirm(chain, refresh), 1_000n);
  await refused(chain, signedBoth(c0.tx, c0), "bad-txns-inputs-missingorspent");
  assert.deepEqual(refresh.outputs[0]!.address, f.output.address);

  // The current state, re-signed on the new outpoint (Alice, the funder, bore the refresh fee).
  const moved: Channel = {
    chain,
    funding: { outpoint: { txid: txid(magic, refresh), vout: 0 }, value: FUNDING_VALUE - 1_000n },
  };
  const close = buildCooperativeCloseTx({
    fundingOutpoint: moved.funding.outpoint,
    fundingValue: moved.funding.value,
    localBalanceMres: 608_999_500n,
    remoteBalanceMres: 390_000_500n,
    localAddress: aliceWallet.address,
    remoteAddress: bobWallet.address,
    funder: "local",
    feeResonances: 300n,
    dustLimitResonances: 500n,
  });
  assert.deepEqual(close.outputs.map((o) => o.value), [390_000n, 608_699n]);
  const g = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, moved.funding.value);
  assert.equal(
    await confirm(chain, signedBoth(close, { fundingOutput: g.output, fundingPolicy: g.policy })),
    301n,
  );
  // Alice's wallet output is spendable by Alice alone, at once (it is her heartbeat wallet).
  const spend = chain.spend(aliceWallet, [outputKey(params, close, 1)], [{
    value: 608_000n,
    address: aliceWallet.address,
  }]);
  await confirm(chain, spend);
});

Deno.test("a funding spend needs both funding keys, each signing this very transaction", async () => {
  const ch = await openChannel();
  const c = aliceCommitment(ch, 0n);
  const a = signFundingSpend(
    magic,
    c.tx,
    c.fundingOutput,
    alice.funding.secretKey,
    alice.funding.publicKey,
  );
  const onlyAlice = {
    ...c.tx,
    witnesses: [{ policy: c.fundingPolicy, satisfaction: { signatures: [a], preimages: [] } }],
  };
  await refused(ch.chain, onlyAlice, "bad-satisfaction");
  // Bob's signature on a different commitment does not count for this one.
  const other = aliceCommitment(ch, 1n);
  const bOther = signFundingSpend(
    magic,
    other.tx,
    c.fundingOutput,
    bob.funding.secretKey,
    bob.funding.publicKey,
  );
  await refused(
    ch.chain,
    withFundingWitness(c.tx, c.fundingPolicy, [a, bOther]),
    "bad-satisfaction",
  );
});

Deno.test("a commitment cannot confirm in the funding's own block (older(1) on the funding output)", async () => {
  const ch = await openChannel(false);
  const c = aliceCommitment(ch, 0n);
  const both = ch.chain.build({ txs: [ch.fund, signedBoth(c.tx, c)] });
  await assert.rejects(
    () => ch.chain.validate(both),
    (e) => e instanceof ValidationError && e.reason === "timelock-not-met",
  );
  await ch.chain.mine({ txs: [ch.fund] });
  await confirm(ch.chain, signedBoth(c.tx, c));
});

Deno.test("Bob's commitment, built on Alice's node as the remote's: Alice's balance (she funds) pays the fee, and she punishes it too", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const s = spec("remote", 0n, 390_000_000n, 610_000_000n, 2_000n);
  const p = commitmentParams(alice, bob, "remote", 0n, ch.funding);
  const c = buildCommitmentTx(magic, s, p);
  const toOther = c.outputs.find((o) => o.role === "to-other")!;
  assert.equal(toOther.output.value, 610_000n - 2_000n);
  await confirm(chain, signedBoth(c.tx, c));
  // Bob revoked it earlier; Alice takes both outputs with his revealed secret.
  const rev = revocationScalar(alice, bob, 0n);
  const penalty = buildClaimTx(
    magic,
    penaltyClaims(c, rev, scalarsFor(alice, p.ownerPerCommitmentPoint).payment),
    aliceWallet.address,
    CLAIM_FEE,
  );
  assert.equal(await confirm(chain, penalty), CLAIM_FEE);
  assert.equal(penalty.outputs[0]!.value, FUNDING_VALUE - 2_000n - CLAIM_FEE);
});

Deno.test("the channel heartbeat: an unrefreshed funding output is swept into the emission pool, a refreshed one is not", async () => {
  const sweepOf = (outpoint: { txid: Uint8Array; vout: number }): Tx => ({
    version: 1,
    inputs: [{ prevout: outpoint, sequence: 0 }],
    outputs: [{ value: 0n, address: { kind: RecoveryKind.heartbeat, hash: new Uint8Array(32) } }],
    locktime: 0,
    witnesses: [],
  });
  const ch = await openChannel();
  const { chain } = ch;
  const fundingKey = outpointKey(ch.funding.outpoint);
  const f = fundingOutput(alice.params.fundingKey, bob.params.fundingKey, FUNDING_VALUE);
  // Shortly before emissionReturnAgeSecs the two sides refresh the funding output.
  await ageTo(chain, fundingKey, params.emissionReturnAgeSecs - 120);
  await refused(chain, sweepOf(ch.funding.outpoint), "bad-emission-sweep");
  const refresh = signedBoth(buildFundingRefreshTx(ch.funding.outpoint, f.output, 1_000n), {
    fundingOutput: f.output,
    fundingPolicy: f.policy,
  });
  await confirm(chain, refresh);
  const renewed = { txid: txid(magic, refresh), vout: 0 };
  await ageTo(chain, outpointKey(renewed), 120);
  // The old outpoint's age no longer matters; the new one is young: no miner may sweep it.
  await refused(chain, sweepOf(renewed), "bad-emission-sweep");

  // A channel nobody refreshes: once the funding output is emissionReturnAgeSecs old a miner
  // sweeps it, and the commitment both sides hold spends nothing any more.
  const lost = await openChannel();
  const c = aliceCommitment(lost, 0n);
  await ageTo(lost.chain, outpointKey(lost.funding.outpoint), params.emissionReturnAgeSecs);
  await lost.chain.mine({ txs: [sweepOf(lost.funding.outpoint)] });
  assert.equal(lost.chain.view.get(outpointKey(lost.funding.outpoint)), undefined);
  await refused(lost.chain, signedBoth(c.tx, c), "bad-txns-inputs-missingorspent");
});

Deno.test("in the mempool: a commitment at the relay fee rate is accepted, the penalty chains on it at once, to_other waits for a block", async () => {
  const ch = await openChannel();
  const { chain } = ch;
  const pool = new Mempool({
    params,
    tip: () => chain.tip,
    getUtxos: (ops) => Promise.resolve(ops.map((op) => chain.view.get(outpointKey(op)))),
  });
  const n = 0n;
  const s = spec(
    "local",
    n,
    600_000_000n,
    400_000_000n,
    commitmentFeeResonances(params.minRelayFeePerByte, 0),
  );
  const c = buildCommitmentTx(magic, s, commitmentParams(alice, bob, "local", n, ch.funding));
  await pool.acceptTx(signedBoth(c.tx, c));
  // Alice had revoked it: Bob's penalty on to_owner needs no confirmation of the commitment...
  const b = scalarsFor(
    bob,
    commitmentParams(alice, bob, "local", n, ch.funding).ownerPerCommitmentPoint,
  );
  const revocationClaims = penaltyClaims(c, revocationScalar(bob, alice, n), b.payment);
  const takeToOwner = revocationClaims.find((i) =>
    c.outputs[i.outpoint.vout]!.role === "to-owner"
  )!;
  const takeToOther = toOtherClaim(c, b.payment);
  await pool.acceptTx(buildClaimTxAtFeeRate(magic, [takeToOwner], bobWallet.address, 2n));
  // ...while his to_other (older(1)) cannot spend an unconfirmed output.
  await assert.rejects(
    () => pool.acceptTx(buildClaimTxAtFeeRate(magic, [takeToOther], bobWallet.address, 2n)),
    (e) => e instanceof ValidationError && e.reason === "timelock-not-met",
  );
});

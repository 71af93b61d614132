/**
 * HTLC outputs of a published commitment resolved by the chain watcher, on real parts (a
 * Chainstate on LevelDB, the real Mempool and its validation, the channel store): the claims
 * htlc_claims.ts plans go through the mempool only once their timelocks hold (a claim built
 * earlier is refused there with `timelock-not-met`), and spends of the HTLC outputs we offered
 * are reported with the preimage the peer's witness reveals.
 */
import assert from "node:assert/strict";
import { heartbeatWallet } from "../../core/consensus/testing/block_builder.ts";
import { keccak256d, toHex } from "../../core/crypto/keccak.ts";
import {
  buildClaimTxAtFeeRate,
  htlcSuccessClaim,
  htlcTimeoutClaim,
} from "../../core/lightning/commitment_claims.ts";
import { derivePrivateKey } from "../../core/lightning/commitment_keys.ts";
import type { HtlcSpec } from "../../core/lightning/commitment_spec.ts";
import type { CommitmentTx } from "../../core/lightning/commitment_tx.ts";
import { ValidationError } from "../../core/errors.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import { ChainWatcher, type HtlcResolution } from "./chain_watcher.ts";
import { ChannelStore } from "./channel_store.ts";
import { htlcClaims, offeredHtlcSpends } from "./htlc_claims.ts";
import { LineLog, OUR_WAIT_SECS, ours, params, peer, WatchWorld } from "./_watch_fixture.ts";

const sweepTo = heartbeatWallet(params, 5).address;
const preimage = (n: number) => new Uint8Array(32).fill(n);

function htlc(offeredBy: "local" | "remote", id: bigint, n: number, expirySecs: number): HtlcSpec {
  return {
    id,
    offeredBy,
    amountMres: 40_000_000n + BigInt(n) * 1_000_000n,
    paymentHash: keccak256d(preimage(n)),
    expirySecs,
  };
}

/** A channel whose commitments 1 carry `htlcs`; returns the record and both commitments. */
function channel(w: WatchWorld, htlcs: readonly HtlcSpec[]) {
  const held = htlcs.reduce((s, h) => s + h.amountMres, 0n);
  const remote1 = w.commitment("remote", 1n, 150_000_000n, 350_000_000n - held, htlcs);
  const local1 = w.commitment("local", 1n, 350_000_000n - held, 150_000_000n, htlcs);
  return { remote1, local1, record: w.record(local1.ref, remote1.ref) };
}

async function watch(
  w: WatchWorld,
  store: ChannelStore,
  log: LineLog,
  known: readonly number[],
  resolved: HtlcResolution[],
): Promise<ChainWatcher> {
  return await ChainWatcher.start({
    chain: w.cs,
    mempool: w.pool,
    store,
    keys: ours,
    sweepAddress: () => sweepTo,
    logger: log,
    claimOwnCommitment: false,
    preimageOf: (hash) => known.map(preimage).find((p) => toHex(keccak256d(p)) === toHex(hash)),
    onHtlcResolved: (r) => {
      resolved.push(r);
      return Promise.resolve();
    },
  });
}

function voutOfHtlc(built: CommitmentTx, h: HtlcSpec): number {
  return built.outputs.find((o) => o.htlc?.id === h.id && o.htlc.offeredBy === h.offeredBy)!.vout;
}

function spenderIn(w: WatchWorld, txidBytes: Uint8Array, vout: number): Tx | undefined {
  const id = w.pool.spenderOf({ txid: txidBytes, vout });
  return w.pool.entries().find((e) => toHex(e.txid) === id)?.tx;
}

async function refusedFor(w: WatchWorld, tx: Tx): Promise<string> {
  try {
    await w.pool.acceptTx(tx);
  } catch (e) {
    if (e instanceof ValidationError) return e.reason;
    throw e;
  }
  return "accepted";
}

Deno.test("the peer's commitment: our success claim goes at once, our timeout claim at the expiry (after a restart) and is reported when mined", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  const resolved: HtlcResolution[] = [];
  try {
    const t0 = w.cs.tip().mtpSecs;
    const theirs = htlc("remote", 0n, 1, t0 + 100_000); // the peer offered it; we know preimage 1
    const unknown = htlc("remote", 1n, 2, t0 + 100_000); // preimage 2 unknown: left alone
    const mine = htlc("local", 0n, 3, t0 + 900); // we offered it: ours again at the expiry
    const c = channel(w, [theirs, unknown, mine]);
    let store = await ChannelStore.open(`${w.dir}/node`, ours.storeKey());
    await store.saveChannel(c.record);
    let watcher = await watch(w, store, log, [1], resolved);
    await w.mine([c.remote1.signed]);
    await watcher.settled();
    const built = c.remote1.built;
    const voutOf = (h: HtlcSpec) => voutOfHtlc(built, h);

    // The success path needs no wait: submitted in the commitment's own tip change.
    const success = spenderIn(w, built.txid, voutOf(theirs));
    assert.ok(success, log.lines.join("\n"));
    assert.equal(success.witnesses.length, success.inputs.length);
    assert.equal(spenderIn(w, built.txid, voutOf(unknown)), undefined);
    assert.equal(log.with("HTLC 0 success").length, 1, log.lines.join("\n"));

    // The timeout path waits for the expiry: built by hand before it, the mempool refuses it.
    const scalar = derivePrivateKey(ours.channelSecrets(0).htlcSecret, c.remote1.ref.point);
    const early = buildClaimTxAtFeeRate(
      params.magic,
      [htlcTimeoutClaim(built, voutOf(mine), scalar)],
      sweepTo,
      2n,
    );
    assert.equal(await refusedFor(w, early), "timelock-not-met");
    await w.mine();
    await watcher.settled();
    assert.ok(w.cs.tip().mtpSecs < mine.expirySecs);
    assert.equal(spenderIn(w, built.txid, voutOf(mine)), undefined, "timeout claimed early");
    // The node goes down before the expiry and comes back after it: the claim is rebuilt from
    // the stored notes and submitted by the restart's first run.
    await watcher.stop();
    await store.close();
    while (w.cs.tip().mtpSecs < mine.expirySecs) await w.mine();
    store = await ChannelStore.open(`${w.dir}/node`, ours.storeKey());
    watcher = await watch(w, store, log, [1], resolved);
    const timeout = spenderIn(w, built.txid, voutOf(mine));
    assert.ok(timeout, log.lines.join("\n"));
    assert.equal(log.with("HTLC 0 timeout").length, 1, log.lines.join("\n"));
    assert.equal(resolved.length, 0);
    await w.mine();
    await watcher.settled();
    assert.ok(await w.cs.txBlock(txid(params.magic, timeout)));
    assert.equal(resolved.length, 1);
    assert.equal(resolved[0]!.htlc.id, 0n);
    assert.equal(resolved[0]!.htlc.offeredBy, "local");
    assert.equal(resolved[0]!.preimage, undefined);
    assert.equal(log.with("timed out on chain").length, 1);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("our commitment: the success claim waits for the delay; the peer's success claim reveals the preimage of the HTLC we offered, which then claims an HTLC with its hash", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  const resolved: HtlcResolution[] = [];
  try {
    const t0 = w.cs.tip().mtpSecs;
    const theirs = htlc("remote", 0n, 1, t0 + 100_000);
    const mine = htlc("local", 0n, 3, t0 + 100_000);
    // Offered to us with the payment hash of `mine` (as a forward's incoming HTLC would be): its
    // preimage, unknown to the node, is read from the peer's claim of `mine`.
    const forwarded = { ...htlc("remote", 1n, 3, t0 + 100_000), amountMres: 30_000_000n };
    const c = channel(w, [theirs, forwarded, mine]);
    const store = await ChannelStore.open(`${w.dir}/node`, ours.storeKey());
    await store.saveChannel(c.record);
    const watcher = await watch(w, store, log, [1], resolved);
    await w.mine([c.local1.signed]);
    await watcher.settled();
    const built = c.local1.built;
    const voutOf = (h: HtlcSpec) => voutOfHtlc(built, h);
    const created = (await w.cs.getUtxo({ txid: built.txid, vout: voutOf(theirs) }))!;

    // The peer takes the HTLC we offered with its preimage at once (its key on our commitment).
    const peerScalar = derivePrivateKey(peer.channelSecrets(0).htlcSecret, c.local1.ref.point);
    const peerClaim = buildClaimTxAtFeeRate(
      params.magic,
      [htlcSuccessClaim(built, voutOf(mine), peerScalar, preimage(3))],
      heartbeatWallet(params, 6).address,
      2n,
    );
    assert.deepEqual(offeredHtlcSpends(built, peerClaim).map((s) => s.preimage), [preimage(3)]);
    await w.pool.acceptTx(peerClaim);

    // Our success path on our own commitment waits toSelfDelay: refused early, then submitted.
    const ourScalar = derivePrivateKey(ours.channelSecrets(0).htlcSecret, c.local1.ref.point);
    const early = buildClaimTxAtFeeRate(
      params.magic,
      [htlcSuccessClaim(built, voutOf(theirs), ourScalar, preimage(1))],
      sweepTo,
      2n,
    );
    assert.equal(await refusedFor(w, early), "timelock-not-met");
    await w.mine();
    await watcher.settled();
    assert.equal(resolved.length, 1, log.lines.join("\n"));
    assert.deepEqual(resolved[0]!.preimage, preimage(3));
    assert.equal(resolved[0]!.htlc.id, 0n);
    assert.deepEqual(resolved[0]!.txid, txid(params.magic, peerClaim));
    assert.equal(log.with("taken by the peer with its preimage").length, 1);
    while (w.cs.tip().mtpSecs - created.createdMtpSecs < OUR_WAIT_SECS) {
      assert.equal(spenderIn(w, built.txid, voutOf(theirs)), undefined, "claimed before delay");
      await w.mine();
      await watcher.settled();
    }
    const success = spenderIn(w, built.txid, voutOf(theirs));
    assert.ok(success, log.lines.join("\n"));
    // One claim takes both HTLCs offered to us; the to_owner output is the service's to sweep
    // (claimOwnCommitment false): not in it.
    assert.deepEqual(
      success.inputs.map((i) => i.prevout.vout).sort(),
      [voutOf(theirs), voutOf(forwarded)].sort(),
    );
    assert.deepEqual(
      success.witnesses.flatMap((wi) => wi.satisfaction.preimages).map(toHex).sort(),
      [preimage(1), preimage(3)].map(toHex).sort(),
    );
    await w.mine();
    await watcher.settled();
    assert.ok(await w.cs.txBlock(txid(params.magic, success)));

    // A restart rebuilds the plan from the notes: nothing is left to claim, nothing resubmitted.
    await watcher.stop();
    const before = log.with("submitted").length;
    const again = await watch(w, store, log, [1], resolved);
    await w.mine();
    await again.settled();
    assert.equal(log.with("submitted").length, before);
    await again.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("htlcClaims plans only our paths: the key of the owner's point, a preimage only when it hashes right", async () => {
  const w = await WatchWorld.create();
  try {
    const t0 = w.cs.tip().mtpSecs;
    const hs = [htlc("remote", 0n, 1, t0 + 50), htlc("local", 0n, 3, t0 + 70)];
    const c = channel(w, hs);
    const htlcSecret = ours.channelSecrets(0).htlcSecret;
    const wrong = () => preimage(9);
    const onRemote = htlcClaims(c.remote1.built, "remote", c.remote1.ref.point, htlcSecret, wrong);
    assert.deepEqual(
      onRemote.map((p) => [p.path, p.htlc.id, p.notBeforeMtpSecs, p.minAgeSecs]),
      [["timeout", 0n, t0 + 70, 0]],
    );
    const right = (h: Uint8Array) =>
      toHex(h) === toHex(hs[0]!.paymentHash) ? preimage(1) : undefined;
    const onLocal = htlcClaims(c.local1.built, "local", c.local1.ref.point, htlcSecret, right);
    assert.deepEqual(
      onLocal.map((p) => [p.path, p.htlc.offeredBy, p.notBeforeMtpSecs, p.minAgeSecs]).sort(),
      [["success", "remote", 0, OUR_WAIT_SECS], ["timeout", "local", t0 + 70, OUR_WAIT_SECS]],
    );
    // The peer's point is not ours to sign with on our commitment: the builder says so.
    assert.throws(
      () => htlcClaims(c.local1.built, "local", c.remote1.ref.point, htlcSecret, right),
      /HTLC key/,
    );
  } finally {
    await w.destroy();
  }
});

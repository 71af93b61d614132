/**
 * The chain watcher on real parts: a Chainstate on LevelDB in a temp dir, a real Mempool, the
 * channel store on LevelDB, blocks with real checkpoints, commitments signed by both funding keys.
 */
import assert from "node:assert/strict";
import { heartbeatWallet } from "../../core/consensus/testing/block_builder.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { derivePrivateKey } from "../../core/lightning/commitment_keys.ts";
import { buildClaimTxAtFeeRate, toOwnerClaim } from "../../core/lightning/commitment_claims.ts";
import {
  buildCooperativeCloseTx,
  buildFundingRefreshTx,
} from "../../core/lightning/channel_close.ts";
import { fundingOutput } from "../../core/lightning/commitment_tx.ts";
import { txid } from "../../core/primitives/tx_hash.ts";
import type { Tx } from "../../core/primitives/tx.ts";
import { ChainWatcher } from "./chain_watcher.ts";
import { ChannelStore } from "./channel_store.ts";
import { decodeStaticBackup, encodeStaticBackup, restoredRecord } from "./static_backup.ts";
import {
  LineLog,
  OUR_WAIT_SECS,
  ourParams,
  ours,
  params,
  peerHtlc,
  peerParams,
  WatchWorld,
} from "./_watch_fixture.ts";

const sweepTo = heartbeatWallet(params, 5).address;

/** The channel at commitment 1 on both sides (peer's 0 revoked), and the revoked commitment 0. */
function channel(w: WatchWorld) {
  const revoked = w.commitment("remote", 0n, 200_000_000n, 250_000_000n, [peerHtlc]);
  const remote1 = w.commitment("remote", 1n, 150_000_000n, 350_000_000n);
  const local1 = w.commitment("local", 1n, 350_000_000n, 150_000_000n);
  return { revoked, remote1, local1, record: w.record(local1.ref, remote1.ref) };
}

async function openStore(w: WatchWorld): Promise<ChannelStore> {
  return await ChannelStore.open(`${w.dir}/node`, ours.storeKey());
}

function startWatcher(
  w: WatchWorld,
  store: ChannelStore,
  log: LineLog,
  claimOwnCommitment?: boolean,
): Promise<ChainWatcher> {
  return ChainWatcher.start({
    chain: w.cs,
    mempool: w.pool,
    store,
    keys: ours,
    sweepAddress: () => sweepTo,
    logger: log,
    ...claimOwnCommitment === undefined ? {} : { claimOwnCommitment },
  });
}

/** The transaction in the mempool spending `txidBytes:vout`, or undefined. */
function pooledSpender(w: WatchWorld, txidBytes: Uint8Array, vout: number): Tx | undefined {
  const id = w.pool.spenderOf({ txid: txidBytes, vout });
  return w.pool.entries().find((e) => toHex(e.txid) === id)?.tx;
}

Deno.test("ChainWatcher punishes a mined revoked commitment: the penalty takes every output", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record, [{ number: 0n, htlcs: [peerHtlc] }]);
    const watcher = await startWatcher(w, store, log);

    await w.mine([c.revoked.signed]);
    await watcher.settled();
    assert.equal(log.with("REVOKED commitment 0").length, 1, log.lines.join("\n"));
    const revokedId = c.revoked.built.txid;
    const penalty = pooledSpender(w, revokedId, 0);
    assert.ok(penalty, `no penalty in the mempool:\n${log.lines.join("\n")}`);
    // One transaction spends all three outputs: to_owner and the HTLC by the revocation key,
    // our to_other by our payment key.
    assert.equal(c.revoked.built.outputs.length, 3);
    assert.deepEqual(
      penalty.inputs.map((i) => i.prevout.vout).sort(),
      c.revoked.built.outputs.map((o) => o.vout).sort(),
    );
    for (const i of penalty.inputs) assert.deepEqual(i.prevout.txid, revokedId);
    assert.deepEqual(penalty.outputs[0]!.address, sweepTo);

    await w.mine();
    await watcher.settled();
    const penaltyId = txid(params.magic, penalty);
    assert.ok(await w.cs.txBlock(penaltyId), "penalty not mined");
    const swept = await w.cs.getUtxo({ txid: penaltyId, vout: 0 });
    const total = c.revoked.built.outputs.reduce((s, o) => s + o.output.value, 0n);
    assert.ok(swept && swept.value < total && swept.value > total - 10_000n);
    for (const o of c.revoked.built.outputs) {
      assert.equal(await w.cs.getUtxo({ txid: revokedId, vout: o.vout }), undefined);
    }
    assert.equal(log.with("penalty").filter((l) => l.includes("submitted")).length, 1);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher punishes a breach published while it was stopped (restart rescan)", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    let store = await openStore(w);
    await store.saveChannel(c.record, [{ number: 0n, htlcs: [peerHtlc] }]);
    let watcher = await startWatcher(w, store, log);
    await w.mine();
    await watcher.stop();
    await store.close();

    // The peer publishes its revoked commitment while our watcher is down; two more blocks follow.
    await w.mine([c.revoked.signed]);
    await w.mine([]);
    await w.mine([]);
    assert.equal(w.pool.count, 0);

    store = await openStore(w);
    watcher = await startWatcher(w, store, log);
    assert.equal(log.with("rescanning from height").length, 1, log.lines.join("\n"));
    assert.equal(log.with("REVOKED commitment 0").length, 1, log.lines.join("\n"));
    const penalty = pooledSpender(w, c.revoked.built.txid, 0);
    assert.ok(penalty, log.lines.join("\n"));
    assert.equal(penalty.inputs.length, 3);
    await w.mine();
    await watcher.settled();
    assert.ok(await w.cs.txBlock(txid(params.magic, penalty)), "penalty not mined");

    // A second restart finds the breach already noted and handled: no second penalty.
    await watcher.stop();
    await store.close();
    store = await openStore(w);
    const before = log.with("submitted").length;
    watcher = await startWatcher(w, store, log);
    await w.mine();
    await watcher.settled();
    assert.equal(log.with("submitted").length, before);
    assert.equal(log.with("REVOKED").length, 1);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher sweeps to_owner of our force close only once the delay has passed", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record);
    const watcher = await startWatcher(w, store, log);

    await w.mine([c.local1.signed]);
    await watcher.settled();
    assert.equal(log.with("our commitment 1 (force close)").length, 1, log.lines.join("\n"));
    const toOwner = c.local1.built.outputs.find((o) => o.role === "to-owner")!;
    const op = { txid: c.local1.built.txid, vout: toOwner.vout };
    const created = (await w.cs.getUtxo(op))!;
    // Before the delay: nothing submitted, and the mempool refuses the sweep if we try.
    const delayed = derivePrivateKey(ours.channelSecrets(0).delayedSecret, c.local1.ref.point);
    const early = buildClaimTxAtFeeRate(
      params.magic,
      [toOwnerClaim(c.local1.built, delayed)],
      sweepTo,
      2n,
    );
    await assert.rejects(() => w.pool.acceptTx(early));
    let blocks = 0;
    while (w.cs.tip().mtpSecs - created.createdMtpSecs < OUR_WAIT_SECS) {
      assert.equal(w.pool.spenderOf(op), undefined, "sweep submitted before the delay");
      await w.mine();
      await watcher.settled();
      blocks++;
    }
    assert.ok(blocks > 5, `the delay passed after ${blocks} blocks`);
    // The tip change that made it old enough submitted the sweep.
    const sweep = pooledSpender(w, op.txid, op.vout);
    assert.ok(sweep, log.lines.join("\n"));
    await w.mine();
    await watcher.settled();
    const out = await w.cs.getUtxo({ txid: txid(params.magic, sweep), vout: 0 });
    assert.ok(out && out.value > toOwner.output.value - 1_000n);
    assert.deepEqual(out.address, sweepTo);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher started with claimOwnCommitment false notes our force close and leaves its sweep", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record);
    const watcher = await startWatcher(w, store, log, false);
    await w.mine([c.local1.signed]);
    await watcher.settled();
    assert.equal(log.with("our commitment 1 (force close)").length, 1, log.lines.join("\n"));
    const toOwner = c.local1.built.outputs.find((o) => o.role === "to-owner")!;
    const op = { txid: c.local1.built.txid, vout: toOwner.vout };
    const created = (await w.cs.getUtxo(op))!;
    // Well past the delay: still nothing submitted (the Lightning service owns this claim).
    while (w.cs.tip().mtpSecs - created.createdMtpSecs < OUR_WAIT_SECS + 2) {
      await w.mine();
      await watcher.settled();
    }
    assert.equal(w.pool.spenderOf(op), undefined);
    assert.deepEqual(log.with("sweep"), []);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher sweeps to_other of the peer's current commitment", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record);
    const watcher = await startWatcher(w, store, log);
    await w.mine([c.remote1.signed]);
    await watcher.settled();
    assert.equal(log.with("the peer's commitment 1").length, 1, log.lines.join("\n"));
    const toOther = c.remote1.built.outputs.find((o) => o.role === "to-other")!;
    // older(1): claimable in the block after the commitment's at the latest.
    if (!pooledSpender(w, c.remote1.built.txid, toOther.vout)) {
      await w.mine();
      await watcher.settled();
    }
    const sweep = pooledSpender(w, c.remote1.built.txid, toOther.vout);
    assert.ok(sweep, log.lines.join("\n"));
    assert.equal(sweep.inputs.length, 1);
    await w.mine();
    assert.ok(await w.cs.txBlock(txid(params.magic, sweep)));
    // The peer's to_owner is not ours: nothing else is claimed.
    assert.equal(log.with("submitted").length, 1);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher notes a cooperative close and claims nothing", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record);
    const watcher = await startWatcher(w, store, log);
    const close = w.signFundingSpend(buildCooperativeCloseTx({
      fundingOutpoint: w.funding.outpoint,
      fundingValue: w.funding.value,
      localBalanceMres: 300_000_000n,
      remoteBalanceMres: 200_000_000n,
      localAddress: sweepTo,
      remoteAddress: heartbeatWallet(params, 6).address,
      funder: "local",
      feeResonances: 1_000n,
      dustLimitResonances: 500n,
    }));
    await w.mine([close]);
    await w.mine();
    await watcher.settled();
    assert.equal(log.with("cooperative close").length, 1, log.lines.join("\n"));
    assert.equal(log.with("submitted").length, 0);
    assert.equal(w.pool.count, 0);
    assert.ok(await store.getWatchNote(c.record.channelId));
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher un-notes a breach whose block is disconnected and punishes it again when re-mined", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record, [{ number: 0n, htlcs: [peerHtlc] }]);
    const watcher = await startWatcher(w, store, log);
    await w.mine([c.revoked.signed]);
    await watcher.settled();
    assert.equal(log.with("REVOKED commitment 0").length, 1);
    assert.ok(await store.getWatchNote(c.record.channelId));

    // A two-block branch without the commitment wins: the note goes, the watch tip follows.
    await w.reorg(1, 2);
    await watcher.settled();
    assert.equal(log.with("left the active chain").length, 1, log.lines.join("\n"));
    assert.equal(await store.getWatchNote(c.record.channelId), undefined);
    assert.equal((await store.watchTip())!.height, w.cs.height());

    // The peer tries again on the new branch: punished again.
    await w.mine([c.revoked.signed]);
    await watcher.settled();
    assert.equal(log.with("REVOKED commitment 0").length, 2, log.lines.join("\n"));
    const penalty = pooledSpender(w, c.revoked.built.txid, 0);
    assert.ok(penalty, log.lines.join("\n"));
    await w.mine();
    assert.ok(await w.cs.txBlock(txid(params.magic, penalty)));
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher claims to_other of a channel restored from a static backup when the peer force-closes", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const backup = encodeStaticBackup([c.record], ours.backupKey(), params.magic);
    const store = await openStore(w);
    // The node lost its channel state: only the backup is left.
    for (const b of decodeStaticBackup(backup, ours.backupKey(), params.magic)) {
      await store.saveChannel(restoredRecord(b));
    }
    const watcher = await startWatcher(w, store, log);
    await w.mine([c.remote1.signed]);
    await w.mine();
    await watcher.settled();
    assert.equal(log.with("not in our records").length, 1, log.lines.join("\n"));
    const toOther = c.remote1.built.outputs.find((o) => o.role === "to-other")!;
    const sweep = pooledSpender(w, c.remote1.built.txid, toOther.vout);
    assert.ok(sweep, log.lines.join("\n"));
    await w.mine();
    const out = await w.cs.getUtxo({ txid: txid(params.magic, sweep), vout: 0 });
    assert.ok(out && out.value > toOther.output.value - 1_000n);
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher started after a channel's funding was already spent rescans from its funding height", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    await w.mine([c.revoked.signed]);
    await w.mine();
    // First start ever (no watch tip), the channel record arrives with the breach already mined.
    const store = await openStore(w);
    await store.saveChannel(c.record, [{ number: 0n, htlcs: [peerHtlc] }]);
    const watcher = await startWatcher(w, store, log);
    assert.equal(
      log.with(`rescanning from height ${w.funding.height}`).length,
      1,
      log.lines.join("\n"),
    );
    assert.ok(pooledSpender(w, c.revoked.built.txid, 0), log.lines.join("\n"));
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher restarted after a reorganisation it missed drops the stale note and rescans from the fork", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    let store = await openStore(w);
    await store.saveChannel(c.record, [{ number: 0n, htlcs: [peerHtlc] }]);
    let watcher = await startWatcher(w, store, log);
    await w.mine([c.revoked.signed]);
    await watcher.settled();
    const breachHeight = w.cs.height();
    await watcher.stop();
    await store.close();

    // While the watcher is down: a branch from below the breach wins, and the peer re-publishes.
    await w.reorg(1, 2);
    await w.mine([c.revoked.signed]);
    assert.equal(w.cs.height(), breachHeight + 2);

    store = await openStore(w);
    watcher = await startWatcher(w, store, log);
    assert.equal(log.with("left the active chain").length, 1, log.lines.join("\n"));
    const rescan = log.with("rescanning from height");
    assert.equal(rescan.length, 1, log.lines.join("\n"));
    assert.ok(Number(/from height (\d+)/.exec(rescan[0]!)![1]) <= breachHeight, rescan[0]);
    assert.equal(log.with("REVOKED commitment 0").length, 2, log.lines.join("\n"));
    assert.deepEqual((await store.watchTip())!.hash, w.cs.tip().hash);
    const penalty = pooledSpender(w, c.revoked.built.txid, 0);
    assert.ok(penalty, log.lines.join("\n"));
    await w.mine();
    assert.ok(await w.cs.txBlock(txid(params.magic, penalty)));
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

Deno.test("ChainWatcher follows a funding refresh and watches the new funding output", async () => {
  const w = await WatchWorld.create();
  const log = new LineLog();
  try {
    const c = channel(w);
    const store = await openStore(w);
    await store.saveChannel(c.record);
    const watcher = await startWatcher(w, store, log);
    const f = fundingOutput(ourParams.fundingKey, peerParams.fundingKey, w.funding.value);
    const refresh = w.signFundingSpend(buildFundingRefreshTx(w.funding.outpoint, f.output, 1_000n));
    await w.mine([refresh]);
    await watcher.settled();
    assert.equal(log.with("a funding refresh").length, 1, log.lines.join("\n"));

    // Both sides re-signed the current commitments on the new outpoint; the peer publishes its own.
    w.funding = {
      outpoint: { txid: txid(params.magic, refresh), vout: 0 },
      value: w.funding.value - 1_000n,
      height: w.cs.height(),
    };
    const remote1 = w.commitment("remote", 1n, 149_000_000n, 350_000_000n);
    await w.mine([]);
    await w.mine([remote1.signed]);
    await w.mine();
    await watcher.settled();
    assert.equal(log.with("the peer's commitment 1").length, 1, log.lines.join("\n"));
    const toOther = remote1.built.outputs.find((o) => o.role === "to-other")!;
    assert.ok(pooledSpender(w, remote1.built.txid, toOther.vout), log.lines.join("\n"));
    await watcher.stop();
    await store.close();
  } finally {
    await w.destroy();
  }
});

import assert from "node:assert/strict";
import { pointOfScalar } from "../../core/lightning/commitment_keys.ts";
import type { HtlcSpec } from "../../core/lightning/commitment_spec.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { openRecordPair } from "./_test_channel.ts";
import type { ChannelRecord as ServiceRecord } from "./channel_file_record.ts";
import { ChannelKeyRing } from "./channel_keys.ts";
import { ChannelStore } from "./channel_store.ts";
import { SERVICE_KEY_INDEX, WatchBridge } from "./watch_bridge.ts";

const ring = new ChannelKeyRing(new Uint8Array(32).fill(7));
/** The funding transaction is in block 7 of a chain whose tip is 9. */
const chain = { txHeight: () => Promise.resolve(7), tipHeight: () => 9 };

async function withStore(fn: (store: ChannelStore) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ln-bridge-" });
  const store = await ChannelStore.open(dir, ring.storeKey(), undefined, "watch");
  try {
    await fn(store);
  } finally {
    await store.close();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("WatchBridge.save() copies a service channel into the watcher's store, keys lent by channel id", async () => {
  await withStore(async (store) => {
    const { funder } = openRecordPair();
    const bridge = new WatchBridge(store, ring, chain);
    await bridge.save(funder);
    const r = (await store.getChannel(funder.channelId))!;
    assert.equal(r.keyIndex, SERVICE_KEY_INDEX);
    assert.equal(r.funder, "local");
    assert.equal(r.fundingValue, 10n ** 8n);
    assert.equal(r.fundingHeight, 7);
    assert.deepEqual(r.fundingOutpoint, funder.fundingOutpoint);
    assert.deepEqual(r.local, funder.state.config.localParams);
    assert.deepEqual(r.remote, funder.state.config.remoteParams);
    const seed = funder.state.localSeed;
    assert.deepEqual(
      r.localCommit?.point,
      perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX)),
    );
    assert.deepEqual(r.remoteCommits.map((c) => c.point), [funder.state.remoteCommit.point]);
    const secrets = bridge.channelSecrets(SERVICE_KEY_INDEX, funder.channelId);
    assert.deepEqual(secrets.fundingKey, r.local.fundingKey);
    assert.deepEqual(pointOfScalar(secrets.paymentSecret), r.local.paymentBasepoint);
    assert.deepEqual(pointOfScalar(secrets.revocationSecret), r.local.revocationBasepoint);
    assert.deepEqual(bridge.channelSecrets(3, funder.channelId), ring.channelSecrets(3));
    assert.throws(
      () => bridge.channelSecrets(SERVICE_KEY_INDEX, new Uint8Array(32)),
      /No keys for channel 0{64}/,
    );
  });
});

Deno.test("WatchBridge.save() keeps the HTLCs of a remote commitment that was just revoked", async () => {
  await withStore(async (store) => {
    const { funder } = openRecordPair();
    const bridge = new WatchBridge(store, ring, chain);
    const htlc: HtlcSpec = {
      offeredBy: "local",
      id: 0n,
      amountMres: 5_000_000n,
      paymentHash: new Uint8Array(32).fill(9),
      expirySecs: 1_000_000,
    };
    const prev = funder.state.remoteCommit;
    // Commitment 1 signed, commitment 0 (holding an HTLC) not yet revoked …
    const awaiting: ServiceRecord = {
      ...funder,
      state: {
        ...funder.state,
        remotePrevCommit: { ...prev, spec: { ...prev.spec, htlcs: [htlc] } },
        remoteCommit: { ...prev, number: 1n, spec: { ...prev.spec, commitmentNumber: 1n } },
      },
    };
    await bridge.save(awaiting);
    assert.equal((await store.getChannel(funder.channelId))!.remoteCommits.length, 2);
    assert.deepEqual(await store.revokedHtlcs(funder.channelId, 0n), []);
    // … then revoked: it leaves the record and its HTLCs are kept for the penalty.
    const revoked: ServiceRecord = {
      ...awaiting,
      state: { ...awaiting.state, remotePrevCommit: null },
    };
    await bridge.save(revoked);
    const r = (await store.getChannel(funder.channelId))!;
    assert.deepEqual(r.remoteCommits.map((c) => c.spec.commitmentNumber), [1n]);
    assert.deepEqual(await store.revokedHtlcs(funder.channelId, 0n), [htlc]);
  });
});

Deno.test("WatchBridge.save() does not watch an abandoned channel", async () => {
  await withStore(async (store) => {
    const { fundee } = openRecordPair();
    await new WatchBridge(store, ring, chain).save({ ...fundee, status: "abandoned" });
    assert.equal(await store.getChannel(fundee.channelId), undefined);
  });
});

import assert from "node:assert/strict";
import { ClassicLevel } from "classic-level";
import { DecodeError } from "../../core/errors.ts";
import { ChannelStore, ChannelStoreError } from "./channel_store.ts";
import { type ChannelRecord, decodeChannelRecord, encodeChannelRecord } from "./channel_record.ts";
import { ourParams, ours, peerHtlc, peerParams, ringOf } from "./_watch_fixture.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { encodeShachainStore, ShachainStore } from "../../core/lightning/shachain.ts";

const MARKER = new TextEncoder().encode("SECRET-STATE-MARKER-0123456789");

function record(id: number, stateNumber: number): ChannelRecord {
  const point = perCommitmentPoint(new Uint8Array(32).fill(id + 1));
  const state = new Uint8Array(MARKER.length + 4);
  state.set(MARKER);
  new DataView(state.buffer).setUint32(MARKER.length, stateNumber, true);
  return {
    channelId: new Uint8Array(32).fill(id),
    keyIndex: id,
    peerNodeKey: new Uint8Array(32).fill(9),
    peerAddress: "peer.example:18555",
    funder: "remote",
    fundingOutpoint: { txid: new Uint8Array(32).fill(3), vout: 1 },
    fundingValue: 1_000_000n,
    fundingHeight: 17,
    local: ourParams,
    remote: peerParams,
    localCommit: {
      point,
      spec: {
        owner: "local",
        commitmentNumber: BigInt(stateNumber),
        toOwnerMres: 400_000_000n,
        toOtherMres: 550_000_000n,
        feeResonances: 900n,
        htlcs: [peerHtlc],
      },
    },
    remoteCommits: [{
      point,
      spec: {
        owner: "remote",
        commitmentNumber: BigInt(stateNumber),
        toOwnerMres: 550_000_000n,
        toOtherMres: 450_000_000n,
        feeResonances: 900n,
        htlcs: [],
      },
    }],
    remoteSecrets: encodeShachainStore(new ShachainStore()),
    state: { version: 1, bytes: state },
  };
}

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-ln-store-" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("decodeChannelRecord() round-trips and refuses every truncation and trailing bytes", () => {
  const bytes = encodeChannelRecord(record(1, 5));
  assert.deepEqual(decodeChannelRecord(bytes), record(1, 5));
  for (let n = 0; n < bytes.length; n++) {
    assert.throws(() => decodeChannelRecord(bytes.slice(0, n)), DecodeError, `cut at ${n}`);
  }
  const longer = new Uint8Array(bytes.length + 1);
  longer.set(bytes);
  assert.throws(() => decodeChannelRecord(longer), DecodeError);
});

Deno.test("ChannelStore keeps records, revoked HTLCs and watch notes across a reopen", async () => {
  await withDir(async (dir) => {
    let store = await ChannelStore.open(dir, ours.storeKey());
    await store.saveChannel(record(2, 1));
    await store.saveChannel(record(1, 3), [{ number: 2n, htlcs: [peerHtlc] }]);
    await store.saveChannel(record(1, 4));
    await store.saveWatch([{ channelId: record(1, 0).channelId, note: new Uint8Array([5, 6]) }], {
      height: 12,
      hash: new Uint8Array(32).fill(8),
    });
    await store.close();
    store = await ChannelStore.open(dir, ours.storeKey());
    assert.deepEqual(await store.channels(), [record(1, 4), record(2, 1)]);
    assert.deepEqual(await store.getChannel(record(2, 0).channelId), record(2, 1));
    assert.equal(await store.getChannel(new Uint8Array(32).fill(7)), undefined);
    assert.deepEqual(await store.revokedHtlcs(record(1, 0).channelId, 2n), [peerHtlc]);
    assert.deepEqual(await store.revokedHtlcs(record(1, 0).channelId, 3n), []);
    assert.deepEqual(await store.getWatchNote(record(1, 0).channelId), new Uint8Array([5, 6]));
    assert.deepEqual(await store.watchTip(), { height: 12, hash: new Uint8Array(32).fill(8) });
    await store.saveWatch([{ channelId: record(1, 0).channelId, note: null }], {
      height: 13,
      hash: new Uint8Array(32).fill(9),
    });
    assert.equal(await store.getWatchNote(record(1, 0).channelId), undefined);
    await store.close();
  });
});

Deno.test("ChannelStore refuses to open under another wallet's key, and keeps no state in plain text", async () => {
  await withDir(async (dir) => {
    const store = await ChannelStore.open(dir, ours.storeKey());
    await store.saveChannel(record(1, 1));
    await store.close();
    await assert.rejects(
      () => ChannelStore.open(dir, ringOf("someone else").storeKey()),
      (e) => e instanceof ChannelStoreError && e.reason === "wrong-key",
    );
    // No file of the database holds the state's bytes.
    for await (const f of Deno.readDir(`${dir}/lightning/channels`)) {
      const bytes = await Deno.readFile(`${dir}/lightning/channels/${f.name}`);
      const text = new TextDecoder("latin1").decode(bytes);
      assert.ok(!text.includes("SECRET-STATE-MARKER"), `plain state in ${f.name}`);
    }
  });
});

Deno.test("ChannelStore refuses a value moved under another channel's key as damaged", async () => {
  await withDir(async (dir) => {
    const store = await ChannelStore.open(dir, ours.storeKey());
    await store.saveChannel(record(1, 1));
    await store.close();
    const db = new ClassicLevel<Uint8Array, Uint8Array>(`${dir}/lightning/channels`, {
      keyEncoding: "view",
      valueEncoding: "view",
    });
    const from = new Uint8Array(33);
    from[0] = 1;
    from.fill(1, 1);
    const to = new Uint8Array(33);
    to[0] = 1;
    to.fill(2, 1);
    await db.put(to, (await db.get(from))!);
    await db.close();
    const again = await ChannelStore.open(dir, ours.storeKey());
    assert.deepEqual(await again.getChannel(new Uint8Array(32).fill(1)), record(1, 1));
    await assert.rejects(
      () => again.getChannel(new Uint8Array(32).fill(2)),
      (e) => e instanceof ChannelStoreError && e.reason === "damaged",
    );
    await again.close();
  });
});

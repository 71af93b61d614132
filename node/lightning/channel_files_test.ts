import assert from "node:assert/strict";
import { fundingChannelId } from "../../core/lightning/funding_channel_id.ts";
import { fundingSigner } from "../../core/lightning/funding_signer.ts";
import { createChannel, initialCommitmentSpecs } from "../../core/lightning/channel_state.ts";
import type { ChannelConfig } from "../../core/lightning/channel_types.ts";
import { perCommitmentPoint } from "../../core/lightning/commitment_keys.ts";
import { FIRST_COMMITMENT_INDEX, perCommitmentSecret } from "../../core/lightning/shachain.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { encodeAddressPayload, RecoveryKind } from "../../core/primitives/address.ts";
import { ChannelFiles } from "./channel_files.ts";
import { type ChannelRecord, decodeChannelRecord, encodeChannelRecord } from "./channel_record.ts";
import { freshChannelSecrets, limitsFor, partyParamsOf } from "./channel_setup.ts";

const point = (seed: Uint8Array, n: number) =>
  perCommitmentPoint(perCommitmentSecret(seed, FIRST_COMMITMENT_INDEX - n));

/** A real channel state of the funder, opened as the service opens one. */
function funderRecord(): ChannelRecord {
  const us = freshChannelSecrets(), them = freshChannelSecrets();
  const outpoint = { txid: crypto.getRandomValues(new Uint8Array(32)), vout: 1 };
  const mine: ChannelConfig = {
    channelId: fundingChannelId(outpoint),
    funder: "local",
    capacityMres: 10n ** 11n,
    localParams: partyParamsOf(us.secrets, 5),
    remoteParams: partyParamsOf(them.secrets, 5),
    localLimits: limitsFor(10n ** 8n),
    remoteLimits: limitsFor(10n ** 8n),
  };
  const theirs: ChannelConfig = {
    ...mine,
    funder: "remote",
    localParams: mine.remoteParams,
    remoteParams: mine.localParams,
  };
  const keys = (s: typeof us) => ({
    magic: REGTEST.magic,
    fundingOutpoint: outpoint,
    fundingSeed: s.secrets.fundingSeed,
  });
  const sigForThem = fundingSigner(mine, keys(us)).signRemoteCommitment(
    initialCommitmentSpecs(mine, 1, 0n).remote,
    point(them.seed, 0),
  );
  const sigForUs = fundingSigner(theirs, keys(them)).signRemoteCommitment(
    initialCommitmentSpecs(theirs, 1, 0n).remote,
    point(us.seed, 0),
  );
  const state = createChannel({
    config: mine,
    localSeed: us.seed,
    feeratePerByte: 1,
    pushMres: 0n,
    remotePoints: [point(them.seed, 0), point(them.seed, 1)],
    localCommitSignature: sigForUs,
    remoteCommitSignature: sigForThem,
  }, fundingSigner(mine, keys(us)));
  return {
    channelId: mine.channelId,
    peerId: "ab".repeat(32),
    weFunded: true,
    status: "awaiting-funding",
    fundingOutpoint: outpoint,
    fundingTx: new Uint8Array([1, 2, 3]),
    minimumDepth: 1,
    secrets: us.secrets,
    state,
    localReady: true,
    remoteReady: false,
    localLostState: true,
    localShutdown: encodeAddressPayload({
      kind: RecoveryKind.heartbeat,
      hash: new Uint8Array(32).fill(7),
    }),
  };
}

Deno.test("encodeChannelRecord() and decodeChannelRecord() round-trip a real channel", () => {
  const record = funderRecord();
  const text = encodeChannelRecord(record);
  assert.deepEqual(decodeChannelRecord(text), record);
  assert.equal(encodeChannelRecord(decodeChannelRecord(text)), text);
});

Deno.test("decodeChannelRecord() names what is wrong with a damaged record", () => {
  const json = JSON.parse(encodeChannelRecord(funderRecord()));
  const bad = (change: Record<string, unknown>, pattern: RegExp) =>
    assert.throws(() => decodeChannelRecord(JSON.stringify({ ...json, ...change })), pattern);
  bad({ version: 2 }, /unknown record version 2/);
  bad({ status: "open" }, /unknown channel status open/);
  bad({ channel_id: "00" }, /channel_id is not 32 bytes/);
  bad({ we_funded: undefined }, /we_funded is missing/);
  bad({ funding_vout: -1 }, /funding_vout is not a count/);
  bad({ state: json.state.slice(0, -2) }, /./);
});

Deno.test("ChannelFiles saves atomically (mode 0600), loads every channel and reports unreadable files", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rnt-channel-files-" });
  try {
    const files = new ChannelFiles(`${dir}/channels`);
    assert.deepEqual(await files.loadAll(), { records: [], unreadable: [] });
    const a = funderRecord(), b = funderRecord();
    await files.save(a);
    await files.save(b);
    await files.save({ ...a, status: "normal", remoteReady: true });
    const names = [...Deno.readDirSync(`${dir}/channels`)].map((e) => e.name).sort();
    assert.equal(names.length, 2, `no temp files left: ${names}`);
    const mode = Deno.statSync(`${dir}/channels/${names[0]}`).mode! & 0o777;
    assert.equal(mode, 0o600);
    await Deno.writeTextFile(`${dir}/channels/${"cd".repeat(32)}.json`, "{not json");
    const { records, unreadable } = await files.loadAll();
    assert.equal(records.length, 2);
    const loadedA = records.find((r) =>
      r.fundingOutpoint.txid.every((x, i) => x === a.fundingOutpoint.txid[i])
    );
    assert.equal(loadedA?.status, "normal");
    assert.equal(loadedA?.remoteReady, true);
    assert.equal(unreadable.length, 1);
    assert.match(unreadable[0]!, /^(cd){32}\.json: /);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

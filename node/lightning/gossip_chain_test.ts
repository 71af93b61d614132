import assert from "node:assert/strict";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import {
  assembleAnnouncement,
  signAnnouncementHalf,
  unsignedAnnouncement,
} from "../../core/lightning/announcement_signatures.ts";
import { buildFundingRefreshTx } from "../../core/lightning/channel_close.ts";
import { fundingOutput } from "../../core/lightning/commitment_tx.ts";
import { shortChannelIdOf, shortChannelIdParts } from "../../core/lightning/gossip_channel_id.ts";
import { ChannelGraph } from "../../core/lightning/graph.ts";
import { GossipChain } from "./gossip_chain.ts";
import {
  FUNDING_VALUE,
  ourParams,
  ours,
  params,
  peer,
  peerParams,
  WatchWorld,
} from "./_watch_fixture.ts";

Deno.test("GossipChain finds a funding output by its place in a real chain, and loses it when spent", async () => {
  const w = await WatchWorld.create();
  try {
    const chain = new GossipChain(w.cs, params.magic);
    const position = await chain.positionOf(w.funding.outpoint);
    assert.ok(position);
    // The funding transaction follows the coinbase in block 13, output 0.
    assert.deepEqual(shortChannelIdParts(position.shortChannelId), {
      height: w.funding.height,
      txIndex: 1,
      outputIndex: 0,
    });
    assert.equal(position.confirmations, 1);
    await w.mine();
    await w.mine();
    assert.equal((await chain.positionOf(w.funding.outpoint))?.confirmations, 3);

    const scid = position.shortChannelId;
    const output = await chain.fundingAt(scid);
    assert.equal(output?.valueResonances, FUNDING_VALUE);
    const f = fundingOutput(ourParams.fundingKey, peerParams.fundingKey, FUNDING_VALUE);
    assert.deepEqual(output?.policyHash, f.output.address.hash);
    // Other places: another output, another transaction, a height above the tip.
    const at = (txIndex: number, outputIndex: number, height = w.funding.height) =>
      chain.fundingAt(shortChannelIdOf({ height, txIndex, outputIndex }));
    assert.equal(await at(1, 5), undefined);
    assert.equal(await at(7, 0), undefined);
    assert.equal(await at(1, 0, w.cs.height() + 1), undefined);

    // The graph takes an announcement of that output, both halves signed by the channel's keys.
    const [nodeA, nodeB] = [new Uint8Array(32).fill(1), new Uint8Array(32).fill(2)];
    const end = (seed: Uint8Array, fundingKey: Uint8Array) => ({
      nodeId: keyPairFromSeed(seed).publicKey,
      fundingKey,
    });
    const unsigned = unsignedAnnouncement(
      scid,
      end(nodeA, ourParams.fundingKey),
      end(nodeB, peerParams.fundingKey),
    );
    const channelId = new Uint8Array(32);
    const halfA = signAnnouncementHalf(
      unsigned,
      channelId,
      nodeA,
      ours.channelSecrets(0).fundingSeed,
      params.magic,
    );
    const halfB = signAnnouncementHalf(
      unsigned,
      channelId,
      nodeB,
      peer.channelSecrets(0).fundingSeed,
      params.magic,
    );
    const graph = new ChannelGraph();
    const channel = graph.applyChannelAnnouncement(
      assembleAnnouncement(unsigned, keyPairFromSeed(nodeA).publicKey, halfA, halfB),
      { magic: params.magic, nowSecs: 1_800_000_000, fundingLookup: () => output },
    );
    assert.equal(channel.capacityMres, FUNDING_VALUE * 1000n);

    // Spent: gone from both lookups.
    const refresh = w.signFundingSpend(buildFundingRefreshTx(w.funding.outpoint, f.output, 1_000n));
    await w.mine([refresh]);
    assert.equal(await chain.fundingAt(scid), undefined);
    assert.equal(await chain.positionOf(w.funding.outpoint), undefined);
  } finally {
    await w.destroy();
  }
});

Deno.test("GossipChain finds nothing at the position once a reorganisation drops the funding block", async () => {
  const w = await WatchWorld.create();
  try {
    const chain = new GossipChain(w.cs, params.magic);
    const scid = (await chain.positionOf(w.funding.outpoint))!.shortChannelId;
    assert.ok(await chain.fundingAt(scid));
    // Two empty blocks replace the funding block: the position now names nothing.
    await w.reorg(1, 2);
    assert.equal(await chain.fundingAt(scid), undefined);
  } finally {
    await w.destroy();
  }
});

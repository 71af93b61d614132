import assert from "node:assert/strict";
import { keyPairFromSeed } from "../../core/crypto/ed25519.ts";
import { toHex } from "../../core/crypto/keccak.ts";
import { REGTEST } from "../../core/consensus/params.ts";
import { policyHash } from "../../core/primitives/policy_codec.ts";
import { fundingPolicy } from "../../core/lightning/channel_policies.ts";
import {
  ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
  encodeAnnouncementSignatures,
} from "../../core/lightning/announcement_signatures.ts";
import {
  type ChannelAnnouncement,
  encodeGossipMessage,
} from "../../core/lightning/gossip_messages.ts";
import {
  encodeGossipTimestampFilter,
  GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID,
} from "../../core/lightning/gossip_query.ts";
import { signChannelAnnouncement } from "../../core/lightning/gossip_signatures.ts";
import type { FundingOutput } from "../../core/lightning/graph.ts";
import type { ChannelRecord } from "./channel_file_record.ts";
import { openRecordPair } from "./_test_channel.ts";
import { GossipService } from "./gossip_service.ts";
import { GraphStore } from "./graph_store.ts";
import { FORWARDING_POLICY } from "./htlc_forwarder.ts";

const MAGIC = REGTEST.magic;
const SCID = (120n << 32n) | (1n << 16n);

/** A chain view: unspent outputs by short channel id, funding positions by txid. */
class Chain {
  readonly outputs = new Map<bigint, FundingOutput>();
  readonly positions = new Map<string, bigint>();
  height = 130;

  /** Confirms the funding of `record` at `scid`. */
  confirm(record: ChannelRecord, scid: bigint): void {
    const c = record.state.config;
    this.outputs.set(scid, {
      valueResonances: c.capacityMres / 1000n,
      policyHash: policyHash(fundingPolicy(c.localParams.fundingKey, c.remoteParams.fundingKey)),
    });
    this.positions.set(toHex(record.fundingOutpoint.txid), scid);
  }
}

/** Services wired by an in-memory link layer: `pump` delivers what they sent, in order. */
class Network {
  readonly chain = new Chain();
  readonly services = new Map<string, GossipService>();
  readonly links = new Set<string>();
  readonly channels = new Map<string, ChannelRecord[]>();
  readonly logs = new Map<string, string[]>();
  readonly queue: { from: string; to: string; id: number; payload: Uint8Array }[] = [];
  readonly sent: { from: string; to: string; id: number }[] = [];
  /** Peers each service disconnected and discouraged, with the reason. */
  readonly penalised: { by: string; peer: string; reason: string }[] = [];
  /** Seconds between two answers to one peer's queries, for services added from now on. */
  queryIntervalSecs = 0;

  constructor(readonly dir: string) {}

  async add(seedByte: number): Promise<string> {
    const seed = new Uint8Array(32).fill(seedByte);
    const nodeId = keyPairFromSeed(seed).publicKey;
    const id = toHex(nodeId);
    this.logs.set(id, []);
    this.channels.set(id, this.channels.get(id) ?? []);
    this.services.set(
      id,
      await GossipService.start({
        magic: MAGIC,
        nodeId,
        nodeSeed: seed,
        announceDepth: 6,
        queryIntervalSecs: this.queryIntervalSecs,
        store: new GraphStore(`${this.dir}/${id.slice(0, 8)}/graph.dat`),
        send: (to, mid, payload) => {
          if (!this.links.has(`${id}>${to}`)) return;
          this.queue.push({ from: id, to, id: mid, payload: payload.slice() });
          this.sent.push({ from: id, to, id: mid });
        },
        penalise: (peer, misbehavior) =>
          this.penalised.push({ by: id, peer, reason: misbehavior.reason }),
        peers: () => [...this.links].filter((l) => l.startsWith(`${id}>`)).map((l) => l.slice(65)),
        channels: () => this.channels.get(id)!,
        fundingAt: (scid) => Promise.resolve(this.chain.outputs.get(scid)),
        positionOf: (outpoint) => {
          const scid = this.chain.positions.get(toHex(outpoint.txid));
          return Promise.resolve(
            scid === undefined ? undefined : {
              shortChannelId: scid,
              confirmations: this.chain.height - Number(scid >> 32n) + 1,
            },
          );
        },
        tipHeight: () => this.chain.height,
        log: (line) => this.logs.get(id)!.push(line),
      }),
    );
    return id;
  }

  service(id: string): GossipService {
    return this.services.get(id)!;
  }

  /** Connects `a` and `b` (each sends its gossip filter, as on a P2P handshake). */
  connect(a: string, b: string): void {
    this.links.add(`${a}>${b}`).add(`${b}>${a}`);
    this.service(a).peerReady(b);
    this.service(b).peerReady(a);
  }

  /** A channel between `a` (funder) and `b`, confirmed at `scid`. */
  openChannel(a: string, b: string, scid: bigint): void {
    const { funder, fundee } = openRecordPair();
    this.channels.get(a)!.push({ ...funder, peerId: b });
    this.channels.get(b)!.push({ ...fundee, peerId: a });
    this.chain.confirm(funder, scid);
  }

  async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const m = this.queue.shift()!;
      await this.services.get(m.to)?.message(m.from, m.id, m.payload);
    }
  }
}

async function withNetwork(run: (net: Network) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "rnt-gossip-service-" });
  const net = new Network(dir);
  try {
    await run(net);
  } finally {
    for (const s of net.services.values()) await s.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("both ends announce their channel at depth; it is relayed, saved and synced to a new peer", async () => {
  await withNetwork(async (net) => {
    const [x, y, z] = [await net.add(1), await net.add(2), await net.add(3)];
    net.connect(x, y);
    net.connect(y, z);
    net.openChannel(x, y, SCID);
    await net.pump();

    // 120 + 6 − 1 = 125 is the announce depth; at 124 nothing is sent.
    net.chain.height = 124;
    for (const id of [x, y]) await net.service(id).announceChannels();
    await net.pump();
    assert.equal(net.service(x).graph.channelCount, 0);
    assert.ok(!net.sent.some((m) => m.id === ANNOUNCEMENT_SIGNATURES_MESSAGE_ID));

    net.chain.height = 125;
    await net.service(x).announceChannels();
    await net.pump(); // y keeps x's half: its own side has not looked at the new block yet
    assert.equal(net.service(y).graph.channelCount, 0);
    await net.service(y).announceChannels();
    await net.pump();
    for (const id of [x, y, z]) {
      const channel = net.service(id).graph.channel(SCID);
      assert.ok(channel?.announcement, `node ${id.slice(0, 8)} holds the channel`);
      assert.equal(channel.capacityMres, 10n ** 11n);
      for (const u of channel.updates) {
        assert.equal(u?.feeBaseMres, FORWARDING_POLICY.feeBaseMres);
        assert.equal(u?.feeProportionalMillionths, FORWARDING_POLICY.feeProportionalMillionths);
        assert.equal(u?.htlcMaximumMres, 10n ** 11n);
      }
      assert.ok(net.service(id).graph.nodeAnnouncement(x));
      assert.ok(net.service(id).graph.nodeAnnouncement(y));
    }
    assert.equal(net.service(x).channelIdOf(SCID), toHex(net.channels.get(x)![0]!.channelId));
    assert.equal(net.service(z).channelIdOf(SCID), undefined);
    assert.equal(net.service(x).ownUpdate(SCID)?.direction, x < y ? 0 : 1);
    const summary = net.service(z).summary();
    assert.equal(summary.channels.length, 1);
    assert.equal(summary.channels[0]!.shortChannelId, "120x1x0");
    assert.deepEqual(summary.nodes.map((n) => n.nodeId), [x, y].sort());

    // The next block sends nothing new: the channel is announced.
    const before = net.sent.length;
    net.chain.height = 126;
    await net.service(x).onBlock();
    await net.pump();
    assert.equal(net.sent.length, before);

    // A node that connects later gets the graph in its initial sync.
    const w = await net.add(4);
    net.connect(w, z);
    await net.pump();
    const synced = net.service(w).graph.channel(SCID);
    assert.ok(synced?.updates[0] && synced.updates[1]);
    assert.ok(net.service(w).graph.nodeAnnouncement(x));

    // The graph survives a restart of its node.
    await net.service(z).stop();
    await net.add(3);
    assert.ok(net.service(z).graph.channel(SCID)?.updates[1]);
    assert.match(net.logs.get(z)!.join("\n"), /loaded a graph of 1 channels and 2 nodes/);

    // Spent funding: the channel leaves the graph on the next block (and the file with it).
    net.chain.outputs.delete(SCID);
    await net.service(z).onBlock();
    assert.equal(net.service(z).graph.channelCount, 0);
    await net.service(z).stop();
    await net.add(3);
    assert.equal(net.service(z).graph.channelCount, 0);
  });
});

Deno.test("a bad announcement changes nothing, is logged and is not relayed; undecodable bytes cost their sender its connection", async () => {
  await withNetwork(async (net) => {
    const [y, z] = [await net.add(2), await net.add(3)];
    net.connect(y, z);
    const from = "cd".repeat(32);
    net.links.add(`${y}>${from}`);
    net.service(y).peerReady(from);
    await net.pump();
    net.queue.length = 0;
    const seeds = [5, 6, 7, 8].map((b) => new Uint8Array(32).fill(b));
    const announcement = signChannelAnnouncement(
      {
        nodeSeedA: seeds[0]!,
        fundingSeedA: seeds[1]!,
        nodeSeedB: seeds[2]!,
        fundingSeedB: seeds[3]!,
      },
      SCID,
      MAGIC,
    );
    const fund = (ann: ChannelAnnouncement) =>
      net.chain.outputs.set(ann.shortChannelId, {
        valueResonances: 10n ** 6n,
        policyHash: policyHash(fundingPolicy(ann.fundingKey1, ann.fundingKey2)),
      });
    const deliver = async (ann: ChannelAnnouncement) => {
      const bytes = encodeGossipMessage({ kind: "channel_announcement", message: ann });
      await net.service(y).message(from, bytes[0]!, bytes.subarray(1));
    };
    const relayed = () => net.sent.filter((m) => m.from === y && m.to === z && m.id === 0xb0);
    const log = () => net.logs.get(y)!.join("\n");

    // Unknown funding output.
    await deliver(announcement);
    assert.equal(net.service(y).graph.channelCount, 0);
    assert.match(log(), /refused channel_announcement: funding-not-found/);
    // A bad signature, with the output on chain.
    fund(announcement);
    const forged = { ...announcement, nodeSignature1: announcement.nodeSignature2 };
    await deliver(forged);
    assert.equal(net.service(y).graph.channelCount, 0);
    assert.match(log(), /refused channel_announcement: bad-signature: .* \(misbehaving\)/);
    // The output is not the 2-of-2 of the announced keys.
    net.chain.outputs.set(SCID, { valueResonances: 10n ** 6n, policyHash: new Uint8Array(32) });
    await deliver(announcement);
    assert.match(log(), /refused channel_announcement: funding-mismatch/);
    // A spent output is as good as none.
    net.chain.outputs.delete(SCID);
    await deliver(announcement);
    assert.equal(net.service(y).graph.channelCount, 0);
    assert.equal(relayed().length, 0);
    // Undecodable bytes.
    await net.service(y).message(from, 0xb0, new Uint8Array(10));
    assert.match(log(), /undecodable gossip message 0xb0/);
    assert.deepEqual(net.penalised, [{ by: y, peer: from, reason: "decode" }]);
    assert.equal(net.service(y).graph.channelCount, 0);
    // The announcement once its output is on chain: taken and relayed.
    fund(announcement);
    await deliver(announcement);
    assert.ok(net.service(y).graph.channel(SCID)?.announcement);
    assert.equal(relayed().length, 1);
  });
});

Deno.test("a forged announcement_signatures half announces nothing", async () => {
  await withNetwork(async (net) => {
    const [x, y] = [await net.add(1), await net.add(2)];
    net.connect(x, y);
    net.openChannel(x, y, SCID);
    net.chain.height = 125;
    await net.pump();
    await net.service(x).announceChannels();
    net.queue.length = 0; // x's honest half is lost; y sends a forged one instead
    const record = net.channels.get(y)![0]!;
    await net.service(x).message(
      y,
      ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
      encodeAnnouncementSignatures({
        channelId: record.channelId,
        shortChannelId: SCID,
        nodeSignature: new Uint8Array(64).fill(1),
        fundingSignature: new Uint8Array(64).fill(2),
      }),
    );
    assert.equal(net.service(x).graph.channelCount, 0);
    assert.match(net.logs.get(x)!.join("\n"), /do not verify .*\(misbehaving\)/);
    // A half for another place of the channel (the peer's chain differs) is not taken either.
    await net.service(x).message(
      y,
      ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
      encodeAnnouncementSignatures({
        channelId: record.channelId,
        shortChannelId: SCID + 1n,
        nodeSignature: new Uint8Array(64),
        fundingSignature: new Uint8Array(64),
      }),
    );
    assert.match(net.logs.get(x)!.join("\n"), /place the channel at 120x1x1, our chain at 120x1x0/);
    assert.equal(net.service(x).graph.channelCount, 0);
    // A half for a channel the sender does not have with us is refused too.
    await net.service(x).message(
      "ef".repeat(32),
      ANNOUNCEMENT_SIGNATURES_MESSAGE_ID,
      encodeAnnouncementSignatures({
        channelId: record.channelId,
        shortChannelId: SCID,
        nodeSignature: new Uint8Array(64),
        fundingSignature: new Uint8Array(64),
      }),
    );
    assert.match(net.logs.get(x)!.join("\n"), /no channel of ours with it/);
    assert.equal(net.service(x).graph.channelCount, 0);
  });
});

Deno.test("a channel whose funding moves to a new output is announced again at its new place", async () => {
  await withNetwork(async (net) => {
    const [x, y] = [await net.add(1), await net.add(2)];
    net.connect(x, y);
    net.openChannel(x, y, SCID);
    net.chain.height = 125;
    for (const id of [x, y, x]) await net.service(id).announceChannels();
    await net.pump();
    assert.ok(net.service(y).graph.channel(SCID)?.announcement);

    // Both ends now fund the channel from a new output (a refresh), confirmed at block 126.
    const moved = (120n + 6n) << 32n | (2n << 16n);
    const outpoint = { txid: crypto.getRandomValues(new Uint8Array(32)), vout: 0 };
    for (const id of [x, y]) {
      net.channels.set(id, net.channels.get(id)!.map((r) => ({ ...r, fundingOutpoint: outpoint })));
    }
    net.chain.outputs.delete(SCID);
    net.chain.confirm(net.channels.get(x)![0]!, moved);
    net.chain.height = 131;
    for (const id of [x, y]) await net.service(id).onBlock();
    await net.pump();
    for (const id of [x, y]) await net.service(id).announceChannels();
    await net.pump();
    for (const id of [x, y]) {
      const graph = net.service(id).graph;
      assert.equal(graph.channel(SCID), undefined);
      assert.ok(graph.channel(moved)?.announcement && graph.channel(moved)!.updates[0]);
    }
    assert.equal(net.service(x).channelIdOf(SCID), undefined);
    assert.equal(net.service(x).channelIdOf(moved), toHex(net.channels.get(x)![0]!.channelId));
  });
});

Deno.test("a closing channel's direction is gossiped as disabled", async () => {
  await withNetwork(async (net) => {
    const [x, y, z] = [await net.add(1), await net.add(2), await net.add(3)];
    net.connect(x, y);
    net.connect(y, z);
    net.openChannel(x, y, SCID);
    net.chain.height = 125;
    for (const id of [x, y, x]) await net.service(id).announceChannels();
    await net.pump();
    const xDirection = x < y ? 0 : 1;
    assert.equal(net.service(z).graph.channel(SCID)?.updates[xDirection]?.disabled, false);
    net.channels.set(x, net.channels.get(x)!.map((r) => ({ ...r, status: "shutdown" as const })));
    await net.service(x).announceChannels();
    await net.pump();
    assert.equal(net.service(z).graph.channel(SCID)?.updates[xDirection]?.disabled, true);
    assert.equal(net.service(z).graph.channel(SCID)?.updates[1 - xDirection]?.disabled, false);
    // Said once: the next call sends nothing.
    const before = net.sent.length;
    await net.service(x).announceChannels();
    assert.equal(net.sent.length, before);
  });
});

Deno.test("a peer that keeps querying gossip gets one answer per interval; a query inside it is answered once when it ends", async () => {
  await withNetwork(async (net) => {
    net.queryIntervalSecs = 1;
    const [x, y] = [await net.add(1), await net.add(2)];
    net.connect(x, y);
    net.openChannel(x, y, SCID);
    net.chain.height = 125;
    await net.service(x).announceChannels();
    await net.pump();
    await net.service(y).announceChannels();
    await net.pump();
    assert.ok(net.service(y).graph.channel(SCID)?.announcement);

    const asker = "ef".repeat(32);
    net.links.add(`${y}>${asker}`);
    const query = encodeGossipTimestampFilter({ firstTimestamp: 0, timestampRange: 0xffff_ffff });
    const answered = () => net.sent.filter((m) => m.from === y && m.to === asker).length;
    const held = () =>
      net.logs.get(y)!.filter((l) => l.includes(`${asker.slice(0, 16)}: query within 1 s`));
    for (let i = 0; i < 10; i++) {
      await net.service(y).message(asker, GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID, query);
    }
    // The announcement, both updates and both nodes: once, not ten times.
    const full = answered();
    assert.equal(full, 5);
    assert.equal(held().length, 1, "the held queries are logged once");

    // When the interval ends the held query is answered, once.
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(answered(), 2 * full);

    // A query held when its peer leaves is never answered.
    await net.service(y).message(asker, GOSSIP_TIMESTAMP_FILTER_MESSAGE_ID, query);
    assert.equal(held().length, 2);
    net.service(y).peerClosed(asker);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(answered(), 2 * full);
  });
});
